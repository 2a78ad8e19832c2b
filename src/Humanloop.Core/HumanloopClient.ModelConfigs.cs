using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.Http;
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

    /// <summary>Writes a config as the text of a <c>.prompt</c> file (<c>POST /model-configs/serialize</c>).</summary>
    /// <param name="config">A completion or chat config.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public async Task<string> SerializeModelConfigAsync(ModelConfigRequest config, CancellationToken cancellationToken = default)
    {
        var body = ModelConfigJson.Serialize(config ?? throw new ArgumentNullException(nameof(config)));
        return PromptText(await _pipeline.SendAsync(HttpMethod.Post, "model-configs/serialize", body, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Reads the text of a <c>.prompt</c> file as a config (<c>POST /model-configs/deserialize</c>); nothing is stored.</summary>
    /// <param name="promptText">The <c>.prompt</c> text.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    /// <exception cref="HumanloopApiException">422 when the text is not a config.</exception>
    public Task<ModelConfig> DeserializeModelConfigAsync(string promptText, CancellationToken cancellationToken = default)
    {
        var request = new DeserializeModelConfigRequest { Config = promptText ?? throw new ArgumentNullException(nameof(promptText)) };
        return SendJsonAsync(HttpMethod.Post, "model-configs/deserialize", ToJson(request, WorkflowJsonContext.Default.DeserializeModelConfigRequest, nameof(promptText)),
            WorkflowJsonContext.Default.ModelConfig, cancellationToken);
    }

    /// <summary>Writes a stored config as the text of a <c>.prompt</c> file (<c>POST /model-configs/{id}/export</c>).</summary>
    /// <param name="modelConfigId">The config id (<c>config_…</c>).</param>
    /// <param name="cancellationToken">Stops the request.</param>
    /// <exception cref="HumanloopApiException">404 when there is no such config.</exception>
    public async Task<string> ExportModelConfigAsync(string modelConfigId, CancellationToken cancellationToken = default) =>
        PromptText(await _pipeline.SendAsync(HttpMethod.Post, "model-configs/" + Segment(modelConfigId, nameof(modelConfigId)) + "/export", null, cancellationToken).ConfigureAwait(false));

    /// <summary>Reads every config registered to a project (<c>GET /projects/{id}/configs</c>).</summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public async Task<IReadOnlyList<ProjectModelConfig>> ListProjectModelConfigsAsync(string projectId, CancellationToken cancellationToken = default) =>
        await SendJsonAsync(HttpMethod.Get, "projects/" + Segment(projectId, nameof(projectId)) + "/configs", null,
            WorkflowJsonContext.Default.ListProjectModelConfig, cancellationToken).ConfigureAwait(false);

    // The spec answers .prompt text as a JSON string, and lists text/prompt for export: both are taken.
    private string PromptText(BufferedResponse response) =>
        response.ContentType is { } type && type.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            ? System.Text.Encoding.UTF8.GetString(response.Body)
            : Deserialize(response, WorkflowJsonContext.Default.String);
}
