using System.Collections.Generic;
using System.Text.Json.Nodes;
using Humanloop.Judging;

namespace Humanloop.PowerShell.Checks;

/// <summary><c>Json</c>: the whole text is one JSON value, valid against a JSON Schema when one is given.</summary>
public sealed class JsonCheck(JsonSchemaRule? schema) : TextCheck
{
    /// <inheritdoc />
    public override string Name => "Json";

    /// <inheritdoc />
    public override string Expectation => schema is null ? "be valid JSON" : "be JSON valid against the schema";

    /// <inheritdoc />
    public override Verdict Judge(string text) => StructureJudgments.Json(text, schema);
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
    public static IReadOnlyList<JsonNode> Find(string text) => StructureJudgments.FindJson(text);

    /// <inheritdoc />
    public override Verdict Judge(string text) => StructureJudgments.ContainJson(text, schema);
}

/// <summary><c>Xml</c>: the whole text is one well-formed XML document (DTDs refused).</summary>
public sealed class XmlCheck : TextCheck
{
    /// <inheritdoc />
    public override string Name => "Xml";

    /// <inheritdoc />
    public override string Expectation => "be well-formed XML";

    /// <inheritdoc />
    public override Verdict Judge(string text) => StructureJudgments.Xml(text);
}
