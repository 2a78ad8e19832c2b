using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;
using System.Text.Json;

namespace Humanloop.Json;

/// <summary>
/// Reads and writes JSON whose shape the API leaves open (inputs, metadata, provider payloads) as plain
/// .NET values: objects become case-insensitive ordered dictionaries, arrays become object arrays, and
/// numbers become long or double. No JsonElement ever escapes, so PowerShell sees ordinary hashtables.
/// </summary>
internal static class FreeFormJson
{
    public static object? Read(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.True:
                return true;
            case JsonTokenType.False:
                return false;
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                // Boxed separately: a conditional expression would widen the long to double.
                return reader.TryGetInt64(out var integer) ? (object)integer : reader.GetDouble();
            case JsonTokenType.StartObject:
                return ReadObject(ref reader);
            case JsonTokenType.StartArray:
                return ReadArray(ref reader);
            default:
                throw new JsonException($"Unexpected JSON token {reader.TokenType}.");
        }
    }

    public static OrderedDictionary ReadObject(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"Expected a JSON object but found {reader.TokenType}.");
        }

        var members = new List<KeyValuePair<string, object?>>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            reader.Read();
            members.Add(new KeyValuePair<string, object?>(name, Read(ref reader)));
        }

        return ToDictionary(members);
    }

    public static object?[] ReadArray(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"Expected a JSON array but found {reader.TokenType}.");
        }

        var items = new List<object?>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            items.Add(Read(ref reader));
        }

        return items.ToArray();
    }

    // PowerShell users expect case-insensitive keys, but JSON allows names that differ only by case.
    // Such an object keeps exact-case keys instead of losing a member.
    private static OrderedDictionary ToDictionary(List<KeyValuePair<string, object?>> members)
    {
        var dictionary = new OrderedDictionary(members.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var member in members)
        {
            if (dictionary.Contains(member.Key))
            {
                return ToCaseSensitiveDictionary(members);
            }

            dictionary.Add(member.Key, member.Value);
        }

        return dictionary;
    }

    private static OrderedDictionary ToCaseSensitiveDictionary(List<KeyValuePair<string, object?>> members)
    {
        var dictionary = new OrderedDictionary(members.Count, StringComparer.Ordinal);
        foreach (var member in members)
        {
            dictionary[member.Key] = member.Value;
        }

        return dictionary;
    }

    /// <summary>Writes a plain .NET value as JSON.</summary>
    /// <exception cref="HumanloopInputException">The value, or something inside it, has no JSON form.</exception>
    public static void Write(Utf8JsonWriter writer, object? value, string path)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case char character:
                writer.WriteStringValue(character.ToString());
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case byte or sbyte or short or ushort or int or uint or long:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong unsigned:
                writer.WriteNumberValue(unsigned);
                break;
            case float single:
                WriteFinite(writer, single, path);
                break;
            case double number:
                WriteFinite(writer, number, path);
                break;
            case decimal exact:
                writer.WriteNumberValue(exact);
                break;
            case DateTime dateTime:
                writer.WriteStringValue(dateTime.ToString("O", CultureInfo.InvariantCulture));
                break;
            case DateTimeOffset dateTimeOffset:
                writer.WriteStringValue(dateTimeOffset.ToString("O", CultureInfo.InvariantCulture));
                break;
            case Guid guid:
                writer.WriteStringValue(guid.ToString());
                break;
            case Uri uri:
                writer.WriteStringValue(uri.OriginalString);
                break;
            case Enum enumValue:
                writer.WriteStringValue(enumValue.ToString());
                break;
            case IDictionary dictionary:
                WriteObject(writer, dictionary, path);
                break;
            case IEnumerable sequence:
                WriteArray(writer, sequence, path);
                break;
            default:
                throw new HumanloopInputException(
                    $"The value at '{path}' is a {value.GetType().FullName}, which has no JSON form. " +
                    "Use strings, numbers, booleans, hashtables or arrays.",
                    path);
        }
    }

    private static void WriteFinite(Utf8JsonWriter writer, double number, string path)
    {
        if (double.IsNaN(number) || double.IsInfinity(number))
        {
            throw new HumanloopInputException($"The value at '{path}' is {number}, which JSON cannot represent.", path);
        }

        writer.WriteNumberValue(number);
    }

    private static void WriteObject(Utf8JsonWriter writer, IDictionary dictionary, string path)
    {
        writer.WriteStartObject();
        foreach (DictionaryEntry entry in dictionary)
        {
            if (entry.Key is not string key)
            {
                throw new HumanloopInputException(
                    $"The key '{entry.Key}' at '{path}' is a {entry.Key.GetType().FullName}; JSON object keys must be strings.",
                    path);
            }

            writer.WritePropertyName(key);
            Write(writer, entry.Value, path + "." + key);
        }

        writer.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter writer, IEnumerable sequence, string path)
    {
        writer.WriteStartArray();
        var index = 0;
        foreach (var item in sequence)
        {
            Write(writer, item, path + "[" + index.ToString(CultureInfo.InvariantCulture) + "]");
            index++;
        }

        writer.WriteEndArray();
    }
}
