using System.Net;
using System.Net.Http;
using Humanloop.Tests.Support;
using Xunit;

namespace Humanloop.Tests;

/// <summary>The Evaluations group's requests and answers, byte for byte against the 2024-07-12 spec's names.</summary>
public class EvaluationWireTests
{
    private const string EvaluationJson = """
        {"id":"ev_1","status":"running","config":{"id":"config_1","type":"model","model":"mock-1"},
         "created_at":"2026-11-30T10:00:00Z","updated_at":"2026-11-30T10:00:01Z",
         "evaluators":[{"id":"evfn_1","name":"mentions","description":"","type":"python","arguments_type":"target_free","return_type":"boolean"}],
         "dataset":{"id":"evts_1","name":"cases","datapoint_count":2},"dataset_version_id":"evtsv_1",
         "evaluator_aggregates":[{"model_config_id":"config_1","evaluator_id":"evfn_1","evaluator_version_id":"evfn_1","aggregate_value":0.5}]}
        """;

    [Fact]
    public async Task Create_sends_the_spec_fields_and_an_empty_evaluator_list_when_none_is_given()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.Created, EvaluationJson);
        var client = TestClients.Create(handler);

        var evaluation = await client.CreateEvaluationAsync("pr_1", new CreateEvaluationRequest { ConfigId = "config_1", DatasetId = "evts_1", HumanloopGenerated = false });

        Assert.Equal(HttpMethod.Post, handler.Requests[0].Method);
        Assert.EndsWith("/v4/projects/pr_1/evaluations", handler.Requests[0].Uri.AbsolutePath);
        Assert.Equal("""{"config_id":"config_1","evaluator_ids":[],"dataset_id":"evts_1","hl_generated":false}""", handler.Requests[0].Body);
        Assert.Equal("ev_1", evaluation.Id);
        Assert.Equal("config_1", evaluation.Config!.Id);
        Assert.Equal("mentions", Assert.Single(evaluation.Evaluators).Name);
        Assert.Equal(0.5, Assert.Single(evaluation.EvaluatorAggregates!).AggregateValue);
        Assert.False(evaluation.IsFinished);
    }

    [Fact]
    public async Task Listing_repeats_id_and_reads_a_page()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.OK, $$"""{"records":[{{EvaluationJson}}],"page":0,"size":10,"total":1}""");
        var client = TestClients.Create(handler);

        var page = await client.ListEvaluationsAsync("pr_1", 0, 10, new EvaluationFilter { Ids = ["ev_1", "ev 2"] });

        Assert.Equal("?project_id=pr_1&id=ev_1&id=ev%202&page=0&size=10", handler.Requests[0].Uri.Query);
        Assert.Equal("ev_1", Assert.Single(page.Records).Id);
    }

    [Fact]
    public async Task Datapoint_pages_count_from_one()
    {
        var client = TestClients.Create(new ScriptedHandler());

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ListEvaluationDatapointsAsync("ev_1", 0, 10));
    }

    [Fact]
    public async Task A_datapoint_snapshot_carries_its_log_and_results()
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.OK, """
            {"records":[{"datapoint":{"id":"evtc_1","inputs":{"q":"x"}},"log":{"id":"data_1","output":"yes"},
              "evaluation_results":[{"id":"evr_1","evaluator_id":"evfn_1","evaluator_version_id":"evfn_1","log_id":"data_1","value":true,
                "created_at":"2026-11-30T10:00:00Z","updated_at":"2026-11-30T10:00:00Z"},
               {"id":"evr_2","evaluator_id":"evfn_2","evaluator_version_id":"evfn_2","log_id":"data_1","value":0.25,"error":null,
                "created_at":"2026-11-30T10:00:00Z","updated_at":"2026-11-30T10:00:00Z"}]}],"page":1,"size":10,"total":1}
            """);
        var client = TestClients.Create(handler);

        var page = await client.ListEvaluationDatapointsAsync("ev_1", 1, 10);

        Assert.Equal("?page=1&size=10", handler.Requests[0].Uri.Query);
        var record = Assert.Single(page.Records);
        Assert.Equal("data_1", record.Log!.Id);
        Assert.Equal(true, record.EvaluationResults[0].Value);
        Assert.Equal(0.25, record.EvaluationResults[1].Value);
    }

    [Fact]
    public async Task Status_log_and_result_bodies_use_the_spec_names()
    {
        var handler = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.OK, EvaluationJson)
            .ThenRespond(HttpStatusCode.Created, """{"id":"data_1","project_id":"pr_1"}""")
            .ThenRespond(HttpStatusCode.Created, """{"id":"evr_1","evaluator_id":"evfn_1","evaluator_version_id":"evfn_1","log_id":"data_1","error":"boom","created_at":"2026-11-30T10:00:00Z","updated_at":"2026-11-30T10:00:00Z"}""")
            .ThenRespond(HttpStatusCode.OK, EvaluationJson);
        var client = TestClients.Create(handler);

        await client.UpdateEvaluationStatusAsync("ev_1", EvaluationStatuses.Cancelled);
        var log = await client.LogEvaluationAsync("ev_1", new EvaluationLogRequest
        {
            DatapointId = "evtc_1",
            Log = new LogRequest { Output = "yes", Duration = 0.5, OutputTokens = 3, SourceDatapointId = "evtc_1" },
        });
        var result = await client.AddEvaluationResultAsync("ev_1", new EvaluationResultRequest { LogId = "data_1", EvaluatorId = "evfn_1", Error = "boom" });
        await client.AddEvaluationEvaluatorsAsync("ev_1", ["evfn_2"]);

        Assert.Equal("""{"status":"cancelled"}""", handler.Requests[0].Body);
        Assert.EndsWith("/evaluations/ev_1/status", handler.Requests[0].Uri.AbsolutePath);
        Assert.Equal("""{"datapoint_id":"evtc_1","log":{"source_datapoint_id":"evtc_1","output":"yes","duration":0.5,"output_tokens":3}}""", handler.Requests[1].Body);
        Assert.Equal("data_1", log.Id);
        Assert.Equal("""{"log_id":"data_1","evaluator_id":"evfn_1","error":"boom"}""", handler.Requests[2].Body);
        Assert.Equal("boom", result.Error);
        Assert.Equal("""{"evaluator_ids":["evfn_2"]}""", handler.Requests[3].Body);
        Assert.Equal(HttpMethod.Patch, handler.Requests[3].Method);
    }

    [Fact]
    public async Task A_result_must_be_a_boolean_or_a_number_and_a_status_one_of_the_five()
    {
        var client = TestClients.Create(new ScriptedHandler());

        var result = await Assert.ThrowsAsync<ArgumentException>(() =>
            client.AddEvaluationResultAsync("ev_1", new EvaluationResultRequest { LogId = "data_1", EvaluatorId = "evfn_1", Result = "yes" }));
        var status = await Assert.ThrowsAsync<ArgumentException>(() => client.UpdateEvaluationStatusAsync("ev_1", "done"));

        Assert.Contains("String", result.Message);
        Assert.Contains("'done'", status.Message);
    }
}
