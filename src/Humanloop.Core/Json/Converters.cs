using System;
using System.Collections;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Humanloop.Json;

/// <summary>A free-form JSON object as an ordered, case-insensitive dictionary.</summary>
internal sealed class FreeFormDictionaryConverter : JsonConverter<IDictionary>
{
    public override IDictionary? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : FreeFormJson.ReadObject(ref reader);

    public override void Write(Utf8JsonWriter writer, IDictionary value, JsonSerializerOptions options) =>
        FreeFormJson.Write(writer, value, "$");
}

/// <summary>A free-form JSON array as an object array.</summary>
internal sealed class FreeFormArrayConverter : JsonConverter<object?[]>
{
    public override object?[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : FreeFormJson.ReadArray(ref reader);

    public override void Write(Utf8JsonWriter writer, object?[] value, JsonSerializerOptions options) =>
        FreeFormJson.Write(writer, value, "$");
}

/// <summary>Any JSON value as a plain .NET value.</summary>
internal sealed class FreeFormValueConverter : JsonConverter<object>
{
    public override bool HandleNull => true;

    public override object? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        FreeFormJson.Read(ref reader);

    public override void Write(Utf8JsonWriter writer, object? value, JsonSerializerOptions options) =>
        FreeFormJson.Write(writer, value, "$");
}

/// <summary>A field the API types as "string or array of strings" (for example <c>stop</c>).</summary>
internal sealed class StringOrArrayConverter : JsonConverter<IList<string>>
{
    public override IList<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return [reader.GetString()!];
            case JsonTokenType.StartArray:
                var items = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(reader.GetString() ?? string.Empty);
                }

                return items;
            default:
                throw new JsonException($"Expected a string or an array of strings but found {reader.TokenType}.");
        }
    }

    public override void Write(Utf8JsonWriter writer, IList<string> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var item in value)
        {
            writer.WriteStringValue(item);
        }

        writer.WriteEndArray();
    }
}
