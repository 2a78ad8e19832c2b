using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;

namespace Humanloop.PowerShell.Checks;

/// <summary><c>Json</c>: the whole text is one JSON value, valid against a JSON Schema when one is given.</summary>
public sealed class JsonCheck(JsonSchemaRule? schema) : TextCheck
{
    /// <inheritdoc />
    public override string Name => "Json";

    /// <inheritdoc />
    public override string Expectation => schema is null ? "be valid JSON" : "be JSON valid against the schema";

    /// <inheritdoc />
    public override Verdict Judge(string text)
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
}

/// <summary>
/// <c>ContainJson</c>: somewhere in the text (prose, a code fence) is a JSON object or array, and with a
/// schema, one of those found is valid against it.
/// </summary>
public sealed class ContainJsonCheck(JsonSchemaRule? schema) : TextCheck
{
    /// <inheritdoc />
    public override string Name => "ContainJson";

    /// <inheritdoc />
    public override string Expectation => schema is null ? "contain JSON" : "contain JSON valid against the schema";

    /// <summary>The JSON objects and arrays inside <paramref name="text"/>, in order, none inside another.</summary>
    public static IReadOnlyList<JsonNode> Find(string text)
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

    /// <inheritdoc />
    public override Verdict Judge(string text)
    {
        var values = Find(text);
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
}

/// <summary><c>Xml</c>: the whole text is one well-formed XML document (DTDs refused).</summary>
public sealed class XmlCheck : TextCheck
{
    /// <inheritdoc />
    public override string Name => "Xml";

    /// <inheritdoc />
    public override string Expectation => "be well-formed XML";

    /// <inheritdoc />
    public override Verdict Judge(string text)
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
