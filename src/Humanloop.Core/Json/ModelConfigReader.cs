using System.Collections;
using System.Collections.Specialized;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Humanloop.Json;

/// <summary>
/// Reads a model config written as a dictionary keyed by the API's field names (<c>max_tokens</c>); the
/// PascalCase and camelCase spellings (<c>MaxTokens</c>, <c>maxTokens</c>) are accepted too. Unknown keys
/// and values of the wrong type are errors that name the key, so a typo never goes unnoticed.
/// </summary>
public static class ModelConfigReader
{
    private static readonly JsonSerializerOptions StrictOptions = new(HumanloopJsonContext.Default.Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Converts <paramref name="fields"/> to a typed completion config.</summary>
    /// <exception cref="HumanloopInputException">A key is unknown, or a value has the wrong type.</exception>
    public static ModelConfigCompletionRequest Read(IDictionary fields) => Read<ModelConfigCompletionRequest>(fields);

    /// <summary>Converts <paramref name="fields"/> to a typed config of kind <typeparamref name="TConfig"/>.</summary>
    /// <exception cref="HumanloopInputException">A key is unknown, or a value has the wrong type.</exception>
    public static TConfig Read<TConfig>(IDictionary fields)
        where TConfig : ModelConfigRequest
    {
        var typeInfo = (JsonTypeInfo<TConfig>)StrictOptions.GetTypeInfo(typeof(TConfig));
        var normalized = Normalize(fields, "model_config");

        // response_format is ours to name too; other and json_schema are the provider's, kept as given.
        if (normalized["response_format"] is IDictionary responseFormat)
        {
            normalized["response_format"] = Normalize(responseFormat, "model_config.response_format");
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            FreeFormJson.Write(writer, normalized, "model_config");
        }

        try
        {
            return JsonSerializer.Deserialize(buffer.ToArray(), typeInfo)!;
        }
        catch (JsonException exception)
        {
            throw new HumanloopInputException(Describe(exception, typeInfo), exception.Path is null ? "model_config" : "model_config" + exception.Path.TrimStart('$'));
        }
    }

    private static OrderedDictionary Normalize(IDictionary fields, string path)
    {
        var normalized = new OrderedDictionary();
        foreach (DictionaryEntry entry in fields)
        {
            var key = entry.Key as string ?? throw new HumanloopInputException($"The key '{entry.Key}' of {path} is not a string.", path);
            var name = JsonNamingPolicy.SnakeCaseLower.ConvertName(key);
            if (normalized.Contains(name))
            {
                throw new HumanloopInputException($"{path} sets '{name}' twice (as '{key}' and another spelling).", path + "." + name);
            }

            normalized.Add(name, entry.Value);
        }

        return normalized;
    }

    private static string Describe(JsonException exception, JsonTypeInfo typeInfo)
    {
        var field = exception.Path?.TrimStart('$', '.') ?? string.Empty;
        var message = exception.Message;
        if (message.IndexOf("could not be mapped", System.StringComparison.OrdinalIgnoreCase) >= 0)
        {
            // Listed from the type itself, so the message cannot drift from the fields that exist.
            var known = string.Join(", ", typeInfo.Properties.Select(property => property.Name));
            return $"The model config has a key the API does not know: {ExtractQuoted(message) ?? field}. Known keys: {known}.";
        }

        return string.IsNullOrEmpty(field)
            ? $"The model config is not valid: {message}"
            : $"The model config's '{field}' has a value of the wrong type ({FirstSentence(message)}).";
    }

    private static string? ExtractQuoted(string message)
    {
        var start = message.IndexOf('\'');
        var end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
        return end > start ? message.Substring(start + 1, end - start - 1) : null;
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", System.StringComparison.Ordinal);
        return end > 0 ? message.Substring(0, end) : message.TrimEnd('.');
    }
}
