using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.IO;
using System.Linq;
using System.Text.Json;
using Humanloop.PowerShell.Infrastructure;
using Microsoft.VisualBasic.FileIO;

namespace Humanloop.PowerShell.TestCases;

/// <summary>
/// Reads test cases from CSV (a header row, then a case per row) or JSON lines (a case per line).
/// Columns (or keys): <c>name</c>; <c>expect</c> (or <c>expectations</c>), in the expectation syntax;
/// <c>messages</c> (a JSON array of messages) or <c>message</c> (one user message); every other column
/// is a template input. In JSON lines an <c>inputs</c> object may hold the inputs instead, and
/// <c>expect</c> may be an array of expectations. The target (what dataset evaluators compare with):
/// <c>target</c> (a JSON object, or any other value, which becomes <c>{"output": value}</c>) and
/// <c>target.&lt;name&gt;</c> (one member each). Dataset files are read by the same rules
/// (<see cref="FromObject"/> for rows already in the pipeline) and written by <see cref="DatasetFileWriter"/>.
/// </summary>
internal static class TestCaseReader
{
    private static readonly string[] ExpectColumns = ["expect", "expectations"];

    /// <exception cref="FormatException">A case is malformed; the message names the file and line.</exception>
    public static IEnumerable<TestCase> Read(string path)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".csv" => ReadCsv(path),
            ".jsonl" or ".ndjson" => ReadJsonLines(path),
            _ => throw new FormatException($"'{path}' is neither .csv nor .jsonl: test cases come from a CSV file with a header row or a JSON lines file."),
        };
    }

    private static IEnumerable<TestCase> ReadCsv(string path)
    {
        using var parser = new TextFieldParser(path) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = false };
        parser.SetDelimiters(",");
        var header = parser.ReadFields() ?? throw new FormatException($"'{path}' is empty: a CSV of test cases starts with a header row.");
        var names = header.Select(name => name.Trim()).ToArray();
        var duplicate = names.GroupBy(name => name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null)
        {
            throw new FormatException($"{path}:1 has the column '{duplicate.Key}' twice.");
        }

        while (!parser.EndOfData)
        {
            var line = parser.LineNumber;
            string[]? fields;
            try
            {
                fields = parser.ReadFields();
            }
            catch (MalformedLineException exception)
            {
                throw new FormatException($"{path}:{exception.LineNumber} is not a valid CSV row: {exception.Message}", exception);
            }

            if (fields is null || fields.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            if (fields.Length != names.Length)
            {
                throw new FormatException($"{path}:{line} has {fields.Length} fields where the header has {names.Length}.");
            }

            var cells = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < names.Length; i++)
            {
                cells[names[i]] = fields[i];
            }

            yield return Build(cells, $"{path}:{line}");
        }
    }

    private static IEnumerable<TestCase> ReadJsonLines(string path)
    {
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            OrderedDictionary cells;
            try
            {
                using var document = JsonDocument.Parse(line);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new FormatException($"{path}:{number} is not a JSON object.");
                }

                cells = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    cells[property.Name] = property.Value.Clone();
                }
            }
            catch (JsonException exception)
            {
                throw new FormatException($"{path}:{number} is not valid JSON: {exception.Message}", exception);
            }

            yield return Build(cells, $"{path}:{number}");
        }
    }

    /// <summary>
    /// A case from an object already in the pipeline (an Import-Csv row, a hashtable, a ConvertFrom-Json
    /// object): its properties are the columns, by the rules of a file.
    /// </summary>
    /// <exception cref="FormatException">The row is malformed; the message names <paramref name="source"/>.</exception>
    public static TestCase FromObject(object row, string source)
    {
        OrderedDictionary fields;
        try
        {
            fields = PowerShellValues.ToJsonObject(row, source);
        }
        catch (ArgumentException exception)
        {
            throw new FormatException(exception.Message, exception);
        }

        var cells = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry field in fields)
        {
            cells[(string)field.Key] = field.Value;
        }

        return Build(cells, source);
    }

    private static TestCase Build(OrderedDictionary cells, string source)
    {
        var inputs = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
        var target = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
        string? name = null;
        object? expect = null;
        List<ChatMessage> messages = [];
        foreach (DictionaryEntry cell in cells)
        {
            var column = (string)cell.Key;
            switch (column.ToLowerInvariant())
            {
                case "name":
                    name = Text(cell.Value);
                    break;
                case "expect" or "expectations":
                    expect = cell.Value;
                    break;
                case "message":
                    // An empty cell is a row that has no message (a completion case in a mixed file).
                    if (Text(cell.Value) is { Length: > 0 } message)
                    {
                        messages.Add(ChatMessage.User(message));
                    }

                    break;
                case "messages":
                    messages.AddRange(ReadMessages(cell.Value, source));
                    break;
                case "inputs" when cell.Value is JsonElement { ValueKind: JsonValueKind.Object } nested:
                    foreach (var property in nested.EnumerateObject())
                    {
                        inputs[property.Name] = PowerShellValues.FromJson(property.Value);
                    }

                    break;
                case "inputs" when cell.Value is IDictionary nested:
                    foreach (DictionaryEntry entry in nested)
                    {
                        inputs[(string)entry.Key] = entry.Value;
                    }

                    break;
                case "target":
                    ReadTarget(cell.Value, target);
                    break;
                case var _ when column.StartsWith("target.", StringComparison.OrdinalIgnoreCase) && column.Length > "target.".Length:
                    // An empty cell is a row without that member (CSV has no way to leave a cell out).
                    if (Plain(cell.Value) is { } member && !(member is string { Length: 0 }))
                    {
                        target[column.Substring("target.".Length)] = member;
                    }

                    break;
                default:
                    inputs[column] = cell.Value is JsonElement element ? PowerShellValues.FromJson(element) : cell.Value;
                    break;
            }
        }

        var texts = inputs.Cast<DictionaryEntry>().ToDictionary(entry => (string)entry.Key, entry => entry.Value?.ToString(), StringComparer.OrdinalIgnoreCase);
        List<Expectation> expectations;
        try
        {
            expectations = expect is JsonElement { ValueKind: JsonValueKind.Array } list
                ? list.EnumerateArray().SelectMany(item => Expectation.ParseList(item.GetString(), texts)).ToList()
                : Expectation.ParseList(Text(expect), texts);
        }
        catch (FormatException exception)
        {
            throw new FormatException($"{source}: {exception.Message}", exception);
        }

        return new TestCase
        {
            Name = string.IsNullOrWhiteSpace(name) ? source : name!,
            Inputs = inputs,
            Messages = messages,
            Target = target,
            Expectations = expectations,
            Source = source,
        };
    }

    // A JSON object is the whole target; any other non-empty value is the expected output.
    private static void ReadTarget(object? value, OrderedDictionary target)
    {
        var plain = Plain(value);
        if (plain is string text && text.TrimStart().StartsWith("{", StringComparison.Ordinal))
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                plain = PowerShellValues.FromJson(document.RootElement);
            }
            catch (JsonException)
            {
                // Text that merely starts with a brace is an expected output like any other.
            }
        }

        if (plain is IDictionary members)
        {
            foreach (DictionaryEntry member in members)
            {
                target[(string)member.Key] = member.Value;
            }
        }
        else if (plain is not null && !(plain is string { Length: 0 }))
        {
            target["output"] = plain;
        }
    }

    private static object? Plain(object? value) => value is JsonElement element ? PowerShellValues.FromJson(element) : PowerShellValues.Unwrap(value);

    private static IEnumerable<ChatMessage> ReadMessages(object? value, string source)
    {
        if (PowerShellValues.Unwrap(value) is IEnumerable list and not string)
        {
            try
            {
                return ChatValues.ToMessages(list.Cast<object?>(), $"{source}: messages");
            }
            catch (ArgumentException exception)
            {
                throw new FormatException(exception.Message, exception);
            }
        }

        var text = value is JsonElement element ? element.GetRawText() : Text(value);
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        try
        {
            var messages = JsonSerializer.Deserialize<ChatMessage[]>(text!, ReadOptions);
            return messages is null || messages.Any(message => string.IsNullOrEmpty(message?.Role))
                ? throw new FormatException($"{source}: every message needs a role.")
                : messages;
        }
        catch (JsonException exception)
        {
            throw new FormatException($"{source}: the messages are not a JSON array of {{\"role\": …, \"content\": …}} objects: {exception.Message}", exception);
        }
    }

    private static readonly JsonSerializerOptions ReadOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, PropertyNameCaseInsensitive = true };

    private static string? Text(object? value) => value switch
    {
        null => null,
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
        JsonElement { ValueKind: JsonValueKind.Null } => null,
        JsonElement element => element.GetRawText(),
        _ => value.ToString(),
    };
}
