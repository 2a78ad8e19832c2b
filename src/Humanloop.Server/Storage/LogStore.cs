using Humanloop.Server.Http;
using System.Data.Common;

namespace Humanloop.Server.Storage;

/// <summary>Logs (one per generated sample) and the feedback attached to them.</summary>
/// <summary>A field of an update: <see cref="IsSet"/> when the request named it (its value may be null, which clears it).</summary>
internal readonly record struct Change<T>(bool IsSet, T? Value)
{
    public static Change<T> Unset => default;

    public static Change<T> To(T? value) => new(true, value);
}

/// <summary>What <c>PATCH /logs</c> may change (v4 <c>UpdateLogRequest</c>); the duration is the log's latency.</summary>
internal sealed record LogUpdate(Change<string> Output, Change<string> Error, Change<double?> Duration);

internal sealed class LogStore(Database database, TimeProvider time)
{
    private const string SelectColumns = """
        id, project_id, session_id, session_reference_id, parent_id, config_id, experiment_id, trial_id, environment,
        inputs, output, raw_output, finish_reason, source, metadata, "user", source_datapoint_id, save,
        prompt_tokens, output_tokens, provider_latency, provider_request, provider_response, created_at, updated_at,
        messages, output_message, tool_choice, evaluation_id, error, reference_id, parent_reference_id, judgment, prompt_cost, output_cost
        """;

    private const string InsertValues = """
        @id, @project, @session, @sessionRef, @parent, @config, @experiment, @trial, @environment,
        @inputs, @output, @raw, @finish, @source, @metadata, @user, @datapoint, @save,
        @promptTokens, @outputTokens, @latency, @providerRequest, @providerResponse, @created, @updated,
        @messages, @outputMessage, @toolChoice, @evaluation, @error, @reference, @parentReference, @judgment, @promptCost, @outputCost
        """;

    public void Insert(LogRecord log) => database.Run(c => Database.Execute(c, $"INSERT INTO logs ({SelectColumns}) VALUES ({InsertValues})", Parameters(log)));

    /// <summary>
    /// Inserts a log of a server-run evaluation only while the evaluation is still pending or running, in one
    /// transaction, so that nothing is written once its status says it was cancelled or failed. False when not written.
    /// </summary>
    public bool InsertWhileEvaluationActive(LogRecord log) => database.InTransaction(c =>
    {
        // The status row is share-locked until the insert commits (on PostgreSQL; SQLite has one writer), so a
        // client's cancel on another replica waits for it rather than slipping in between the check and the write.
        var active = Database.Query(c, "SELECT 1 FROM evaluations WHERE id = @evaluation AND status IN ('pending', 'running')" + database.Dialect.ForShare,
            r => true, ("@evaluation", log.EvaluationId)).Count > 0;
        return active && Database.Execute(c, $"INSERT INTO logs ({SelectColumns}) VALUES ({InsertValues})", Parameters(log)) > 0;
    });

    /// <summary>The latest log of each datapoint of an evaluation (a datapoint's later log replaces the earlier), by datapoint id.</summary>
    public IReadOnlyDictionary<string, LogRecord> LatestForEvaluation(string evaluationId) => database.Run(c =>
        Select(c, """
            WHERE seq IN (SELECT MAX(seq) FROM logs WHERE evaluation_id = @evaluation AND source_datapoint_id IS NOT NULL GROUP BY source_datapoint_id)
            """, ("@evaluation", evaluationId))
        .ToDictionary(l => l.SourceDatapointId!, StringComparer.Ordinal));

    public LogRecord? Get(string id) => database.Run(c => Select(c, "WHERE id = @id", ("@id", id)).FirstOrDefault());

    public LogRecord GetRequired(string id) => Get(id) ?? throw RecordNotFoundException.For("Log", id);

    /// <summary>The latest log with this reference id (a caller may reuse one: the newest is the one meant).</summary>
    public LogRecord? LatestByReference(string referenceId) =>
        database.Run(c => Select(c, "WHERE reference_id = @ref ORDER BY seq DESC LIMIT 1", ("@ref", referenceId)).FirstOrDefault());

    /// <summary>
    /// One page of logs, newest first: a project's, a session's, or a project's in a session. <paramref name="search"/>
    /// matches the output or the inputs' JSON text, case-insensitively; the dates bound created_at inclusively.
    /// </summary>
    public (IReadOnlyList<LogRecord> Items, int Total) List(string? projectId, string? search, DateTime? start, DateTime? end, int page, int size, string? sessionId = null)
    {
        var where = "WHERE 1 = 1"
            + (projectId is null ? "" : " AND project_id = @project")
            + (sessionId is null ? "" : " AND session_id = @session")
            + (search is null ? "" : " AND (instr(lower(COALESCE(output, '')), lower(@search)) > 0 OR instr(lower(inputs), lower(@search)) > 0)")
            + (start is null ? "" : " AND created_at >= @start")
            + (end is null ? "" : " AND created_at <= @end");
        (string, object?)[] parameters =
        [
            ("@project", projectId), ("@session", sessionId), ("@search", search),
            ("@start", start is null ? null : Columns.Time(start.Value)), ("@end", end is null ? null : Columns.Time(end.Value)),
            ("@size", size), ("@offset", (long)page * size),
        ];
        return database.Run(c =>
        {
            var total = Database.Scalar<int>(c, $"SELECT COUNT(*) FROM logs {where}", parameters);
            var items = Select(c, $"{where} ORDER BY created_at DESC, seq DESC LIMIT @size OFFSET @offset", parameters);
            return ((IReadOnlyList<LogRecord>)items, total);
        });
    }

    /// <summary>Changes the fields of a log that <c>UpdateLogRequest</c> names (a field sent as null is cleared).</summary>
    public LogRecord Update(string id, LogUpdate update) => database.InTransaction(c =>
    {
        var log = Select(c, "WHERE id = @id" + database.Dialect.ForUpdate, ("@id", id)).FirstOrDefault() ?? throw RecordNotFoundException.For("Log", id);
        var updated = log with
        {
            Output = update.Output.IsSet ? update.Output.Value : log.Output,
            Error = update.Error.IsSet ? update.Error.Value : log.Error,
            ProviderLatency = update.Duration.IsSet ? update.Duration.Value : log.ProviderLatency,
            UpdatedAt = time.GetUtcNow().UtcDateTime,
        };
        Database.Execute(c, "UPDATE logs SET output = @output, error = @error, provider_latency = @latency, updated_at = @updated WHERE id = @id",
            ("@id", id), ("@output", updated.Output), ("@error", updated.Error), ("@latency", updated.ProviderLatency), ("@updated", Columns.Time(updated.UpdatedAt)));
        return updated;
    });

    /// <summary>Deletes logs (their feedback and evaluation results go with them); an unknown id deletes none of them.</summary>
    public void Delete(IReadOnlyList<string> ids) => database.InTransaction(c =>
    {
        foreach (var id in ids)
        {
            if (Database.Scalar<int>(c, "SELECT COUNT(*) FROM logs WHERE id = @id", ("@id", id)) == 0)
            {
                throw RecordNotFoundException.For("Log", id);
            }
        }

        foreach (var id in ids)
        {
            Database.Execute(c, "DELETE FROM logs WHERE id = @id", ("@id", id));
        }
    });

    /// <summary>
    /// Records feedback. Types other than <c>action</c> and <c>issue</c> hold one value per log, so a
    /// new rating replaces the old one; <c>unset</c> removes the type's values.
    /// </summary>
    public FeedbackRecord AddFeedback(string logId, string type, System.Text.Json.Nodes.JsonNode? value, string? user, DateTime? createdAt, bool unset) => database.InTransaction(c =>
    {
        if (unset || !IsMultiValued(type))
        {
            Database.Execute(c, "DELETE FROM feedback WHERE log_id = @log AND type = @type", ("@log", logId), ("@type", type));
        }

        var feedback = new FeedbackRecord(Domain.Ids.New(Domain.Ids.Feedback), logId, type, value?.DeepClone(), user, createdAt ?? time.GetUtcNow().UtcDateTime);
        if (!unset)
        {
            Database.Execute(c, "INSERT INTO feedback (id, log_id, type, value, value_text, \"user\", created_at) VALUES (@id, @log, @type, @value, @text, @user, @created)",
                ("@id", feedback.Id), ("@log", logId), ("@type", type), ("@value", value?.ToJsonString()),
                ("@text", FeedbackRecord.ValueText(value)), ("@user", user), ("@created", Columns.Time(feedback.CreatedAt)));
        }

        Database.Execute(c, "UPDATE logs SET updated_at = @now WHERE id = @log", ("@log", logId), ("@now", Columns.Time(time.GetUtcNow().UtcDateTime)));
        return feedback;
    });

    public IReadOnlyList<FeedbackRecord> Feedback(string logId) => database.Run(c =>
        Database.Query(c, "SELECT id, log_id, type, value, \"user\", created_at FROM feedback WHERE log_id = @log ORDER BY seq",
            r => new FeedbackRecord(Columns.RequiredText(r, "id"), Columns.RequiredText(r, "log_id"), Columns.RequiredText(r, "type"),
                WireJson.ParseOrNull(Columns.Text(r, "value")), Columns.Text(r, "user"), Columns.Time(r, "created_at")),
            ("@log", logId)));

    private static bool IsMultiValued(string type) => type is "action" or "issue";

    private static (string, object?)[] Parameters(LogRecord log) =>
    [
        ("@id", log.Id), ("@project", log.ProjectId), ("@session", log.SessionId), ("@sessionRef", log.SessionReferenceId),
        ("@parent", log.ParentId), ("@config", log.ConfigId), ("@experiment", log.ExperimentId), ("@trial", log.TrialId),
        ("@environment", log.Environment), ("@inputs", WireJson.ToText(log.Inputs)), ("@output", log.Output), ("@raw", log.RawOutput),
        ("@finish", log.FinishReason), ("@source", log.Source), ("@metadata", WireJson.ToText(log.Metadata)), ("@user", log.User),
        ("@datapoint", log.SourceDatapointId), ("@save", log.Save ? 1 : 0), ("@promptTokens", log.PromptTokens),
        ("@outputTokens", log.OutputTokens), ("@latency", log.ProviderLatency), ("@providerRequest", WireJson.ToText(log.ProviderRequest)),
        ("@providerResponse", WireJson.ToText(log.ProviderResponse)), ("@created", Columns.Time(log.CreatedAt)), ("@updated", Columns.Time(log.UpdatedAt)),
        ("@messages", WireJson.ToText(log.Messages)), ("@outputMessage", WireJson.ToText(log.OutputMessage)), ("@toolChoice", WireJson.ToText(log.ToolChoice)),
        ("@evaluation", log.EvaluationId), ("@error", log.Error), ("@reference", log.ReferenceId), ("@parentReference", log.ParentReferenceId),
        ("@judgment", WireJson.ToText(log.Judgment)), ("@promptCost", log.PromptCost), ("@outputCost", log.OutputCost),
    ];

    private static List<LogRecord> Select(DbConnection c, string clause, params (string, object?)[] parameters) =>
        Database.Query(c, $"SELECT {SelectColumns} FROM logs {clause}", r => new LogRecord
        {
            Id = Columns.RequiredText(r, "id"),
            ProjectId = Columns.RequiredText(r, "project_id"),
            SessionId = Columns.Text(r, "session_id"),
            SessionReferenceId = Columns.Text(r, "session_reference_id"),
            ParentId = Columns.Text(r, "parent_id"),
            ConfigId = Columns.RequiredText(r, "config_id"),
            ExperimentId = Columns.Text(r, "experiment_id"),
            TrialId = Columns.Text(r, "trial_id"),
            Environment = Columns.Text(r, "environment"),
            Inputs = WireJson.ParseObject(Columns.RequiredText(r, "inputs")),
            Messages = WireJson.ParseOrNull(Columns.Text(r, "messages")) as System.Text.Json.Nodes.JsonArray,
            OutputMessage = WireJson.ParseOrNull(Columns.Text(r, "output_message")) as System.Text.Json.Nodes.JsonObject,
            ToolChoice = WireJson.ParseOrNull(Columns.Text(r, "tool_choice")),
            Output = Columns.Text(r, "output"),
            RawOutput = Columns.Text(r, "raw_output"),
            FinishReason = Columns.Text(r, "finish_reason"),
            Source = Columns.Text(r, "source"),
            Metadata = WireJson.ParseOrNull(Columns.Text(r, "metadata")) as System.Text.Json.Nodes.JsonObject,
            User = Columns.Text(r, "user"),
            SourceDatapointId = Columns.Text(r, "source_datapoint_id"),
            Save = Columns.Bool(r, "save"),
            PromptTokens = Columns.Int(r, "prompt_tokens"),
            OutputTokens = Columns.Int(r, "output_tokens"),
            ProviderLatency = Columns.Real(r, "provider_latency"),
            ProviderRequest = WireJson.ParseOrNull(Columns.Text(r, "provider_request")),
            ProviderResponse = WireJson.ParseOrNull(Columns.Text(r, "provider_response")),
            CreatedAt = Columns.Time(r, "created_at"),
            UpdatedAt = Columns.Time(r, "updated_at"),
            EvaluationId = Columns.Text(r, "evaluation_id"),
            Error = Columns.Text(r, "error"),
            ReferenceId = Columns.Text(r, "reference_id"),
            ParentReferenceId = Columns.Text(r, "parent_reference_id"),
            Judgment = WireJson.ParseOrNull(Columns.Text(r, "judgment")),
            PromptCost = Columns.Real(r, "prompt_cost"),
            OutputCost = Columns.Real(r, "output_cost"),
        }, parameters);
}
