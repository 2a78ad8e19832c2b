using System.Diagnostics;
using Humanloop.Server.Hosting;

namespace Humanloop.Server.Observability;

/// <summary>
/// The outermost middleware: counts and times every request for <c>/metrics</c>, and writes one structured log line per
/// request (method, route template, status, duration, project). The line never holds a key, a body or a query string;
/// a generation's inputs and prompt are added only when the operator turns prompt logging on.
/// </summary>
internal sealed class RequestLogMiddleware(RequestDelegate next, ServerMetrics metrics, ServerOptions options, ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger(Category);

    /// <summary>The logger category of the request lines, for filtering.</summary>
    public const string Category = "Humanloop.Server.Requests";

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
            // A client that left before any response gets nginx's 499, so it is not counted as a success.
            var status = context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted ? 499 : context.Response.StatusCode;
            metrics.Request(context.Request.Method, route, status, seconds);
            if (options.RequestLogs && _logger.IsEnabled(LogLevel.Information))
            {
                var project = RequestLog.ProjectOf(context);
                var prompt = options.LogPrompts ? RequestLog.PromptOf(context) : null;
                if (prompt is null)
                {
                    _logger.LogInformation("{Method} {Route} {Status} {DurationMs} ms project={Project}",
                        context.Request.Method, route, status, Math.Round(seconds * 1000, 2), project ?? "-");
                }
                else
                {
                    _logger.LogInformation("{Method} {Route} {Status} {DurationMs} ms project={Project} prompt={Prompt}",
                        context.Request.Method, route, status, Math.Round(seconds * 1000, 2), project ?? "-", prompt);
                }
            }
        }
    }
}

/// <summary>What endpoints tell the request log about a request: its project, and (for prompt logging) its prompt.</summary>
internal static class RequestLog
{
    private const string ProjectKey = "humanloop.log.project";
    private const string PromptKey = "humanloop.log.prompt";

    public static void SetProject(HttpContext context, string projectId) => context.Items[ProjectKey] = projectId;

    public static void SetPrompt(HttpContext context, string prompt) => context.Items[PromptKey] = prompt;

    /// <summary>The project an endpoint named, else the one in the route (<c>/projects/{id}</c>, <c>{projectId}</c>) or the query.</summary>
    public static string? ProjectOf(HttpContext context)
    {
        if (context.Items.TryGetValue(ProjectKey, out var set) && set is string project)
        {
            return project;
        }

        var values = context.Request.RouteValues;
        if (values.TryGetValue("projectId", out var fromRoute) && fromRoute is string routeProject)
        {
            return routeProject;
        }

        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        if (route is not null && route.StartsWith("/v4/projects/{id}", StringComparison.Ordinal) && values.TryGetValue("id", out var id) && id is string projectId)
        {
            return projectId;
        }

        var query = context.Request.Query["project_id"].ToString();
        return query.Length is > 0 and <= 128 ? query : null;
    }

    public static string? PromptOf(HttpContext context) =>
        context.Items.TryGetValue(PromptKey, out var prompt) ? prompt as string : null;
}
