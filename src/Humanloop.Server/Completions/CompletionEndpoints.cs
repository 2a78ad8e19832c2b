using Humanloop.Server.Http;

namespace Humanloop.Server.Completions;

/// <summary>The Completions group: four endpoints, each streaming when the body says <c>"stream": true</c>.</summary>
internal static class CompletionEndpoints
{
    public static void MapCompletionEndpoints(this IEndpointRouteBuilder v4)
    {
        Map(v4, "/completion", CompletionKind.Inline);
        Map(v4, "/completion-deployed", CompletionKind.Deployed);
        Map(v4, "/completion-model-config", CompletionKind.ModelConfig);
        Map(v4, "/completion-experiment", CompletionKind.Experiment);
    }

    private static void Map(IEndpointRouteBuilder v4, string path, CompletionKind kind)
    {
        v4.MapPost(path, async (HttpContext context, CompletionPlanner planner, CompletionRunner runner, CompletionStreamer streamer) =>
        {
            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            var request = CompletionRequest.Parse(body, kind);
            var plan = planner.Plan(request);
            if (request.Stream)
            {
                await streamer.StreamAsync(plan, context);
                return Results.Empty;
            }

            return WireResults.Json(await runner.RunAsync(plan, context.RequestAborted));
        });
    }
}
