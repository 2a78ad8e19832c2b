using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.PowerShell.Commands;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Evaluations;

/// <summary>
/// The dataset a file stands for. Runs are compared with earlier runs over the same dataset, so a file
/// evaluated again reuses the project's dataset of the same name when it holds exactly the file's
/// datapoints; a changed file becomes a new dataset of that name (its runs compare with each other).
/// </summary>
internal static class EvaluationDataset
{
    public static async Task<string> FindOrCreateAsync(HumanloopClient client, string projectId, string name, string path, IReadOnlyList<DatapointRequest> datapoints, IEvaluationHost host, CancellationToken cancellationToken)
    {
        var wanted = datapoints.Select(Fingerprint).ToList();
        var candidates = (await client.ListDatasetsAsync(projectId, cancellationToken).ConfigureAwait(false))
            .Where(dataset => dataset.Name == name && dataset.DatapointCount == datapoints.Count)
            .OrderByDescending(dataset => dataset.CreatedAt);
        foreach (var candidate in candidates)
        {
            var stored = await ReadAllAsync(client, candidate.Id!, cancellationToken).ConfigureAwait(false);
            if (stored.Select(datapoint => Fingerprint(TestCases.DatasetCases.ToDatapoint(datapoint))).SequenceEqual(wanted))
            {
                host.Verbose($"{path} matches the dataset {candidate.Id} ('{name}'), which is reused.");
                return candidate.Id!;
            }
        }

        var created = await client.CreateDatasetAsync(projectId, new DatasetRequest { Name = name, Description = $"From {System.IO.Path.GetFileName(path)}" }, cancellationToken).ConfigureAwait(false);
        foreach (var batch in DatasetFiles.Batches(datapoints))
        {
            await client.AddDatapointsAsync(created.Id!, batch, cancellationToken).ConfigureAwait(false);
        }

        host.Verbose($"{path} became the dataset {created.Id} ('{name}') with {datapoints.Count} datapoint(s).");
        return created.Id!;
    }

    private static async Task<List<Datapoint>> ReadAllAsync(HumanloopClient client, string datasetId, CancellationToken cancellationToken)
    {
        var all = new List<Datapoint>();
        for (var page = 0; ; page++)
        {
            var batch = await client.ListDatapointsAsync(datasetId, page, DatasetFiles.BatchSize, cancellationToken).ConfigureAwait(false);
            all.AddRange(batch.Records);
            if (batch.Records.Count == 0 || all.Count >= batch.Total)
            {
                return all;
            }
        }
    }

    /// <summary>A datapoint's content as text that is equal for equal content: keys sorted, numbers in one form.</summary>
    internal static string Fingerprint(DatapointRequest datapoint)
    {
        var text = new StringBuilder();
        Write(text, datapoint.Inputs is null ? null : new Hashtable(datapoint.Inputs.ToDictionary(pair => pair.Key, pair => (object?)pair.Value)));
        text.Append('|');
        foreach (var message in datapoint.Messages ?? [])
        {
            text.Append(message.Role).Append(':');
            Write(text, PowerShellValues.ToPlain(message.Content, "content"));
            text.Append(';');
        }

        text.Append('|');
        Write(text, datapoint.Target);
        return text.ToString();
    }

    private static void Write(StringBuilder text, object? value)
    {
        value = PowerShellValues.ToPlain(value, "value");
        switch (value)
        {
            case null:
                text.Append("null");
                break;
            case string literal:
                text.Append('"').Append(literal.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append('"');
                break;
            case bool flag:
                text.Append(flag ? "true" : "false");
                break;
            case IDictionary dictionary:
                text.Append('{');
                foreach (var key in dictionary.Keys.Cast<object>().Select(key => key.ToString()!).Order(StringComparer.Ordinal))
                {
                    text.Append('"').Append(key).Append("\":");
                    Write(text, dictionary[key]);
                    text.Append(',');
                }

                text.Append('}');
                break;
            case object?[] items:
                text.Append('[');
                foreach (var item in items)
                {
                    Write(text, item);
                    text.Append(',');
                }

                text.Append(']');
                break;
            case IConvertible number:
                text.Append(number.ToDouble(CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture));
                break;
            default:
                text.Append(value);
                break;
        }
    }
}
