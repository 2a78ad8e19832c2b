using System.Net;
using System.Text.Json.Nodes;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

public sealed class AuthAndRoutingTests(InMemoryServerFixture fixture) : IClassFixture<InMemoryServerFixture>
{
    [Theory]
    [InlineData(null, "Missing API key")]
    [InlineData("wrong-key-with-a-secret", "Invalid API key")]
    public async Task Requests_without_a_valid_key_are_401_with_a_string_detail_that_does_not_echo_the_key(string? key, string expected)
    {
        using var api = new ApiClient(fixture.Server, key);
        foreach (var (method, path) in new[] { ("GET", "projects"), ("POST", "completion"), ("GET", "logs/data_x"), ("GET", "no-such-route") })
        {
            var response = await api.SendAsync(new HttpMethod(method), path, method == "POST" ? new JsonObject() : null);
            response.ShouldBe(HttpStatusCode.Unauthorized);
            var detail = (string)response.Object["detail"]!;
            Assert.Contains(expected, detail);
            Assert.DoesNotContain("secret", response.Text);
        }
    }

    [Fact]
    public async Task Health_needs_no_key()
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(fixture.Server.BaseUrl + "/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"status\":\"ok\"}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unknown_routes_and_methods_get_json_details()
    {
        var notFound = (await fixture.Api.GetAsync("nothing-here")).ShouldBe(HttpStatusCode.NotFound);
        Assert.Equal("Not Found", (string)notFound.Object["detail"]!);

        var notAllowed = (await fixture.Api.SendAsync(HttpMethod.Put, "projects", new JsonObject())).ShouldBe(HttpStatusCode.MethodNotAllowed);
        Assert.Equal("Method Not Allowed", (string)notAllowed.Object["detail"]!);
    }

    [Fact]
    public async Task Fault_api_is_absent_unless_enabled()
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(fixture.Server.BaseUrl + "/_faults");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
