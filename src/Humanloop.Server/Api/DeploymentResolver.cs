using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Api;

/// <summary>What an environment of a project serves, with the API's fallback to the default environment.</summary>
internal sealed class DeploymentResolver(DeploymentStore deployments)
{
    public static DeploymentEnvironment Environment(string? name, IEnumerable<object> location) =>
        name is null ? DeploymentEnvironments.Production
        : DeploymentEnvironments.Find(name) ?? throw ValidationErrors.Single(location,
            $"unknown environment '{name}'; the local server has {string.Join(", ", DeploymentEnvironments.All.Select(e => e.Name))}");

    /// <summary>The environment's deployment, else the default environment's (the active config); null if neither.</summary>
    public DeploymentRecord? Resolve(ProjectRecord project, DeploymentEnvironment environment) =>
        deployments.Get(project.Id, environment.Id) ?? deployments.Get(project.Id, DeploymentEnvironments.Production.Id);
}
