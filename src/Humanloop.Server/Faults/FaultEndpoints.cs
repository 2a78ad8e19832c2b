using Humanloop.Server.Http;

namespace Humanloop.Server.Faults;

/// <summary>
/// The <c>/_faults</c> control API, mapped only when faults are enabled. It takes the server's key like /v4 does, and
/// rules only as JSON (so a web page cannot post one as a form).
/// </summary>
internal static class FaultEndpoints
{
    public static void MapFaultEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/_faults", async (HttpContext context, FaultInjector injector) =>
        {
            if (!context.Request.HasJsonContentType())
            {
                throw new ApiException(StatusCodes.Status415UnsupportedMediaType,
                    System.Text.Json.Nodes.JsonValue.Create("A fault rule must be sent as JSON (Content-Type: application/json)."));
            }

            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            var rule = injector.Add(body);
            return WireResults.Json(rule.ToJson());
        });
        app.MapGet("/_faults", (FaultInjector injector) => WireResults.Json(injector.Snapshot()));
        app.MapDelete("/_faults", (FaultInjector injector) =>
        {
            injector.Clear();
            return WireResults.NoContent();
        });
    }
}
