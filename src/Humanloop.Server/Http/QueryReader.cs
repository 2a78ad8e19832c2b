namespace Humanloop.Server.Http;

/// <summary>Reads and validates query-string parameters, reporting problems at <c>["query", name]</c>.</summary>
internal sealed class QueryReader
{
    private readonly IQueryCollection _query;
    private readonly RequestLimits _limits;

    public QueryReader(HttpContext context, ValidationErrors errors)
    {
        _query = context.Request.Query;
        _limits = RequestLimits.Of(context);
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

        var limit = _limits.LengthOf(name);
        if (value.Length > limit)
        {
            Errors.Add(["query", name], $"ensure this value has at most {limit} characters", "value_error.any_str.max_length");
            return null;
        }

        return value;
    }

    /// <summary>A page size (<c>size</c>): at least 1 and at most the server's page limit.</summary>
    public int PageSize(int defaultValue)
    {
        var size = Int("size", defaultValue, minimum: 1);
        if (size > _limits.MaxPageSize)
        {
            Errors.Add(["query", "size"], $"ensure this value is less than or equal to {_limits.MaxPageSize}", "value_error.number.not_le");
            return defaultValue;
        }

        return size;
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
    public IReadOnlyList<string> Strings(string name)
    {
        var values = _query.TryGetValue(name, out var all) ? all.OfType<string>().Where(v => v.Length > 0).ToList() : [];
        var limit = _limits.LengthOf(name);
        if (values.Any(v => v.Length > limit))
        {
            Errors.Add(["query", name], $"ensure each value has at most {limit} characters", "value_error.any_str.max_length");
            return [];
        }

        return values;
    }

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
            // The last day there is ends at the end of time rather than a day past it.
            return endOfRange ? (date == DateOnly.MaxValue ? DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc) : start.AddDays(1).AddTicks(-1)) : start;
        }

        if (DateTime.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, styles, out var dateTime))
        {
            return dateTime;
        }

        Errors.Add(["query", name], "invalid date or datetime format", "value_error.datetime");
        return null;
    }
}
