using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Humanloop.PowerShell.TestCases;

/// <summary>
/// Writes datapoints as a test case file that <see cref="TestCaseReader"/> reads back to the same
/// datapoints. CSV: a column per input, <c>messages</c> (a JSON array) when any datapoint has messages,
/// <c>expect</c> for a target's <c>expect</c> member, and <c>target.&lt;name&gt;</c> for every other target
/// member (text as it is, anything else as JSON). JSON lines: an object per datapoint with <c>inputs</c>,
/// <c>messages</c>, <c>expect</c> and <c>target</c>, values keeping their JSON types.
/// </summary>
internal static class DatasetFileWriter
{
    /// <summary>The target member that holds a case's expectations, written as the <c>expect</c> column.</summary>
    public const string ExpectMember = "expect";

    private static readonly string[] ReservedColumns = ["name", "expect", "expectations", "message", "messages", "inputs", "target"];

    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <exception cref="FormatException">The extension is neither .csv nor .jsonl, or an input's name would be read back as another column.</exception>
    public static void Write(string path, IReadOnlyList<Datapoint> datapoints)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        var text = extension switch
        {
            ".csv" => ToCsv(datapoints),
            ".jsonl" or ".ndjson" => ToJsonLines(datapoints),
            _ => throw new FormatException($"'{path}' is neither .csv nor .jsonl: datasets are written as a CSV file with a header row or a JSON lines file."),
        };
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    private static string ToCsv(IReadOnlyList<Datapoint> datapoints)
    {
        var inputColumns = Union(datapoints.Select(point => point.Inputs));
        var clash = inputColumns.FirstOrDefault(name => ReservedColumns.Contains(name, StringComparer.OrdinalIgnoreCase) || name.StartsWith("target.", StringComparison.OrdinalIgnoreCase));
        if (clash is not null)
        {
            throw new FormatException($"The input '{clash}' would be read back as the {clash} column, not as an input: export to .jsonl, which keeps inputs apart.");
        }

        var targetColumns = Union(datapoints.Select(point => point.Target)).Where(name => !IsExpect(name)).ToList();
        var hasMessages = datapoints.Any(point => point.Messages.Count > 0);
        var hasExpect = datapoints.Any(point => Member(point.Target, ExpectMember) is not null);

        var header = new List<string>(inputColumns);
        if (hasMessages)
        {
            header.Add("messages");
        }

        if (hasExpect)
        {
            header.Add("expect");
        }

        header.AddRange(targetColumns.Select(name => "target." + name));

        var text = new StringBuilder();
        AppendRow(text, header);
        foreach (var point in datapoints)
        {
            var row = inputColumns.Select(name => Cell(Member(point.Inputs, name))).ToList();
            if (hasMessages)
            {
                row.Add(point.Messages.Count > 0 ? JsonSerializer.Serialize(point.Messages, WriteOptions) : string.Empty);
            }

            if (hasExpect)
            {
                row.Add(Cell(Member(point.Target, ExpectMember)));
            }

            row.AddRange(targetColumns.Select(name => Cell(Member(point.Target, name))));
            AppendRow(text, row);
        }

        return text.ToString();
    }

    private static string ToJsonLines(IReadOnlyList<Datapoint> datapoints)
    {
        var text = new StringBuilder();
        foreach (var point in datapoints)
        {
            var line = new OrderedDictionary { ["inputs"] = point.Inputs ?? new OrderedDictionary() };
            if (point.Messages.Count > 0)
            {
                line["messages"] = point.Messages;
            }

            var target = new OrderedDictionary();
            foreach (DictionaryEntry member in point.Target ?? new OrderedDictionary())
            {
                if (IsExpect((string)member.Key))
                {
                    line["expect"] = member.Value;
                }
                else
                {
                    target[member.Key] = member.Value;
                }
            }

            if (target.Count > 0)
            {
                line["target"] = target;
            }

            text.Append(JsonSerializer.Serialize(line, WriteOptions)).Append('\n');
        }

        return text.ToString();
    }

    private static bool IsExpect(string name) => string.Equals(name, ExpectMember, StringComparison.OrdinalIgnoreCase);

    private static List<string> Union(IEnumerable<IDictionary?> tables)
    {
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var table in tables)
        {
            foreach (var key in table?.Keys.Cast<object>() ?? [])
            {
                if (seen.Add(key.ToString()!))
                {
                    names.Add(key.ToString()!);
                }
            }
        }

        return names;
    }

    private static object? Member(IDictionary? table, string name)
    {
        if (table is null)
        {
            return null;
        }

        foreach (DictionaryEntry entry in table)
        {
            if (string.Equals(entry.Key.ToString(), name, StringComparison.OrdinalIgnoreCase))
            {
                return entry.Value;
            }
        }

        return null;
    }

    /// <summary>A value as text: text as it is; numbers, booleans, objects and lists as JSON (CSV cells and datapoint inputs hold text only).</summary>
    public static string Cell(object? value) => value switch
    {
        null => string.Empty,
        string text => text,
        _ => JsonSerializer.Serialize(value, WriteOptions),
    };

    private static void AppendRow(StringBuilder text, IEnumerable<string> fields)
    {
        text.Append(string.Join(",", fields.Select(Quote))).Append("\r\n");
    }

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\r', '\n']) >= 0 || field.Length != field.Trim().Length
            ? "\"" + field.Replace("\"", "\"\"") + "\""
            : field;
}
