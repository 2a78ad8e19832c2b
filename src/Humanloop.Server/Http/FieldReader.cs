using System.Text.Json;
using System.Text.Json.Nodes;

namespace Humanloop.Server.Http;

/// <summary>
/// Reads the known fields of a JSON object tolerantly: unknown fields are ignored, JSON null counts
/// as absent, and a field of the wrong type is reported (with its full location) instead of thrown.
/// </summary>
internal sealed class FieldReader
{
    private readonly JsonObject _object;
    private readonly object[] _location;

    public FieldReader(JsonObject obj, IEnumerable<object> location, ValidationErrors errors, RequestLimits? limits = null)
    {
        _object = obj;
        _location = location.ToArray();
        Errors = errors;
        Limits = limits ?? RequestLimits.Default;
    }

    public ValidationErrors Errors { get; }

    /// <summary>The server's limits: a string field without an explicit maximum gets its limit from here, by name.</summary>
    public RequestLimits Limits { get; }

    public JsonObject Object => _object;

    /// <summary>Where this object is in the request, e.g. <c>["body", 2]</c>.</summary>
    public object[] Location => [.. _location];

    public object[] At(string name) => [.. _location, name];

    public object[] At(string name, int index) => [.. _location, name, index];

    public string? String(string name, bool required = false, int? maxLength = null, int minLength = 0)
    {
        var node = Get(name, required);
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            var text = value.GetValue<string>();
            maxLength ??= Limits.LengthOf(name);
            if (text.Length > maxLength)
            {
                Errors.Add(At(name), $"ensure this value has at most {maxLength} characters", "value_error.any_str.max_length");
                return null;
            }

            if (text.Length < minLength)
            {
                Errors.Add(At(name), $"ensure this value has at least {minLength} characters", "value_error.any_str.min_length");
                return null;
            }

            return text;
        }

        Errors.Add(At(name), "str type expected", "type_error.str");
        return null;
    }

    public int? Int(string name, bool required = false)
    {
        var node = Get(name, required);
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number)
        {
            var number = value.GetValue<JsonElement>();
            if (number.TryGetInt32(out var whole))
            {
                return whole;
            }

            // pydantic accepted 2.0 for an integer field; so do we.
            if (number.TryGetDouble(out var real) && Math.Abs(real % 1) < double.Epsilon && real is >= int.MinValue and <= int.MaxValue)
            {
                return (int)real;
            }
        }

        Errors.Add(At(name), "value is not a valid integer", "type_error.integer");
        return null;
    }

    public double? Number(string name, bool required = false)
    {
        var node = Get(name, required);
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number)
        {
            if (value.GetValue<JsonElement>().TryGetDouble(out var number) && double.IsFinite(number))
            {
                return number;
            }
        }

        Errors.Add(At(name), "value is not a valid float", "type_error.float");
        return null;
    }

    public bool? Bool(string name, bool required = false)
    {
        var node = Get(name, required);
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetValue<bool>();
        }

        Errors.Add(At(name), "value could not be parsed to a boolean", "type_error.bool");
        return null;
    }

    public JsonObject? JsonObject(string name, bool required = false)
    {
        var node = Get(name, required);
        if (node is null)
        {
            return null;
        }

        if (node is JsonObject obj)
        {
            return obj;
        }

        Errors.Add(At(name), "value is not a valid dict", "type_error.dict");
        return null;
    }

    public JsonArray? JsonArray(string name, bool required = false)
    {
        var node = Get(name, required);
        if (node is null)
        {
            return null;
        }

        if (node is JsonArray array)
        {
            return array;
        }

        Errors.Add(At(name), "value is not a valid list", "type_error.list");
        return null;
    }

    /// <summary>A nested object as its own reader, so its errors carry the nested location.</summary>
    public FieldReader? Nested(string name, bool required = false)
    {
        var obj = JsonObject(name, required);
        return obj is null ? null : new FieldReader(obj, At(name), Errors, Limits);
    }

    /// <summary>
    /// A list of objects, each as its own reader located at <c>[..., name, i]</c>; an item that is not
    /// an object is reported and left out.
    /// </summary>
    public IReadOnlyList<FieldReader>? ObjectList(string name, bool required = false)
    {
        var array = JsonArray(name, required);
        if (array is null)
        {
            return null;
        }

        var items = new List<FieldReader>();
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonObject obj)
            {
                items.Add(new FieldReader(obj, At(name, i), Errors, Limits));
            }
            else
            {
                Errors.Add(At(name, i), "value is not a valid dict", "type_error.dict");
            }
        }

        return items;
    }

    public IReadOnlyList<string>? StringList(string name, bool required = false)
    {
        var array = JsonArray(name, required);
        if (array is null)
        {
            return null;
        }

        var result = new List<string>();
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonValue value && value.GetValueKind() == JsonValueKind.String)
            {
                result.Add(value.GetValue<string>());
            }
            else
            {
                Errors.Add(At(name, i), "str type expected", "type_error.str");
            }
        }

        return result;
    }

    /// <summary>An object whose values must all be strings (e.g. a datapoint's <c>inputs</c>); each other value is reported at its key.</summary>
    public JsonObject? StringMap(string name, bool required = false)
    {
        var obj = JsonObject(name, required);
        if (obj is null)
        {
            return null;
        }

        var valid = true;
        foreach (var (key, item) in obj)
        {
            if (item is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
            {
                Errors.Add([.. At(name), key], "str type expected", "type_error.str");
                valid = false;
            }
        }

        return valid ? obj : null;
    }

    /// <summary>A field that accepts a string or a list of strings (e.g. <c>stop</c>).</summary>
    public IReadOnlyList<string>? StringOrStringList(string name)
    {
        var node = Get(name, required: false);
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            return [value.GetValue<string>()];
        }

        if (node is JsonArray)
        {
            return StringList(name);
        }

        Errors.Add(At(name), "str type expected", "type_error.str");
        return null;
    }

    public string? Enum(string name, IReadOnlyCollection<string> permitted, bool required = false)
    {
        var text = String(name, required);
        if (text is null || permitted.Contains(text))
        {
            return text;
        }

        var list = string.Join(", ", permitted.Select(p => $"'{p}'"));
        Errors.Add(At(name), $"value is not a valid enumeration member; permitted: {list}", "type_error.enum");
        return null;
    }

    private JsonNode? Get(string name, bool required)
    {
        var node = _object[name];
        if (node is null && required)
        {
            Errors.Missing(At(name));
        }

        return node;
    }
}
