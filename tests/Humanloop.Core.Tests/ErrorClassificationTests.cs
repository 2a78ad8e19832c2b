using System.Net;
using System.Security.Authentication;
using Humanloop.Tests.Support;
using Xunit;
using static Humanloop.Tests.Support.TestClients;

namespace Humanloop.Tests;

/// <summary>
/// Failures worded for what they mean, and never retried when another attempt cannot help: a 404 on a route
/// that names no object, a TLS handshake that failed, a large body that the server refused or cut off.
/// </summary>
public sealed class ErrorClassificationTests
{
    private static CompletionRequest Completion(string input) => new()
    {
        Project = "errors",
        Inputs = new Dictionary<string, object?> { ["x"] = input },
        ModelConfig = new ModelConfigCompletionRequest { Provider = "mock", Model = "mock-1", PromptTemplate = "{{x}}" },
    };

    [Fact]
    public async Task A_404_on_a_list_route_says_the_base_uri_is_not_a_v4_endpoint()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.NotFound, """{"detail":"Not Found"}""");
        var client = Create(handler);

        var failure = await Assert.ThrowsAsync<HumanloopApiException>(() => client.ListProjectsAsync(1, 10));

        Assert.True(failure.NotAV4Endpoint);
        Assert.Contains("http://127.0.0.1:5080/v4/ does not look like a Humanloop v4 endpoint", failure.Message);
        Assert.Contains("GET projects", failure.Message);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_404_for_a_named_object_stays_a_missing_object()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.NotFound, """{"detail":"Project pr_gone not found"}""");
        var client = Create(handler);

        var failure = await Assert.ThrowsAsync<HumanloopApiException>(() => client.GetProjectAsync("pr_gone"));

        Assert.False(failure.NotAV4Endpoint);
        Assert.Equal("The server answered 404 Not Found: Project pr_gone not found", failure.Message);
    }

    [Fact]
    public async Task A_404_on_a_list_filtered_by_a_missing_object_stays_a_missing_object()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.NotFound, """{"detail":"Project pr_gone not found"}""");
        var client = Create(handler);

        var failure = await Assert.ThrowsAsync<HumanloopApiException>(() => client.ListLogsAsync("pr_gone", 1, 10));

        Assert.False(failure.NotAV4Endpoint);
        Assert.Equal("The server answered 404 Not Found: Project pr_gone not found", failure.Message);
    }

    [Fact]
    public async Task A_failed_tls_handshake_names_the_http_uri_to_try_and_is_not_retried()
    {
        var handler = new ScriptedHandler()
            .ThenThrow(new HttpRequestException("The SSL connection could not be established.", new AuthenticationException("Cannot determine the frame size or a corrupted frame was received.")))
            .ThenRespond(HttpStatusCode.OK, Success);
        var client = Create(handler, configure: options => options.BaseUri = new Uri("https://127.0.0.1:5080/v4"));

        var failure = await Assert.ThrowsAsync<HumanloopConnectionException>(() => client.ListProjectsAsync(1, 10));

        Assert.Equal(HumanloopConnectionProblem.Tls, failure.Problem);
        Assert.Contains("the TLS handshake failed", failure.Message);
        Assert.Contains("try http://127.0.0.1:5080/v4/", failure.Message);
        Assert.Equal(1, failure.Attempts);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_large_body_waits_for_100_continue_and_a_413_names_its_size_without_a_retry()
    {
        var handler = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.RequestEntityTooLarge, """{"detail":"The request body is larger than this server accepts (at most 30.0 MB)."}""")
            .ThenRespond(HttpStatusCode.OK, Success);
        var client = Create(handler);

        var failure = await Assert.ThrowsAsync<HumanloopApiException>(() => client.CompleteAsync(Completion(new string('a', 2_000_000))));

        Assert.Contains("the request body of 2.0 MB is too large for the server at http://127.0.0.1:5080", failure.Message);
        Assert.Contains("at most 30.0 MB", failure.Message);
        Assert.Equal("100-continue", Assert.Single(handler.Requests).Headers["Expect"]);
    }

    [Fact]
    public async Task A_connection_lost_while_sending_a_large_body_names_its_size_and_is_not_retried()
    {
        var handler = new ScriptedHandler()
            .ThenThrow(new HttpRequestException("Error while copying content to a stream.", new IOException("Broken pipe")))
            .ThenRespond(HttpStatusCode.OK, Success);
        var client = Create(handler);

        var failure = await Assert.ThrowsAsync<HumanloopConnectionException>(() => client.CompleteAsync(Completion(new string('a', 2_000_000))));

        Assert.Equal(HumanloopConnectionProblem.BodyTooLarge, failure.Problem);
        Assert.Contains("while the request body of 2.0 MB was being sent", failure.Message);
        Assert.Equal(1, failure.Attempts);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task The_same_failure_with_a_small_body_is_a_lost_connection_and_is_retried()
    {
        var handler = new ScriptedHandler()
            .ThenThrow(new HttpRequestException("Error while copying content to a stream.", new IOException("Broken pipe")))
            .ThenRespond(HttpStatusCode.OK, Success);
        var client = Create(handler);

        await client.CompleteAsync(Completion("small"));

        Assert.Equal(2, handler.Requests.Count);
        Assert.DoesNotContain("Expect", handler.Requests[0].Headers.Keys);
    }
}
