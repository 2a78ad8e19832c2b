using System.Net;
using System.Text.Json.Nodes;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

public sealed class EvaluatorTests(InMemoryServerFixture fixture) : IClassFixture<InMemoryServerFixture>
{
    private readonly ApiClient _api = fixture.Api;

    private static JsonObject Definition(string type, string returnType = "boolean", string? code = null, string argumentsType = "target_free")
    {
        var body = new JsonObject
        {
            ["name"] = Names.Unique(type),
            ["description"] = "checks answers",
            ["arguments_type"] = argumentsType,
            ["return_type"] = returnType,
            ["type"] = type,
        };
        if (code is not null)
        {
            body["code"] = code;
        }

        return body;
    }

    private async Task<ApiResponse> Reject(JsonObject body) => (await _api.PostAsync("evaluators", body)).ShouldBe(HttpStatusCode.UnprocessableEntity);

    private static List<string> Locations(ApiResponse response) => response.Object["detail"]!.AsArray().Select(e => e!["loc"]!.ToJsonString()).ToList();

    [Fact]
    public async Task Each_type_is_stored_and_returned_with_the_spec_fields()
    {
        var python = (await _api.PostAsync("evaluators", Definition("python", code: "def evaluator(log):\n    return True"))).ShouldBe(HttpStatusCode.Created).Object;
        Assert.StartsWith("evfn_", (string)python["id"]!);
        Assert.Equal("python", (string)python["type"]!);
        Assert.Equal("target_free", (string)python["arguments_type"]!);
        Assert.Equal("boolean", (string)python["return_type"]!);
        Assert.Equal("checks answers", (string)python["description"]!);
        Assert.StartsWith("def evaluator", (string)python["code"]!);
        foreach (var field in new[] { "model_config", "logging_project" })
        {
            Assert.True(python.ContainsKey(field));
            Assert.Null(python[field]);
        }

        var llm = Definition("llm", "number");
        llm["model_config"] = new JsonObject { ["model"] = "grader", ["prompt_template"] = "Grade {{output}}", ["temperature"] = 0 };
        var stored = (await _api.PostAsync("evaluators", llm)).ShouldBe(HttpStatusCode.Created).Object;
        var config = stored["model_config"]!;
        Assert.StartsWith("config_", (string)config["id"]!);
        Assert.Equal("grader", (string)config["model"]!);
        Assert.Equal("Grade {{output}}", (string)config["prompt_template"]!);
        Assert.Equal(0, (double)config["temperature"]!);
        Assert.Equal("mock", (string)config["provider"]!);

        foreach (var type in new[] { "human", "external" })
        {
            var plain = (await _api.PostAsync("evaluators", Definition(type, "number"))).ShouldBe(HttpStatusCode.Created).Object;
            Assert.Equal(type, (string)plain["type"]!);
            Assert.Null(plain["code"]);
        }

        var listed = (await _api.GetAsync("evaluators")).ShouldBe(HttpStatusCode.OK).Array;
        var ids = listed.Select(e => (string)e!["id"]!).ToList();
        Assert.True(ids.IndexOf((string)python["id"]!) < ids.IndexOf((string)stored["id"]!), "oldest first");
        var got = (await _api.GetAsync($"evaluators/{stored["id"]}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal((string)config["id"]!, (string)got["model_config"]!["id"]!);
    }

    [Fact]
    public async Task Create_reports_every_missing_or_mistyped_field()
    {
        var response = await Reject(new JsonObject { ["name"] = "", ["arguments_type"] = "sometimes", ["type"] = "regex" });
        var locations = Locations(response);
        Assert.Equal(["[\"body\",\"name\"]", "[\"body\",\"arguments_type\"]", "[\"body\",\"return_type\"]", "[\"body\",\"type\"]"], locations);
        Assert.Equal("value_error.any_str.min_length", (string)response.Object["detail"]![0]!["type"]!);
        Assert.Equal("type_error.enum", (string)response.Object["detail"]![1]!["type"]!);
    }

    [Fact]
    public async Task Each_type_gets_what_it_needs()
    {
        Assert.Equal(["[\"body\",\"code\"]"], Locations(await Reject(Definition("python"))));
        Assert.Equal(["[\"body\",\"model_config\"]"], Locations(await Reject(Definition("llm"))));

        var badConfig = Definition("llm");
        badConfig["model_config"] = new JsonObject { ["temperature"] = "hot" };
        Assert.Equal(["[\"body\",\"model_config\",\"model\"]", "[\"body\",\"model_config\",\"temperature\"]"], Locations(await Reject(badConfig)));
    }

    [Theory]
    [InlineData("builtin:contains:refund", "boolean", "target_free")]
    [InlineData("  BUILTIN:Is_Json", "boolean", "target_free")]
    [InlineData("builtin:not-regex:\\bsorry\\b", "boolean", "target_free")]
    [InlineData("builtin:levenshtein<=3:{{target.answer}}", "boolean", "target_required")]
    [InlineData("builtin:levenshtein:{{target.answer}}", "number", "target_required")]
    [InlineData("builtin:rouge_1>=0.5:{{ target.answer }}", "boolean", "target_required")]
    [InlineData("builtin:latency<=2s", "boolean", "target_free")]
    [InlineData("builtin:tokens", "number", "target_free")]
    [InlineData("builtin:words:5..40", "boolean", "target_free")]
    public async Task Builtin_checks_are_python_evaluators_naming_an_expectation(string code, string returnType, string argumentsType)
    {
        var created = (await _api.PostAsync("evaluators", Definition("python", returnType, code, argumentsType))).ShouldBe(HttpStatusCode.Created).Object;
        Assert.Equal(code, (string)created["code"]!);
    }

    [Theory]
    [InlineData("builtin:sentiment", "boolean", "target_free", "code", "unknown built-in check 'sentiment'")]
    [InlineData("builtin:contains", "boolean", "target_free", "code", "needs an argument")]
    [InlineData("builtin:contains<=2:x", "boolean", "target_free", "code", "takes no threshold")]
    [InlineData("builtin:", "boolean", "target_free", "code", "not a built-in check reference")]
    [InlineData("builtin:contains:x", "number", "target_free", "return_type", "gives a boolean")]
    [InlineData("builtin:levenshtein:x", "boolean", "target_free", "return_type", "give it a threshold")]
    [InlineData("builtin:levenshtein<=2:x", "number", "target_free", "return_type", "no threshold")]
    [InlineData("builtin:equals:{{target.answer}}", "boolean", "target_free", "arguments_type", "target_required")]
    public async Task Builtin_references_are_checked(string code, string returnType, string argumentsType, string field, string message)
    {
        var response = await Reject(Definition("python", returnType, code, argumentsType));
        var error = response.Object["detail"]!.AsArray().Single()!;
        Assert.Equal($"[\"body\",\"{field}\"]", error["loc"]!.ToJsonString());
        Assert.Contains(message, (string)error["msg"]!);
    }

    [Fact]
    public async Task Patch_changes_the_fields_given_and_rechecks_the_whole()
    {
        var created = (await _api.PostAsync("evaluators", Definition("python", code: "builtin:contains:refund"))).ShouldBe(HttpStatusCode.Created).Object;
        var id = (string)created["id"]!;

        var patched = (await _api.PatchAsync($"evaluators/{id}", new JsonObject { ["code"] = "builtin:icontains:Refund", ["description"] = "case-blind" }))
            .ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal("builtin:icontains:Refund", (string)patched["code"]!);
        Assert.Equal("case-blind", (string)patched["description"]!);
        Assert.Equal((string)created["name"]!, (string)patched["name"]!);
        Assert.Equal("python", (string)patched["type"]!);

        // The stored check gives a boolean, so a number return type is refused and nothing changes.
        var mismatch = (await _api.PatchAsync($"evaluators/{id}", new JsonObject { ["return_type"] = "number" })).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["[\"body\",\"return_type\"]"], Locations(mismatch));
        Assert.Equal("boolean", (string)(await _api.GetAsync($"evaluators/{id}")).ShouldBe(HttpStatusCode.OK).Object["return_type"]!);

        var mistyped = (await _api.PatchAsync($"evaluators/{id}", new JsonObject { ["code"] = 7 })).ShouldBe(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["[\"body\",\"code\"]"], Locations(mistyped));

        var llm = Definition("llm");
        llm["model_config"] = new JsonObject { ["model"] = "one" };
        var grader = (await _api.PostAsync("evaluators", llm)).ShouldBe(HttpStatusCode.Created).Object;
        var regraded = (await _api.PatchAsync($"evaluators/{grader["id"]}", new JsonObject { ["model_config"] = new JsonObject { ["model"] = "two" } }))
            .ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal("two", (string)regraded["model_config"]!["model"]!);
        Assert.NotEqual((string)grader["model_config"]!["id"]!, (string)regraded["model_config"]!["id"]!);
    }

    [Fact]
    public async Task Delete_and_unknown_ids()
    {
        var created = (await _api.PostAsync("evaluators", Definition("external"))).ShouldBe(HttpStatusCode.Created).Object;
        var id = (string)created["id"]!;
        (await _api.DeleteAsync($"evaluators/{id}")).ShouldBe(HttpStatusCode.NoContent);

        var missing = (await _api.GetAsync($"evaluators/{id}")).ShouldBe(HttpStatusCode.NotFound);
        Assert.Equal($"Evaluator {id} not found", (string)missing.Object["detail"]!);
        (await _api.DeleteAsync($"evaluators/{id}")).ShouldBe(HttpStatusCode.NotFound);
        (await _api.PatchAsync($"evaluators/{id}", new JsonObject { ["name"] = "x" })).ShouldBe(HttpStatusCode.NotFound);
        Assert.DoesNotContain((await _api.GetAsync("evaluators")).ShouldBe(HttpStatusCode.OK).Array, e => (string)e!["id"]! == id);
    }
}
