using System.Diagnostics;
using System.Net;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Http;

namespace Humanloop.Server.Providers;

/// <summary>Where the OpenAI-compatible providers send requests, from the server's configuration.</summary>
internal sealed record OpenAiSettings(string BaseUrl, string? ApiKey, string? AzureEndpoint, string? AzureApiKey)
{
    public const string DefaultBaseUrl = "https://api.openai.com/v1";
    public const string AzureApiVersion = "2024-06-01";

    private const string Redacted = "[redacted]";

    /// <summary>
    /// Text from upstream (an error message, a body that is not JSON) with every provider key this call could have
    /// sent replaced: the server's own keys, and the request's. Upstream errors sometimes quote the key they got.
    /// </summary>
    public string Scrub(string text, ProviderKeys keys)
    {
        foreach (var key in new[] { ApiKey, AzureApiKey, keys.OpenAi, keys.OpenAiAzure })
        {
            if (!string.IsNullOrEmpty(key) && text.Contains(key, StringComparison.Ordinal))
            {
                text = text.Replace(key, Redacted, StringComparison.Ordinal);
            }
        }

        return text;
    }
}

/// <summary>
/// Forwards a conversation (a completion's prompt is one user message) to an OpenAI-compatible
/// <c>/chat/completions</c> endpoint (OpenAI, Azure OpenAI, Ollama, vLLM, llama.cpp) and maps the
/// answer back to v4 terms. Keys travel only in request headers; they are never stored, logged or
/// copied into the recorded provider request.
/// </summary>
internal sealed class OpenAiProvider(HttpClient http, OpenAiSettings settings, bool azure) : IModelProvider
{
    private string Origin => azure ? "Azure OpenAI" : "OpenAI";

    public async Task<ProviderGeneration> GenerateAsync(ProviderCall call, CancellationToken cancellationToken)
    {
        var body = BuildBody(call, stream: false);
        var stopwatch = Stopwatch.StartNew();
        using var response = await SendAsync(call, body, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        stopwatch.Stop();

        var json = ParseUpstream(call, text);
        var usage = json["usage"] as JsonObject;
        var promptTokens = (int?)usage?["prompt_tokens"] ?? EstimatePromptTokens(call);
        var samples = new List<GeneratedSample>();
        foreach (var choice in (json["choices"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var localIndex = (int?)choice["index"] ?? samples.Count;
            if (localIndex < 0 || localIndex >= call.SampleIndices.Count)
            {
                continue;
            }

            var message = choice["message"] as JsonObject;
            var content = TextOrEmpty(message?["content"]);
            var toolCalls = (message?["tool_calls"] as JsonArray ?? []).OfType<JsonObject>().Select(ReadToolCall).ToList();
            var tokens = GenerationTokens(call, usage, MockGenerator.CountTokens(content) + toolCalls.Sum(t => MockGenerator.CountTokens(t.Function.Arguments)));
            samples.Add(new GeneratedSample(call.SampleIndices[localIndex], content, toolCalls, MapFinishReason((string?)choice["finish_reason"]), tokens));
        }

        return new ProviderGeneration(samples.OrderBy(s => s.Index).ToList(), promptTokens, body, json, stopwatch.Elapsed.TotalSeconds);
    }

    public async Task<IProviderStream> OpenStreamAsync(ProviderCall call, CancellationToken cancellationToken)
    {
        var body = BuildBody(call, stream: true);
        var response = await SendAsync(call, body, cancellationToken);
        return new OpenAiStream(call, body, response, Origin, text => settings.Scrub(text, call.Keys));
    }

    /// <summary>OpenAI reports tool calls as <c>tool_calls</c>; Humanloop used the singular.</summary>
    public static string MapFinishReason(string? upstream) => upstream switch
    {
        null => "stop",
        "tool_calls" or "function_call" => "tool_call",
        _ => upstream,
    };

    /// <summary>Without usage from upstream, prompt tokens are the words of the messages.</summary>
    private static int EstimatePromptTokens(ProviderCall call) => call.Conversation.Messages.Sum(m => MockGenerator.CountTokens(m.Text));

    /// <summary>
    /// A sample's generated tokens. With one sample upstream's <c>completion_tokens</c> is exact; with
    /// several it is only their total, so each sample gets <paramref name="estimate"/> instead.
    /// </summary>
    private static int GenerationTokens(ProviderCall call, JsonObject? usage, int estimate) =>
        call.SampleIndices.Count == 1 && usage?["completion_tokens"] is { } exact ? (int)exact : estimate;

    /// <summary>A message's or delta's <c>content</c>: null when it holds tool calls, so read as empty.</summary>
    private static string TextOrEmpty(JsonNode? content) =>
        content is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : "";

    private static ToolCall ReadToolCall(JsonObject call)
    {
        var function = call["function"] as JsonObject;
        return ToolCall.Of((string?)call["id"] ?? "", (string?)function?["name"] ?? "", (string?)function?["arguments"] ?? "");
    }

    private JsonObject BuildBody(ProviderCall call, bool stream)
    {
        var config = call.Config;
        var conversation = call.Conversation;
        var body = new JsonObject
        {
            ["model"] = config.Model,
            // Our message shape is OpenAI's: role, content, and name, tool_call_id, tool_calls when set.
            ["messages"] = ChatMessage.ToJson(conversation.Messages),
            ["temperature"] = config.Temperature,
            ["top_p"] = config.TopP,
            ["presence_penalty"] = config.PresencePenalty,
            ["frequency_penalty"] = config.FrequencyPenalty,
            ["n"] = call.SampleIndices.Count,
            ["stream"] = stream,
        };

        // -1 means "as many as the model allows": OpenAI expresses that by leaving the field out.
        if (config.MaxTokens > 0)
        {
            body["max_tokens"] = config.MaxTokens;
        }

        if (config.Stop is not null)
        {
            body["stop"] = config.Stop.DeepClone();
        }

        if ((config.Seed ?? call.RequestSeed) is { } seed)
        {
            body["seed"] = seed;
        }

        if (conversation.ResponseFormat is not null)
        {
            body["response_format"] = conversation.ResponseFormat.DeepClone();
        }

        // OpenAI rejects tool_choice without tools, so it goes only with them.
        if (conversation.Tools.Count > 0)
        {
            body["tools"] = new JsonArray(conversation.Tools.Select(FunctionTool).ToArray());
            if (conversation.ToolChoice is { } choice)
            {
                body["tool_choice"] = choice.ToJson();
            }
        }

        if (call.User is not null)
        {
            body["user"] = call.User;
        }

        if (stream)
        {
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        foreach (var (key, value) in config.Other)
        {
            if (key != MockProvider.TokenDelayOption)
            {
                body[key] = value?.DeepClone();
            }
        }

        return body;
    }

    private static JsonNode FunctionTool(ToolDefinition tool)
    {
        var function = new JsonObject { ["name"] = tool.Name };
        if (tool.Description is not null)
        {
            function["description"] = tool.Description;
        }

        if (tool.Parameters is not null)
        {
            function["parameters"] = tool.Parameters.DeepClone();
        }

        if (tool.Strict is { } strict)
        {
            function["strict"] = strict;
        }

        return new JsonObject { ["type"] = ToolCall.FunctionType, ["function"] = function };
    }

    private async Task<HttpResponseMessage> SendAsync(ProviderCall call, JsonObject body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, RequestUri(call))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };

        if (azure)
        {
            if ((call.Keys.OpenAiAzure ?? settings.AzureApiKey) is { } azureKey)
            {
                request.Headers.Add("api-key", azureKey);
            }
        }
        else if ((call.Keys.OpenAi ?? settings.ApiKey) is { } key)
        {
            // Local model servers (Ollama, llama.cpp) need no key, so none is sent when none is known.
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw ProviderError(call, HttpStatusCode.BadGateway, "provider_connection_error", $"Could not reach the {Origin} endpoint: {ex.Message}", 502, null);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            throw UpstreamError(call, response, text);
        }
    }

    /// <summary>Checks what a call needs before anything is written: an Azure call needs an endpoint (a 422 otherwise).</summary>
    public void CheckCallable(ProviderKeys keys)
    {
        if (azure)
        {
            _ = AzureEndpoint(keys);
        }
    }

    private string AzureEndpoint(ProviderKeys keys) => keys.OpenAiAzureEndpoint ?? settings.AzureEndpoint
        ?? throw ValidationErrors.Single(["body", "provider_api_keys", "openai_azure_endpoint"],
            "an Azure OpenAI endpoint is required: send provider_api_keys.openai_azure_endpoint or set HUMANLOOP_SERVER_AZURE_OPENAI_ENDPOINT");

    private Uri RequestUri(ProviderCall call)
    {
        if (!azure)
        {
            return new Uri(settings.BaseUrl.TrimEnd('/') + "/chat/completions");
        }

        var endpoint = AzureEndpoint(call.Keys);
        if (!endpoint.Contains("://", StringComparison.Ordinal))
        {
            endpoint = "https://" + endpoint;
        }

        return new Uri($"{endpoint.TrimEnd('/')}/openai/deployments/{Uri.EscapeDataString(call.Config.Model)}/chat/completions?api-version={OpenAiSettings.AzureApiVersion}");
    }

    /// <summary>
    /// Maps an upstream failure to the documented provider-error shape. 429 stays 429 (with its
    /// retry hints) so clients back off; upstream 5xx becomes 502; other 4xx (bad provider key,
    /// unknown model) become 400, so they are not mistaken for a problem with the Humanloop key.
    /// </summary>
    private ApiException UpstreamError(ProviderCall call, HttpResponseMessage response, string text)
    {
        var upstreamStatus = (int)response.StatusCode;
        string? message = null;
        string? type = null;
        try
        {
            if (JsonNode.Parse(text) is JsonObject json && json["error"] is JsonObject error)
            {
                message = (string?)error["message"];
                type = (string?)error["type"];
            }
        }
        catch (JsonException)
        {
            // A proxy's HTML page or plain text: the raw text is the message.
        }

        message ??= string.IsNullOrWhiteSpace(text) ? $"{Origin} returned HTTP {upstreamStatus}" : text.Trim();
        var status = upstreamStatus switch
        {
            429 => HttpStatusCode.TooManyRequests,
            >= 500 => HttpStatusCode.BadGateway,
            _ => HttpStatusCode.BadRequest,
        };

        var headers = new Dictionary<string, string>();
        if (upstreamStatus == 429)
        {
            foreach (var name in new[] { "Retry-After", "retry-after-ms" })
            {
                if (response.Headers.TryGetValues(name, out var values))
                {
                    headers[name] = string.Join(",", values);
                }
            }
        }

        return ProviderError(call, status, type ?? "provider_error", message, upstreamStatus, headers);
    }

    private ApiException ProviderError(ProviderCall call, HttpStatusCode status, string type, string message, int code, Dictionary<string, string>? headers) =>
        ProviderError(Origin, status, settings.Scrub(type, call.Keys), settings.Scrub(message, call.Keys), code, headers);

    private static ApiException ProviderError(string origin, HttpStatusCode status, string type, string message, int code, Dictionary<string, string>? headers) =>
        new((int)status, new JsonObject { ["type"] = type, ["message"] = message, ["code"] = code, ["origin"] = origin }, headers);

    private ApiException MalformedUpstream(ProviderCall call, string text) =>
        ProviderError(call, HttpStatusCode.BadGateway, "provider_response_error", $"{Origin} returned a body that is not JSON: {Truncate(settings.Scrub(text, call.Keys))}", 502, null);

    private JsonObject ParseUpstream(ProviderCall call, string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw MalformedUpstream(call, text);
        }
        catch (JsonException)
        {
            throw MalformedUpstream(call, text);
        }
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";

    /// <summary>
    /// Reads the upstream SSE stream. Each sample's final piece is held back until the upstream
    /// stream ends, because usage (requested with <c>stream_options.include_usage</c>) arrives after
    /// the last choice finished; servers that never send usage get counted chunks instead. Upstream
    /// tool-call deltas are keyed by their index and carry id and name only on the first; ours
    /// repeat both on every delta.
    /// </summary>
    private sealed class OpenAiStream(ProviderCall call, JsonObject body, HttpResponseMessage response, string origin, Func<string, string> scrub) : IProviderStream
    {
        private readonly Dictionary<int, int> _chunkCounts = new();
        private readonly Dictionary<(int Choice, int Call), (string Id, string Name)> _toolCalls = new();
        private readonly Dictionary<int, string> _finishReasons = new();
        private JsonObject? _usage;
        private string? _id;
        private string? _model;

        public JsonObject ProviderRequest => body;

        public int PromptTokens => (int?)_usage?["prompt_tokens"] ?? EstimatePromptTokens(call);

        public JsonNode ProviderResponse => new JsonObject
        {
            ["id"] = _id,
            ["object"] = "chat.completion.chunk",
            ["model"] = _model,
            ["choices"] = new JsonArray(_finishReasons.OrderBy(p => p.Key).Select(p => (JsonNode)new JsonObject
            {
                ["index"] = p.Key,
                ["finish_reason"] = p.Value,
            }).ToArray()),
            ["usage"] = _usage?.DeepClone(),
        };

        public async IAsyncEnumerable<StreamDelta> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            // Comments (keep-alives) and id, event and retry fields are the parser's business. Each
            // event's data is a JSON chunk but for OpenAI's closing [DONE]; data that is not a JSON
            // object is skipped, and an error object ends the stream as a provider error.
            await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
            {
                var payload = item.Data.Trim();
                if (payload == "[DONE]")
                {
                    break;
                }

                JsonObject? chunk;
                try
                {
                    chunk = JsonNode.Parse(payload) as JsonObject;
                }
                catch (JsonException)
                {
                    continue;
                }

                if (chunk is null)
                {
                    continue;
                }

                // An error after the first event cannot be an HTTP status any more; the streamer
                // hands it on as an error event.
                if (chunk["error"] is JsonObject error)
                {
                    throw ProviderError(origin, HttpStatusCode.BadGateway, scrub((string?)error["type"] ?? "provider_error"),
                        scrub((string?)error["message"] ?? $"{origin} reported an error mid-stream."), 502, null);
                }

                _id ??= (string?)chunk["id"];
                _model ??= (string?)chunk["model"];
                if (chunk["usage"] is JsonObject usage)
                {
                    _usage = usage;
                }

                foreach (var choice in (chunk["choices"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    var localIndex = (int?)choice["index"] ?? 0;
                    if (localIndex < 0 || localIndex >= call.SampleIndices.Count)
                    {
                        continue;
                    }

                    var delta = choice["delta"] as JsonObject;
                    var text = TextOrEmpty(delta?["content"]);
                    var toolCalls = (delta?["tool_calls"] as JsonArray ?? []).OfType<JsonObject>().Select(d => ToolCallDelta(localIndex, d)).ToList();
                    if (text.Length > 0 || toolCalls.Count > 0)
                    {
                        _chunkCounts[localIndex] = _chunkCounts.GetValueOrDefault(localIndex) + 1;
                        yield return new StreamDelta(call.SampleIndices[localIndex], text, toolCalls, null, null);
                    }

                    if (choice["finish_reason"] is JsonValue finish && finish.GetValueKind() == JsonValueKind.String)
                    {
                        _finishReasons[localIndex] = MapFinishReason(finish.GetValue<string>());
                    }
                }
            }

            // Samples the upstream never finished stay unfinished: the client sees a truncated stream.
            foreach (var (localIndex, finishReason) in _finishReasons.OrderBy(p => p.Key))
            {
                yield return new StreamDelta(call.SampleIndices[localIndex], "", [], finishReason, GenerationTokens(call, _usage, _chunkCounts.GetValueOrDefault(localIndex)));
            }
        }

        private ToolCall ToolCallDelta(int choice, JsonObject delta)
        {
            var key = (choice, (int?)delta["index"] ?? 0);
            var function = delta["function"] as JsonObject;
            var (id, name) = _toolCalls.TryGetValue(key, out var known) ? known : ("", "");
            // Servers that leave out the id still need one per call, stable across its deltas.
            id = (string?)delta["id"] is { Length: > 0 } sentId ? sentId : id.Length > 0 ? id : $"call_{choice}_{key.Item2}";
            name = (string?)function?["name"] is { Length: > 0 } sentName ? sentName : name;
            _toolCalls[key] = (id, name);
            return ToolCall.Of(id, name, (string?)function?["arguments"] ?? "");
        }

        public ValueTask DisposeAsync()
        {
            response.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
