using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;

namespace Humanloop.Server.Http;

/// <summary>
/// Refuses (400) a request whose path, as sent, has a segment that means something else once decoded: a dot
/// segment (<c>.</c>, <c>..</c>, <c>%2e%2e</c>) or an encoded slash, backslash or NUL. Such a path would reach a
/// route other than the one it names. Path parameters are then held to the id length limit (422 naming them).
/// </summary>
internal sealed class PathGuardMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var raw = PathOf(context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/");
        foreach (var segment in raw.Split('/'))
        {
            if (IsDangerous(segment))
            {
                await ApiErrorMiddleware.WriteAsync(context, StatusCodes.Status400BadRequest, JsonValue.Create(
                    $"The request path has a segment that changes meaning when decoded ('{RequestLimits.Echo(segment)}'): dot segments and encoded slashes are not accepted."),
                    null);
                return;
            }
        }

        var limits = RequestLimits.Of(context);
        var errors = new ValidationErrors();
        foreach (var (name, value) in context.Request.RouteValues)
        {
            if (value is string text && text.Length > limits.MaxIdLength)
            {
                errors.Add(["path", name], $"ensure this value has at most {limits.MaxIdLength} characters", "value_error.any_str.max_length");
            }
            else if (value is string id && id.Any(char.IsControl))
            {
                errors.Add(["path", name], "ensure this value has no control characters", "value_error.str.control");
            }
        }

        errors.ThrowIfAny();
        await next(context);
    }

    /// <summary>The path of a request target: origin form as is, absolute form without its scheme and authority, no query.</summary>
    private static string PathOf(string target)
    {
        var end = target.IndexOfAny(['?', '#']);
        var path = end < 0 ? target : target[..end];
        if (!path.StartsWith('/') && path.IndexOf("://", StringComparison.Ordinal) is var scheme and >= 0)
        {
            var slash = path.IndexOf('/', scheme + 3);
            path = slash < 0 ? "/" : path[slash..];
        }

        return path;
    }

    private static bool IsDangerous(string segment)
    {
        if (segment is "." or "..")
        {
            return true;
        }

        if (!segment.Contains('%', StringComparison.Ordinal))
        {
            return false;
        }

        var decoded = Uri.UnescapeDataString(segment);
        return decoded is "." or ".." || decoded.IndexOfAny(['/', '\\', '\0']) >= 0;
    }
}
