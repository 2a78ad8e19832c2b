using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace Humanloop.Json;

/// <summary>
/// Serializers for the projects, model configs, deployments, experiments, logs, sessions, feedback, datasets, datapoints, evaluators and evaluations groups.
/// </summary>
/// <remarks>
/// A context of its own because the JSON source generator does not merge [JsonSerializable] attributes
/// across partial declarations (it emits every type twice and fails with a duplicate hint name). The
/// options must stay identical to <see cref="HumanloopJsonContext"/>'s: one wire format.
/// </remarks>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(Project))]
[JsonSerializable(typeof(Page<Project>))]
[JsonSerializable(typeof(CreateProjectRequest))]
[JsonSerializable(typeof(UpdateProjectRequest))]
[JsonSerializable(typeof(ModelConfig))]
[JsonSerializable(typeof(ProjectModelConfig))]
[JsonSerializable(typeof(List<ProjectModelConfig>))]
[JsonSerializable(typeof(RegisterModelConfigRequest))]
[JsonSerializable(typeof(List<Deployment>))]
[JsonSerializable(typeof(DeployRequest))]
[JsonSerializable(typeof(Experiment))]
[JsonSerializable(typeof(List<Experiment>))]
[JsonSerializable(typeof(CreateExperimentRequest))]
[JsonSerializable(typeof(UpdateExperimentRequest))]
[JsonSerializable(typeof(Log))]
[JsonSerializable(typeof(Page<Log>))]
[JsonSerializable(typeof(Feedback))]
[JsonSerializable(typeof(FeedbackRequest))]
[JsonSerializable(typeof(Dataset))]
[JsonSerializable(typeof(List<Dataset>))]
[JsonSerializable(typeof(DatasetRequest))]
[JsonSerializable(typeof(Datapoint))]
[JsonSerializable(typeof(Page<Datapoint>))]
[JsonSerializable(typeof(List<Datapoint>))]
[JsonSerializable(typeof(List<DatapointRequest>))]
[JsonSerializable(typeof(DatapointRequest))]
[JsonSerializable(typeof(DatapointsFromLogsRequest))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(Evaluator))]
[JsonSerializable(typeof(List<Evaluator>))]
[JsonSerializable(typeof(EvaluatorRequest))]
[JsonSerializable(typeof(Evaluation))]
[JsonSerializable(typeof(List<Evaluation>))]
[JsonSerializable(typeof(Page<Evaluation>))]
[JsonSerializable(typeof(Page<EvaluationDatapoint>))]
[JsonSerializable(typeof(CreateEvaluationRequest))]
[JsonSerializable(typeof(UpdateEvaluationStatusRequest))]
[JsonSerializable(typeof(AddEvaluatorsRequest))]
[JsonSerializable(typeof(EvaluationLogRequest))]
[JsonSerializable(typeof(CreatedLog))]
[JsonSerializable(typeof(EvaluationResultRequest))]
[JsonSerializable(typeof(EvaluationResult))]
[JsonSerializable(typeof(LogRequest))]
[JsonSerializable(typeof(UpdateLogRequest))]
[JsonSerializable(typeof(Page<ExportedLog>))]
[JsonSerializable(typeof(Session))]
[JsonSerializable(typeof(Page<Session>))]
[JsonSerializable(typeof(CreatedSession))]
[JsonSerializable(typeof(DeserializeModelConfigRequest))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(FeedbackType))]
[JsonSerializable(typeof(List<FeedbackType>))]
[JsonSerializable(typeof(FeedbackTypeRequest))]
[JsonSerializable(typeof(List<FeedbackTypeRequest>))]
internal sealed partial class WorkflowJsonContext : JsonSerializerContext
{
}
