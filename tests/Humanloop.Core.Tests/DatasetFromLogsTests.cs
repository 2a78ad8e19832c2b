using Xunit;

namespace Humanloop.Tests;

/// <summary>Datapoints made from logs, against the real local server.</summary>
public class DatasetFromLogsTests(FaultServerFixture server) : IClassFixture<FaultServerFixture>
{
    [Fact]
    public async Task A_log_becomes_a_datapoint_with_its_inputs()
    {
        var client = new HumanloopClient(new HumanloopClientOptions { BaseUri = server.ApiRoot, ApiKey = new HumanloopApiKey(FaultServerFixture.Key) });
        var completion = await client.CompleteAsync(new CompletionRequest
        {
            Project = "datasets-from-logs",
            Inputs = new System.Collections.Hashtable { ["topic"] = "tides" },
            ModelConfig = new ModelConfigCompletionRequest { Provider = "mock", Model = "mock-1", PromptTemplate = "About {{topic}}." },
        });
        var dataset = await client.CreateDatasetAsync(completion.ProjectId!, new DatasetRequest { Name = "from logs", Description = "logs of the tides prompt" });

        var added = await client.AddDatapointsFromLogsAsync(dataset.Id!, [completion.Data[0].Id!]);

        var datapoint = Assert.Single(added);
        Assert.Equal(dataset.Id, datapoint.DatasetId);
        Assert.Equal("tides", datapoint.Inputs!["topic"]);
        Assert.Equal(1, (await client.GetDatasetAsync(dataset.Id!)).DatapointCount);
    }
}
