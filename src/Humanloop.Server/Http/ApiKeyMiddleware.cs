using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Humanloop.Server.Http;

/// <summary>
/// Requires a configured key in <c>X-API-KEY</c> for every /v4 request, and for the /_faults control API when it is
/// enabled. Keys are compared in constant time and never echoed or logged.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, AcceptedApiKeys keys, Hosting.ServerOptions options)
{
    public const string HeaderName = "X-API-KEY";

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v4") && !(options.EnableFaults && context.Request.Path.StartsWithSegments("/_faults")))
        {
            await next(context);
            return;
        }

        var presented = context.Request.Headers[HeaderName].ToString();
        if (string.IsNullOrEmpty(presented))
        {
            await ApiErrorMiddleware.WriteAsync(context, StatusCodes.Status401Unauthorized,
                JsonValue.Create($"Missing API key. Send it in the {HeaderName} header."), null);
            return;
        }

        if (!keys.Accepts(presented))
        {
            await ApiErrorMiddleware.WriteAsync(context, StatusCodes.Status401Unauthorized,
                JsonValue.Create($"Invalid API key. Check the key sent in the {HeaderName} header."), null);
            return;
        }

        await next(context);
    }
}

/// <summary>The keys this server accepts.</summary>
internal sealed class AcceptedApiKeys(IReadOnlyList<string> keys)
{
    private readonly byte[][] _keys = keys.Select(Encoding.UTF8.GetBytes).ToArray();

    public bool Accepts(string presented)
    {
        var candidate = Encoding.UTF8.GetBytes(presented);
        var accepted = false;
        foreach (var key in _keys)
        {
            // No early exit: the time taken does not tell which key, or how much of one, matched.
            accepted |= CryptographicOperations.FixedTimeEquals(candidate, key);
        }

        return accepted;
    }
}
