using Humanloop.Server.Domain;
using Humanloop.Server.Hosting;
using Humanloop.Server.Http;
using Humanloop.Server.Observability;

namespace Humanloop.Server.Generation;

/// <summary>A generation group's four endpoints, each streaming when the body says <c>"stream": true</c>.</summary>
internal static class GenerationEndpoints
{
    public static void MapGenerationEndpoints(this IEndpointRouteBuilder v4, GenerationKind kind)
    {
        Map(v4, kind, "", ConfigSource.Inline);
        Map(v4, kind, "-deployed", ConfigSource.Deployed);
        Map(v4, kind, "-model-config", ConfigSource.ModelConfig);
        Map(v4, kind, "-experiment", ConfigSource.Experiment);
    }

    private static void Map(IEndpointRouteBuilder v4, GenerationKind kind, string suffix, ConfigSource configSource)
    {
        v4.MapPost($"/{kind.Group}{suffix}", async (HttpContext context, GenerationPlanner planner, GenerationRunner runner, GenerationStreamer streamer, ServerOptions options) =>
        {
            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            var request = GenerationRequest.Parse(body, kind, configSource);
            var plan = planner.Plan(request);
            RequestLog.SetProject(context, plan.Project.Id);
            if (options.LogPrompts)
            {
                // Only when the operator asked for it: the first sample's messages as the model gets them.
                RequestLog.SetPrompt(context, ChatMessage.ToJson(plan.Samples[0].Conversation.Messages).ToJsonString());
            }

            if (request.Stream)
            {
                await streamer.StreamAsync(plan, context);
                return Results.Empty;
            }

            return WireResults.Json(await runner.RunAsync(plan, context.RequestAborted));
        });
    }
}
