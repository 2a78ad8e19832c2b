namespace Humanloop.Server.Http;

/// <summary>Reads and validates query-string parameters, reporting problems at <c>["query", name]</c>.</summary>
internal sealed class QueryReader
{
    private readonly IQueryCollection _query;

    public QueryReader(IQueryCollection query, ValidationErrors errors)
    {
        _query = query;
        Errors = errors;
    }

    public ValidationErrors Errors { get; }

    public string? String(string name, bool required = false)
    {
        var value = _query.TryGetValue(name, out var values) ? values.ToString() : null;
        if (string.IsNullOrEmpty(value))
        {
            if (required)
            {
                Errors.Missing(["query", name]);
            }

            return null;
        }

        return value;
    }

    public int Int(string name, int defaultValue, int minimum)
    {
        var text = String(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            Errors.Add(["query", name], "value is not a valid integer", "type_error.integer");
            return defaultValue;
        }

        if (value < minimum)
        {
            Errors.Add(["query", name], $"ensure this value is greater than or equal to {minimum}", "value_error.number.not_ge");
            return defaultValue;
        }

        return value;
    }

    /// <summary>A boolean as pydantic read one: true/false, 1/0, yes/no, on/off (any case).</summary>
    public bool Bool(string name, bool defaultValue)
    {
        var text = String(name);
        switch (text?.Trim().ToLowerInvariant())
        {
            case null:
                return defaultValue;
            case "true" or "1" or "yes" or "on":
                return true;
            case "false" or "0" or "no" or "off":
                return false;
            default:
                Errors.Add(["query", name], "value could not be parsed to a boolean", "type_error.bool");
                return defaultValue;
        }
    }

    /// <summary>Every value of a repeated parameter (<c>?id=a&amp;id=b</c>), empty ones left out.</summary>
    public IReadOnlyList<string> Strings(string name) =>
        _query.TryGetValue(name, out var values) ? values.OfType<string>().Where(v => v.Length > 0).ToList() : [];

    public string Enum(string name, string defaultValue, IReadOnlyCollection<string> permitted)
    {
        var text = String(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!permitted.Contains(text))
        {
            var list = string.Join(", ", permitted.Select(p => $"'{p}'"));
            Errors.Add(["query", name], $"value is not a valid enumeration member; permitted: {list}", "type_error.enum");
            return defaultValue;
        }

        return text;
    }

    /// <summary>A date (<c>YYYY-MM-DD</c>) or a date-time; a bare date at the end of a range means the whole day.</summary>
    public DateTime? DateOrDateTime(string name, bool endOfRange)
    {
        var text = String(name);
        if (text is null)
        {
            return null;
        }

        var styles = System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date))
        {
            var start = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            return endOfRange ? start.AddDays(1).AddTicks(-1) : start;
        }

        if (DateTime.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, styles, out var dateTime))
        {
            return dateTime;
        }

        Errors.Add(["query", name], "invalid date or datetime format", "value_error.datetime");
        return null;
    }
}
