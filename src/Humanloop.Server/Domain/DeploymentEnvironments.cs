namespace Humanloop.Server.Domain;

/// <summary>A deployment environment. The local server has a fixed set; v4 had no endpoint to manage them.</summary>
internal sealed record DeploymentEnvironment(string Id, string Name, string Tag);

internal static class DeploymentEnvironments
{
    public static readonly DeploymentEnvironment Production = new("env_production", "production", "default");
    public static readonly DeploymentEnvironment Staging = new("env_staging", "staging", "other");
    public static readonly DeploymentEnvironment Development = new("env_development", "development", "other");

    public static readonly IReadOnlyList<DeploymentEnvironment> All = [Production, Staging, Development];

    /// <summary>Finds an environment by id or, tolerantly, by name (both case-insensitive).</summary>
    public static DeploymentEnvironment? Find(string idOrName) =>
        All.FirstOrDefault(e => string.Equals(e.Id, idOrName, StringComparison.OrdinalIgnoreCase)
            || string.Equals(e.Name, idOrName, StringComparison.OrdinalIgnoreCase));
}
