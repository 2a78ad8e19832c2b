using System.Collections;
using System.Text;
using Humanloop.Tests.Support;
using Xunit;

namespace Humanloop.Tests;

/// <summary>Each operation sends the spec's field names, snake_case, with unset fields left out.</summary>
public class RequestSerializationTests
{
    private static string Json(GenerationRequest request, bool stream = false) => Encoding.UTF8.GetString(HumanloopClient.Serialize(request, stream));

    [Fact]
    public void Completion_request_with_inline_config_uses_spec_names_and_omits_unset_fields()
    {
        var request = new CompletionRequest
        {
            Project = "limerick",
            Inputs = new Hashtable { ["topic"] = "AI" },
            ModelConfig = new ModelConfigCompletionRequest
            {
                Model = "gpt-4o",
                Endpoint = "complete",
                PromptTemplate = "write a limerick about {{topic}}",
                MaxTokens = 50,
                TopP = 0.9,
                Stop = ["\n\n"],
            },
        };

        Assert.Equal(
            """{"model_config":{"prompt_template":"write a limerick about {{topic}}","model":"gpt-4o","max_tokens":50,"top_p":0.9,"stop":["\n\n"],"endpoint":"complete"},"project":"limerick","inputs":{"topic":"AI"}}""",
            Json(request));
    }

    [Fact]
    public void Every_shared_field_has_its_spec_name()
    {
        var request = new CompletionModelConfigRequest
        {
            ModelConfigId = "config_1",
            Project = "p",
            ProjectId = "pr_1",
            SessionId = "sesh_1",
            SessionReferenceId = "s-ref",
            ParentId = "data_parent",
            ParentReferenceId = "p-ref",
            Inputs = new Hashtable(),
            Source = "tests",
            Metadata = new Hashtable { ["run"] = 7 },
            Save = false,
            SourceDatapointId = "dp_1",
            ProviderApiKeys = new() { ["openai"] = "sk-x" },
            NumSamples = 3,
            User = "jordan",
            Seed = 42,
            ReturnInputs = false,
            Logprobs = 2,
            Suffix = "end",
        };

        var json = Json(request, stream: true);

        foreach (var name in new[]
                 {
                     "model_config_id", "project", "project_id", "session_id", "session_reference_id", "parent_id",
                     "parent_reference_id", "inputs", "source", "metadata", "save", "source_datapoint_id",
                     "provider_api_keys", "num_samples", "stream", "user", "seed", "return_inputs", "logprobs", "suffix",
                 })
        {
            Assert.Contains($"\"{name}\":", json);
        }

        Assert.Contains("\"save\":false", json);
        Assert.Contains("\"return_inputs\":false", json);
        Assert.Contains("\"provider_api_keys\":{\"openai\":\"sk-x\"}", json);
    }

    [Fact]
    public void Deployed_request_carries_only_environment_besides_what_was_set()
    {
        Assert.Equal("""{"environment":"staging","project_id":"pr_1"}""", Json(new CompletionDeployedRequest { ProjectId = "pr_1", Environment = "staging" }));
    }

    [Fact]
    public void Experiment_request_carries_experiment_id()
    {
        Assert.Equal(
            """{"experiment_id":"exp_1","project_id":"pr_1","inputs":{"topic":"AI"}}""",
            Json(new CompletionExperimentRequest { ExperimentId = "exp_1", ProjectId = "pr_1", Inputs = new Hashtable { ["topic"] = "AI" } }));
    }

    [Fact]
    public async Task The_client_sets_stream_from_the_call_and_leaves_the_request_unchanged()
    {
        var handler = new ScriptedHandler()
            .ThenRespond(System.Net.HttpStatusCode.OK, """{"data":[],"provider_responses":[]}""")
            .ThenStream(ScriptedBody.Of(TestClients.Event(TestClients.Chunk(0, "x", "stop"))));
        var client = TestClients.Create(handler);
        var request = new CompletionDeployedRequest { ProjectId = "pr_1" };
        var before = Json(request);

        await client.CompleteAsync(request);
        using (var stream = await client.CompleteStreamingAsync(request))
        {
            while (await stream.ReadNextAsync() is not null)
            {
            }
        }

        Assert.DoesNotContain("\"stream\"", handler.Requests[0].Body);
        Assert.Contains("\"stream\":true", handler.Requests[1].Body);
        Assert.Equal(before, Json(request));
    }

    [Fact]
    public void Nested_inputs_keep_their_shape()
    {
        var request = new CompletionDeployedRequest
        {
            Inputs = new Hashtable { ["list"] = new object[] { 1, "two", 3.5, true, null! } },
        };

        Assert.Equal("""{"inputs":{"list":[1,"two",3.5,true,null]}}""", Json(request));
    }

    [Fact]
    public void A_value_without_a_json_form_is_an_error_naming_its_place()
    {
        var request = new CompletionDeployedRequest { Inputs = new Hashtable { ["when"] = new object[] { new Version(1, 2) } } };

        var error = Assert.Throws<HumanloopInputException>(() => Json(request));

        Assert.Contains("$.when[0]", error.Message);
        Assert.Contains("System.Version", error.Message);
    }

    [Fact]
    public void Non_string_keys_are_rejected()
    {
        var request = new CompletionDeployedRequest { Inputs = new Hashtable { [1] = "one" } };

        var error = Assert.Throws<HumanloopInputException>(() => Json(request));

        Assert.Contains("keys must be strings", error.Message);
    }
}
