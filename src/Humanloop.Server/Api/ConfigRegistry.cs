using Humanloop.Server.Domain;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Api;

/// <summary>
/// Registers configs to projects (deduplicated by content) and applies the API's rule that the
/// first config of a project becomes its active config (its production deployment).
/// </summary>
internal sealed class ConfigRegistry(ModelConfigStore configs, DeploymentStore deployments, ProjectStore projects)
{
    public ModelConfigRecord Register(ProjectRecord project, ModelConfigContent content)
    {
        var (config, created, firstOfProject) = configs.Register(project.Id, content);
        if (firstOfProject)
        {
            deployments.SetIfEmpty(project.Id, DeploymentEnvironments.Production.Id, config.Id);
        }

        if (created)
        {
            projects.Touch(project.Id);
        }

        return config;
    }

    /// <summary>
    /// The project a request names, without creating one: by id (404 if unknown) or by name (null if
    /// unknown). For checking a request before anything is created.
    /// </summary>
    public ProjectRecord? FindProject(string? projectId, string? projectName) =>
        projectId is not null ? projects.GetRequired(projectId)
        : projectName is not null ? projects.FindByName(projectName)
        : null;

    /// <summary>
    /// The project a request names: by id (404 if unknown) or by name (created if unknown, as the
    /// API did). Null when the request names neither.
    /// </summary>
    public ProjectRecord? ResolveProject(string? projectId, string? projectName) =>
        projectId is not null ? projects.GetRequired(projectId)
        : projectName is not null ? projects.GetOrCreateByName(projectName)
        : null;
}
