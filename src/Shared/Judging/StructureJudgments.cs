using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;

namespace Humanloop.Judging;

/// <summary>The judgments of a text's structure: JSON (optionally valid against a schema), JSON inside prose, XML.</summary>
public static class StructureJudgments
{
    /// <summary>The whole text is one JSON value, valid against <paramref name="schema"/> when one is given.</summary>
    /// <param name="text">The judged text.</param>
    /// <param name="schema">The schema the value must fit; null for any JSON.</param>
    public static Verdict Json(string text, JsonSchemaRule? schema)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Verdict.NotHeld("is empty");
        }

        JsonNode? value;
        try
        {
            value = JsonNode.Parse(text);
        }
        catch (JsonException invalid)
        {
            return Verdict.NotHeld($"is not JSON ({invalid.Message})");
        }

        return schema?.Problems(value) is { } problems ? Verdict.NotHeld($"does not fit the schema ({problems})") : Verdict.Held();
    }

    /// <summary>The JSON objects and arrays inside <paramref name="text"/>, in order, none inside another.</summary>
    /// <param name="text">Prose, a code fence, or JSON.</param>
    public static IReadOnlyList<JsonNode> FindJson(string text)
    {
        var found = new List<JsonNode>();
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var start = 0; start < bytes.Length; start++)
        {
            if (bytes[start] is not ((byte)'{' or (byte)'['))
            {
                continue;
            }

            // A value's end is where a reader that skips it stops; prose after it is not read.
            try
            {
                var reader = new Utf8JsonReader(bytes.AsSpan(start));
                reader.Read();
                reader.Skip();
                var length = (int)reader.BytesConsumed;
                found.Add(JsonNode.Parse(bytes.AsSpan(start, length))!);
                start += length - 1;
            }
            catch (JsonException)
            {
            }
        }

        return found;
    }

    /// <summary>Somewhere in the text is a JSON object or array, and with a schema, one of those found fits it.</summary>
    /// <param name="text">The judged text.</param>
    /// <param name="schema">The schema one value must fit; null for any JSON.</param>
    public static Verdict ContainJson(string text, JsonSchemaRule? schema)
    {
        var values = FindJson(text);
        if (values.Count == 0)
        {
            return Verdict.NotHeld("contains no JSON object or array");
        }

        if (schema is null)
        {
            return Verdict.Held();
        }

        string? firstProblems = null;
        foreach (var value in values)
        {
            var problems = schema.Problems(value);
            if (problems is null)
            {
                return Verdict.Held();
            }

            firstProblems ??= problems;
        }

        return Verdict.NotHeld($"contains JSON, but none that fits the schema ({firstProblems})");
    }

    /// <summary>The whole text is one well-formed XML document (DTDs refused).</summary>
    /// <param name="text">The judged text.</param>
    public static Verdict Xml(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Verdict.NotHeld("is empty");
        }

        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        try
        {
            using var reader = XmlReader.Create(new StringReader(text.Trim()), settings);
            while (reader.Read())
            {
            }

            return Verdict.Held();
        }
        catch (XmlException invalid)
        {
            return Verdict.NotHeld($"is not XML ({invalid.Message})");
        }
    }
}
