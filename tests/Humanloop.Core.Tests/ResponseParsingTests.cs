using System.Collections;
using System.Collections.Specialized;
using System.Net;
using Humanloop.Http;
using Humanloop.Json;
using Humanloop.Tests.Support;
using Xunit;

namespace Humanloop.Tests;

public class ResponseParsingTests
{
    private static async Task<CompletionResponse> Complete(string body)
    {
        var client = TestClients.Create(new ScriptedHandler().ThenRespond(HttpStatusCode.OK, body));
        return await client.CompleteAsync(new CompletionDeployedRequest { ProjectId = "pr_1" });
    }

    [Fact]
    public async Task The_documented_example_response_parses_into_typed_objects()
    {
        var response = await Complete(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "completion-response.json")));

        Assert.Equal("pr_eJgRt5K1zivoFgHVlRnFv", response.ProjectId);
        Assert.Equal("sesh_YuzHoIpqfcs15KoDmfuGb", response.SessionId);
        Assert.Equal("jordan@humanloop.com", response.User);
        var item = Assert.Single(response.Data);
        Assert.Equal("data_hdsujCtCep4W5L7XwYpnn", item.Id);
        Assert.Equal(0, item.Index);
        Assert.Equal("stop", item.FinishReason);
        Assert.Equal("prv_AkObw2O2rquayfWHyJbqw", item.ModelConfigId);
        Assert.StartsWith("There once was an AI so keen", item.Output);
        Assert.Equal(item.Output, response.Output);
        Assert.Equal("AI", item.Inputs!["topic"]);
        Assert.Empty(item.ToolResults!);
        Assert.Equal((14, 36, 50), (response.Usage!.PromptTokens, response.Usage.GenerationTokens, response.Usage.TotalTokens));
        Assert.Null(response.Usage.ReasoningTokens);
        Assert.Null(response.Metadata);

        // Free-form JSON arrives as plain dictionaries and arrays, never JsonElement.
        var providerResponse = Assert.IsType<OrderedDictionary>(Assert.Single(response.ProviderResponses));
        var choices = Assert.IsType<object[]>(providerResponse["choices"]);
        var message = Assert.IsType<OrderedDictionary>(((IDictionary)choices[0]!)["message"]);
        Assert.Equal("assistant", message["role"]);
        Assert.Equal(1716591324L, providerResponse["created"]);
        Assert.Equal(0.7, response.ProviderRequest!["temperature"]);
        Assert.Equal("gpt-4o", response.ProviderRequest!["MODEL"]);
        Assert.Equal(1, response.Attempts);
    }

    [Fact]
    public async Task Reasoning_tokens_and_unknown_fields_are_tolerated()
    {
        var response = await Complete("""
            {"data":[{"id":"data_1","index":0,"output":"a","raw_output":" a ","inputs":{},"model_config_id":"c","brand_new":1}],
             "usage":{"prompt_tokens":1,"generation_tokens":2,"total_tokens":4,"reasoning_tokens":1},
             "provider_responses":[],"another_new_field":{"x":1}}
            """);

        Assert.Equal(1, response.Usage!.ReasoningTokens);
        Assert.Equal(" a ", response.Data[0].RawOutput);
    }

    [Fact]
    public async Task Several_samples_leave_the_output_shortcut_empty()
    {
        var response = await Complete("""
            {"data":[{"id":"d0","index":0,"output":"a","raw_output":"a","inputs":{},"model_config_id":"c"},
                     {"id":"d1","index":1,"output":"b","raw_output":"b","inputs":{},"model_config_id":"c"}],
             "provider_responses":[]}
            """);

        Assert.Null(response.Output);
        Assert.Equal(new[] { "a", "b" }, response.Data.Select(item => item.Output));
        Assert.Equal("a\nb", response.ToString());
    }

    [Theory]
    [InlineData("", "empty body")]
    [InlineData("null", "JSON null")]
    [InlineData("{\"data\": [ {\"id\": ", "malformed JSON")]
    [InlineData("{\"data\": \"not an array\"}", "malformed JSON")]
    public async Task An_unreadable_success_body_is_a_clear_error(string body, string expected)
    {
        var error = await Assert.ThrowsAsync<HumanloopResponseException>(() => Complete(body));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task A_null_data_item_is_an_error_not_a_result_that_breaks_later()
    {
        var error = await Assert.ThrowsAsync<HumanloopResponseException>(() => Complete("""{"data":[null],"provider_responses":[]}"""));

        Assert.Contains("data[0] is null", error.Message);
        Assert.Equal("""{"data":[null],"provider_responses":[]}""", error.RawBody);
    }

    [Fact]
    public async Task A_string_that_is_no_valid_text_is_malformed_json()
    {
        var error = await Assert.ThrowsAsync<HumanloopResponseException>(() => Complete("""{"data":[],"provider_responses":[],"metadata":{"a":"\ud800"}}"""));

        Assert.Contains("malformed JSON", error.Message);
    }

    [Fact]
    public async Task An_html_page_with_status_200_is_reported_as_html()
    {
        var client = TestClients.Create(new ScriptedHandler().ThenRespond(HttpStatusCode.OK, "<html><title>Login</title></html>", "text/html"));

        var error = await Assert.ThrowsAsync<HumanloopResponseException>(() => client.CompleteAsync(new CompletionDeployedRequest()));

        Assert.Contains("text/html", error.Message);
        Assert.Equal("<html><title>Login</title></html>", error.RawBody);
    }

    [Fact]
    public void Json_objects_whose_names_differ_only_by_case_keep_every_member()
    {
        var reader = new System.Text.Json.Utf8JsonReader("""{"a":1,"A":2}"""u8);
        reader.Read();

        var result = FreeFormJson.ReadObject(ref reader);

        Assert.Equal(2, result.Count);
        Assert.Equal(1L, result["a"]);
        Assert.Equal(2L, result["A"]);
    }

    [Fact]
    public void Json_objects_are_case_insensitive_otherwise()
    {
        var reader = new System.Text.Json.Utf8JsonReader("""{"Topic":"x","n":1.5e3}"""u8);
        reader.Read();

        var result = FreeFormJson.ReadObject(ref reader);

        Assert.Equal("x", result["topic"]);
        Assert.Equal(1500.0, result["n"]);
    }
}

public class ErrorResponseTests
{
    private static async Task<HumanloopApiException> Fail(HttpStatusCode status, string body, string contentType = "application/json", Action<System.Net.Http.Headers.HttpResponseHeaders>? headers = null)
    {
        var client = TestClients.Create(new ScriptedHandler().ThenRespond(status, body, contentType, headers), maxRetries: 0);
        return await Assert.ThrowsAsync<HumanloopApiException>(() => client.CompleteAsync(new CompletionDeployedRequest()));
    }

    [Fact]
    public async Task Validation_errors_keep_every_location_and_message()
    {
        var error = await Fail((HttpStatusCode)422, """
            {"detail":[{"loc":["body","inputs","topic"],"msg":"field required","type":"value_error.missing"},
                       {"loc":["body","num_samples",0],"msg":"value is not a valid integer","type":"type_error.integer"}]}
            """);

        Assert.Equal(422, (int)error.StatusCode);
        Assert.Collection(
            error.Detail.ValidationErrors,
            first => Assert.Equal(("body.inputs.topic", "field required", "value_error.missing"), (first.Location, first.Message, first.Type)),
            second => Assert.Equal(("body.num_samples.0", "value is not a valid integer"), (second.Location, second.Message)));
        Assert.Contains("body.inputs.topic: field required; body.num_samples.0: value is not a valid integer", error.Message);
    }

    [Fact]
    public async Task A_provider_error_keeps_origin_message_type_and_code()
    {
        var error = await Fail(HttpStatusCode.BadRequest, """
            {"detail":{"type":"unprocessable_entity_error","message":"Invalid API key provided","code":401,"origin":"OpenAI"}}
            """);

        var provider = error.Detail.ProviderError!;
        Assert.Equal(("OpenAI", "Invalid API key provided", "unprocessable_entity_error", "401"), (provider.Origin, provider.Message, provider.Type, provider.Code));
        Assert.Equal("OpenAI: Invalid API key provided (unprocessable_entity_error, code 401)", error.Detail.Message);
    }

    [Theory]
    [InlineData("""{"detail":"Project pr_x not found"}""", "Project pr_x not found")]
    [InlineData("""{"error":{"message":"Rate limit reached","type":"rate_limit"}}""", "Rate limit reached")]
    [InlineData("""{"message":"Internal failure"}""", "Internal failure")]
    public async Task Other_json_shapes_give_their_message(string body, string message)
    {
        var error = await Fail(HttpStatusCode.NotFound, body);

        Assert.Contains(message, error.Detail.Message);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public async Task An_error_body_whose_strings_are_no_valid_text_is_still_an_api_error()
    {
        var client = TestClients.Create(new ScriptedHandler().Then((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.BadRequest)
        {
            Content = new ByteArrayContent([.. "{\"detail\":\""u8, 0xFF, .. "\"}"u8]),
        })), maxRetries: 0);

        var error = await Assert.ThrowsAsync<HumanloopApiException>(() => client.CompleteAsync(new CompletionDeployedRequest()));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Contains("not JSON", error.Detail.Message);
    }

    [Fact]
    public async Task A_proxy_html_page_is_described_by_its_title()
    {
        var error = await Fail(HttpStatusCode.BadGateway, "<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>", "text/html");

        Assert.Contains("text/html", error.Detail.Message);
        Assert.Contains("502 Bad Gateway", error.Detail.Message);
        Assert.StartsWith("<html>", error.Detail.RawBody);
    }

    [Fact]
    public async Task An_empty_error_body_still_names_the_status()
    {
        var error = await Fail(HttpStatusCode.ServiceUnavailable, string.Empty);

        Assert.Equal("The server answered 503 Service Unavailable.", error.Message);
    }

    [Theory]
    [InlineData("retry-after-ms", "1500", 1.5)]
    [InlineData("x-ms-retry-after-ms", "250", 0.25)]
    [InlineData("Retry-After", "7", 7)]
    public async Task Wait_hints_are_read_in_each_form(string header, string value, double seconds)
    {
        var error = await Fail((HttpStatusCode)429, "{}", headers: h => h.TryAddWithoutValidation(header, value));

        Assert.Equal(TimeSpan.FromSeconds(seconds), error.RetryAfter);
    }

    [Fact]
    public void Retry_after_as_an_http_date_is_the_time_until_then_and_never_negative()
    {
        var now = new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
        using var future = new System.Net.Http.HttpResponseMessage();
        future.Headers.TryAddWithoutValidation("Retry-After", now.AddSeconds(30).ToString("R"));
        using var past = new System.Net.Http.HttpResponseMessage();
        past.Headers.TryAddWithoutValidation("Retry-After", now.AddSeconds(-30).ToString("R"));

        Assert.Equal(TimeSpan.FromSeconds(30), ErrorResponseParser.ReadRetryAfter(future.Headers, now));
        Assert.Equal(TimeSpan.Zero, ErrorResponseParser.ReadRetryAfter(past.Headers, now));
    }
}
