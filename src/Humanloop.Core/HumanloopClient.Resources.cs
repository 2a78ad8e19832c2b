using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;

namespace Humanloop;

// What every resource group (projects, configs, experiments, logs, feedback, datasets, evaluators) needs: JSON in and out of
// the one pipeline, and paths and query strings with every caller-supplied value escaped.
public sealed partial class HumanloopClient
{
    private async Task<TResponse> SendJsonAsync<TResponse>(HttpMethod method, string path, byte[]? body, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
        where TResponse : class
    {
        var response = await _pipeline.SendAsync(method, path, body, cancellationToken).ConfigureAwait(false);
        return Deserialize(response, responseType);
    }

    /// <summary>Sends a request whose answer carries nothing the caller needs (204, or <c>{}</c>).</summary>
    private async Task SendWithoutResultAsync(HttpMethod method, string path, CancellationToken cancellationToken, byte[]? body = null)
    {
        await _pipeline.SendAsync(method, path, body, cancellationToken).ConfigureAwait(false);
    }

    private static byte[] ToJson<T>(T request, JsonTypeInfo<T> requestType, string parameterName)
    {
        if (request is null)
        {
            throw new ArgumentNullException(parameterName);
        }

        return JsonSerializer.SerializeToUtf8Bytes(request, requestType);
    }

    /// <summary>An id as one escaped path segment; an empty one would silently address another route.</summary>
    private static string Segment(string value, string parameterName) => Uri.EscapeDataString(RequiredId(value, parameterName));

    private static string RequiredId(string value, string parameterName) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException("The id is empty.", parameterName) : value;

    private static void CheckPaging(int page, int size)
    {
        if (page < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(page), page, "Pages are numbered from 0.");
        }

        if (size < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "A page holds at least one record.");
        }
    }

    /// <summary>Builds <c>?name=value&amp;…</c>, leaving out unset values.</summary>
    private sealed class QueryString
    {
        private readonly List<string> _pairs = [];

        public QueryString Add(string name, string? value)
        {
            if (value is not null)
            {
                _pairs.Add(name + "=" + Uri.EscapeDataString(value));
            }

            return this;
        }

        public QueryString Add(string name, int value) => Add(name, value.ToString(CultureInfo.InvariantCulture));

        /// <summary>ISO 8601 in UTC, the form both the date and the date-time variants of the API accept.</summary>
        public QueryString Add(string name, DateTimeOffset? value) =>
            Add(name, value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));

        public string AppendTo(string path)
        {
            if (_pairs.Count == 0)
            {
                return path;
            }

            var text = new StringBuilder(path).Append('?');
            text.Append(string.Join("&", _pairs));
            return text.ToString();
        }
    }
}
