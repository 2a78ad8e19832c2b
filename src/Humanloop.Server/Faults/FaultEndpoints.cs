using Humanloop.Server.Http;

namespace Humanloop.Server.Faults;

/// <summary>The <c>/_faults</c> control API (no key needed; mapped only when faults are enabled).</summary>
internal static class FaultEndpoints
{
    public static void MapFaultEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/_faults", async (HttpContext context, FaultInjector injector) =>
        {
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
