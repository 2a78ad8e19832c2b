using System.Collections;
using System.Collections.Specialized;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

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

    /// <summary>Converts <paramref name="fields"/> to a typed config.</summary>
    /// <exception cref="HumanloopInputException">A key is unknown, or a value has the wrong type.</exception>
    public static ModelConfigCompletionRequest Read(IDictionary fields)
    {
        var normalized = new OrderedDictionary();
        foreach (DictionaryEntry entry in fields)
        {
            var key = entry.Key as string ?? throw new HumanloopInputException($"The model config key '{entry.Key}' is not a string.", "model_config");
            var name = ToSnakeCase(key);
            if (normalized.Contains(name))
            {
                throw new HumanloopInputException($"The model config sets '{name}' twice (as '{key}' and another spelling).", "model_config." + name);
            }

            normalized.Add(name, entry.Value);
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            FreeFormJson.Write(writer, normalized, "model_config");
        }

        try
        {
            var typeInfo = (System.Text.Json.Serialization.Metadata.JsonTypeInfo<ModelConfigCompletionRequest>)StrictOptions.GetTypeInfo(typeof(ModelConfigCompletionRequest));
            return JsonSerializer.Deserialize(buffer.ToArray(), typeInfo)!;
        }
        catch (JsonException exception)
        {
            throw new HumanloopInputException(Describe(exception), exception.Path is null ? "model_config" : "model_config" + exception.Path.TrimStart('$'));
        }
    }

    private static string Describe(JsonException exception)
    {
        var field = exception.Path?.TrimStart('$', '.') ?? string.Empty;
        var message = exception.Message;
        if (message.IndexOf("could not be mapped", System.StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return $"The model config has a key the API does not know: {ExtractQuoted(message) ?? field}. Known keys: name, description, provider, model, max_tokens, temperature, top_p, stop, presence_penalty, frequency_penalty, other, seed, response_format, endpoint, prompt_template.";
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

    /// <summary><c>MaxTokens</c> and <c>maxTokens</c> become <c>max_tokens</c>; snake_case stays as it is.</summary>
    internal static string ToSnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var character = name[i];
            if (char.IsUpper(character))
            {
                if (i > 0 && name[i - 1] != '_' && !char.IsUpper(name[i - 1]))
                {
                    text.Append('_');
                }

                text.Append(char.ToLowerInvariant(character));
            }
            else
            {
                text.Append(character);
            }
        }

        return text.ToString();
    }
}
