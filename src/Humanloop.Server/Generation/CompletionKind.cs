using Humanloop.Server.Api;
using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using Humanloop.Server.Providers;

namespace Humanloop.Server.Generation;

/// <summary>
/// The Completions group: the config's <c>prompt_template</c>, filled from the inputs, is sent as
/// one user message; data items are plain <c>DataResponse</c>s.
/// </summary>
internal sealed class CompletionKind() : GenerationKind("completion", ModelEndpoints.Complete, "prompt template")
{
    public override GenerationRequest ReadOwnFields(FieldReader body, GenerationRequest request) => request with
    {
        // Echoed in the response; nothing here honours them.
        Logprobs = body.Int("logprobs"),
        Suffix = body.String("suffix"),
    };

    public override IEnumerable<string?> Templates(ModelConfigContent config) => [config.PromptTemplate];

    public override Conversation Converse(ModelConfigContent config, GenerationRequest request) =>
        new([ChatMessage.FromUser(PromptTemplate.Render(config.PromptTemplate, request.Inputs))], [], null, config.ResponseFormat);

    protected override DataResponse Shape(DataResponse item, SamplePlan sample, SampleView view) => item;
}
