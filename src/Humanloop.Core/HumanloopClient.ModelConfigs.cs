using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.Json;

namespace Humanloop;

// The Model configs group (API reference §6.6) and a project's configs.
public sealed partial class HumanloopClient
{
    /// <summary>
    /// Registers a config to a project (<c>POST /model-configs</c>). Registering the same config twice returns
    /// the existing one; the first config of a project becomes its active config.
    /// </summary>
    /// <param name="request">The config and the project (by name or id) to register it to.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<ProjectModelConfig> RegisterModelConfigAsync(RegisterModelConfigRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "model-configs", ToJson(request, WorkflowJsonContext.Default.RegisterModelConfigRequest, nameof(request)),
            WorkflowJsonContext.Default.ProjectModelConfig, cancellationToken);

    /// <summary>Reads one config (<c>GET /model-configs/{id}</c>).</summary>
    /// <param name="modelConfigId">The config id (<c>config_…</c>).</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public Task<ModelConfig> GetModelConfigAsync(string modelConfigId, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Get, "model-configs/" + Segment(modelConfigId, nameof(modelConfigId)), null, WorkflowJsonContext.Default.ModelConfig, cancellationToken);

    /// <summary>Reads every config registered to a project (<c>GET /projects/{id}/configs</c>).</summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public async Task<IReadOnlyList<ProjectModelConfig>> ListProjectModelConfigsAsync(string projectId, CancellationToken cancellationToken = default) =>
        await SendJsonAsync(HttpMethod.Get, "projects/" + Segment(projectId, nameof(projectId)) + "/configs", null,
            WorkflowJsonContext.Default.ListProjectModelConfig, cancellationToken).ConfigureAwait(false);
}
