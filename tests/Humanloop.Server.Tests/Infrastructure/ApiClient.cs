using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Humanloop.Server.Hosting;

namespace Humanloop.Server.Tests.Infrastructure;

/// <summary>A status and a parsed JSON body (null when the body is empty).</summary>
public sealed record ApiResponse(HttpStatusCode Status, JsonNode? Body, HttpResponseHeaders Headers, string Text)
{
    public JsonObject Object => Body as JsonObject ?? throw new Xunit.Sdk.XunitException($"Expected a JSON object, got HTTP {(int)Status}: {Text}");

    public JsonArray Array => Body as JsonArray ?? throw new Xunit.Sdk.XunitException($"Expected a JSON array, got HTTP {(int)Status}: {Text}");

    public ApiResponse ShouldBe(HttpStatusCode expected)
    {
        Assert.True(Status == expected, $"Expected HTTP {(int)expected}, got {(int)Status}: {Text}");
        return this;
    }
}

/// <summary>A thin HTTP client for the v4 API, speaking raw JSON so tests check the wire, not a model.</summary>
public sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;

    public ApiClient(RunningServer server, string? apiKey)
    {
        _http = new HttpClient { BaseAddress = new Uri(server.ApiUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            _http.DefaultRequestHeaders.Add("X-API-KEY", apiKey);
        }
    }

    public HttpClient Http => _http;

    public Task<ApiResponse> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null);

    public Task<ApiResponse> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path, null);

    public Task<ApiResponse> PostAsync(string path, JsonNode? body) => SendAsync(HttpMethod.Post, path, body);

    public Task<ApiResponse> PatchAsync(string path, JsonNode? body) => SendAsync(HttpMethod.Patch, path, body);

    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, JsonNode? body)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new ApiResponse(response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response.Headers, text);
    }

    /// <summary>Posts and returns the raw response text (for SSE bodies).</summary>
    public async Task<(HttpResponseMessage Response, string Text)> PostRawAsync(string path, JsonNode body)
    {
        var response = await _http.PostAsync(path.TrimStart('/'), new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        return (response, await response.Content.ReadAsStringAsync());
    }

    // Shortcuts for the setup most tests need.

    public async Task<JsonObject> CreateProjectAsync(string name) =>
        (await PostAsync("projects", new JsonObject { ["name"] = name })).ShouldBe(HttpStatusCode.Created).Object;

    public async Task<JsonObject> RegisterConfigAsync(string projectId, string template, double temperature = 1, string model = "mock-model", JsonObject? extra = null)
    {
        var body = new JsonObject
        {
            ["project_id"] = projectId,
            ["provider"] = "mock",
            ["model"] = model,
            ["prompt_template"] = template,
            ["temperature"] = temperature,
        };
        foreach (var (key, value) in extra ?? [])
        {
            body[key] = value?.DeepClone();
        }

        return (await PostAsync("model-configs", body)).ShouldBe(HttpStatusCode.OK).Object;
    }

    public void Dispose() => _http.Dispose();
}

public static class Names
{
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
