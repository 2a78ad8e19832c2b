using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Api;

/// <summary>
/// The Evaluators group: evaluators are stored, checked and returned here; running them belongs to
/// evaluations.
/// </summary>
internal static class EvaluatorEndpoints
{
    private const int TextLength = 255;

    private static readonly string[] Types = ["python", "llm", "human", "external"];
    private static readonly string[] ArgumentsTypes = ["target_free", "target_required"];
    private static readonly string[] ReturnTypes = ["boolean", "number"];

    public static void MapEvaluatorEndpoints(this IEndpointRouteBuilder v4)
    {
        v4.MapGet("/evaluators", (EvaluatorStore evaluators) => WireResults.Json(evaluators.List().Select(Evaluator).ToList()));

        v4.MapPost("/evaluators", async (HttpContext context, EvaluatorStore evaluators) =>
        {
            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            var name = body.String("name", required: true, maxLength: TextLength, minLength: 1);
            // Required by the spec; a missing description is taken as empty rather than refused.
            var description = body.String("description", maxLength: TextLength) ?? "";
            var argumentsType = body.Enum("arguments_type", ArgumentsTypes, required: true);
            var returnType = body.Enum("return_type", ReturnTypes, required: true);
            var code = body.String("code");
            var modelConfig = ReadModelConfig(body);
            var type = body.Enum("type", Types, required: true);
            body.Errors.ThrowIfAny();

            var evaluator = new EvaluatorRecord
            {
                Id = "",
                Name = name!,
                Description = description,
                Type = type!,
                ArgumentsType = argumentsType!,
                ReturnType = returnType!,
                Code = code,
                ModelConfigId = modelConfig is null ? null : Ids.New(Ids.Config),
                ModelConfig = modelConfig,
                CreatedAt = default,
                UpdatedAt = default,
            };
            CheckDefinition(evaluator, body.Errors);
            body.Errors.ThrowIfAny();
            return WireResults.Json(Evaluator(evaluators.Create(evaluator)), StatusCodes.Status201Created);
        });

        v4.MapGet("/evaluators/{id}", (string id, EvaluatorStore evaluators) => WireResults.Json(Evaluator(evaluators.GetRequired(id))));

        v4.MapPatch("/evaluators/{id}", async (string id, HttpContext context, EvaluatorStore evaluators) =>
        {
            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            var name = body.String("name", minLength: 1);
            var description = body.String("description", maxLength: TextLength);
            var argumentsType = body.Enum("arguments_type", ArgumentsTypes);
            var returnType = body.Enum("return_type", ReturnTypes);
            var code = body.String("code");
            var modelConfig = ReadModelConfig(body);
            body.Errors.ThrowIfAny();

            var stored = evaluators.GetRequired(id);
            var changed = stored with
            {
                Name = name ?? stored.Name,
                Description = description ?? stored.Description,
                ArgumentsType = argumentsType ?? stored.ArgumentsType,
                ReturnType = returnType ?? stored.ReturnType,
                Code = code ?? stored.Code,
                ModelConfigId = modelConfig is null ? stored.ModelConfigId : Ids.New(Ids.Config),
                ModelConfig = modelConfig ?? stored.ModelConfig,
            };
            CheckDefinition(changed, body.Errors);
            body.Errors.ThrowIfAny();
            return WireResults.Json(Evaluator(evaluators.Update(changed)));
        });

        v4.MapDelete("/evaluators/{id}", (string id, EvaluatorStore evaluators) =>
        {
            if (!evaluators.Delete(id))
            {
                throw ApiException.NotFound("Evaluator", id);
            }

            return WireResults.NoContent();
        });
    }

    public static EvaluatorResponse Evaluator(EvaluatorRecord e) => new(
        e.Name,
        e.Description,
        e.ArgumentsType,
        e.ReturnType,
        e.Code,
        e.ModelConfig is null || e.ModelConfigId is null ? null : ResponseBuilder.ModelConfig(e.ModelConfigId, e.ModelConfig),
        e.Type,
        e.Id,
        e.CreatedAt,
        e.UpdatedAt,
        null);

    /// <summary>A <c>ModelConfigCompletionRequest</c>, read like an inline completion config.</summary>
    private static ModelConfigContent? ReadModelConfig(FieldReader body) =>
        body.Nested("model_config") is { } reader ? ModelConfigParser.Parse(reader) : null;

    /// <summary>
    /// What each type needs once the fields are known: python code (and, for a built-in reference, a
    /// known check that fits the return and arguments types), an llm evaluator's model config.
    /// </summary>
    private static void CheckDefinition(EvaluatorRecord evaluator, ValidationErrors errors)
    {
        object[] at(string field) => ["body", field];
        switch (evaluator.Type)
        {
            case "python" when string.IsNullOrWhiteSpace(evaluator.Code):
                errors.Add(at("code"), "python evaluators need code (a builtin: reference, or python source)", "value_error.missing");
                break;
            case "python" when BuiltinEvaluator.IsReference(evaluator.Code):
                var builtin = BuiltinEvaluator.Parse(evaluator.Code!, out var problem);
                if (builtin is null)
                {
                    errors.Add(at("code"), problem!, "value_error");
                    break;
                }

                if (builtin.ReturnTypeProblem(evaluator.ReturnType) is { } mismatch)
                {
                    errors.Add(at("return_type"), mismatch, "value_error");
                }

                if (builtin.UsesTarget && evaluator.ArgumentsType == "target_free")
                {
                    errors.Add(at("arguments_type"), "the check reads the datapoint's target ({{target.…}}): arguments_type must be target_required", "value_error");
                }

                break;
            case "llm" when evaluator.ModelConfig is null:
                errors.Add(at("model_config"), "llm evaluators need a model_config", "value_error.missing");
                break;
        }
    }
}
