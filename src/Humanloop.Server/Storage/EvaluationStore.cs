using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Evaluations;
using Humanloop.Server.Http;
using System.Data.Common;

namespace Humanloop.Server.Storage;

/// <summary>
/// Evaluations of a project: their evaluators, the snapshot of their dataset's datapoints, their status, and
/// the evaluators' results on their logs (the logs themselves are in <see cref="LogStore"/>).
/// </summary>
internal sealed class EvaluationStore(Database database, TimeProvider time)
{
    private const string SelectColumns = """
        id, project_id, config_id, dataset_id, dataset_version_id, dataset_snapshot, hl_generated, status, status_reason, created_at, updated_at
        """;

    private const string ActiveClause = "status IN ('pending', 'running')";

    /// <summary>
    /// How long a server run's claim lasts without renewal. The replica running it renews it every third of this; a
    /// run whose lease lapsed belongs to a replica that stopped, and is failed (at another replica's start, or by its sweep).
    /// </summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Creates an evaluation with its evaluators and a snapshot of the dataset's datapoints as they are now,
    /// copied in the same transaction that reads the dataset, so later edits to the dataset do not reach it.
    /// </summary>
    /// <exception cref="RecordNotFoundException">The dataset is gone.</exception>
    public EvaluationRecord Create(string projectId, string configId, string datasetId, IReadOnlyList<string> evaluatorIds, bool hlGenerated) => database.InTransaction(c =>
    {
        var dataset = Database.Query(c, """
            SELECT d.id, d.project_id, d.name, d.description, d.created_at, d.updated_at,
                (SELECT COUNT(*) FROM datapoints p WHERE p.dataset_id = d.id) AS datapoint_count
            FROM datasets d WHERE d.id = @id
            """, r => new DatasetRecord(
                Columns.RequiredText(r, "id"),
                Columns.RequiredText(r, "project_id"),
                Columns.RequiredText(r, "name"),
                Columns.RequiredText(r, "description"),
                Columns.Int(r, "datapoint_count") ?? 0,
                Columns.Time(r, "created_at"),
                Columns.Time(r, "updated_at")), ("@id", datasetId)).FirstOrDefault() ?? throw RecordNotFoundException.For("Dataset", datasetId);

        var now = time.GetUtcNow().UtcDateTime;
        var evaluation = new EvaluationRecord
        {
            Id = Ids.New(Ids.Evaluation),
            ProjectId = projectId,
            ConfigId = configId,
            DatasetId = datasetId,
            DatasetVersionId = Ids.New(Ids.DatasetVersion),
            DatasetSnapshot = dataset,
            HlGenerated = hlGenerated,
            Status = EvaluationStatus.Pending,
            CreatedAt = now,
            UpdatedAt = now,
        };
        // A server run is leased from the start, by the replica that will run it: no other replica takes it for lost.
        Database.Execute(c, $"""
            INSERT INTO evaluations ({SelectColumns}, lease_until)
            VALUES (@id, @project, @config, @dataset, @version, @snapshot, @hl, @status, NULL, @now, @now, @lease)
            """,
            ("@lease", hlGenerated ? Columns.Time(now + Lease) : null),
            ("@id", evaluation.Id), ("@project", projectId), ("@config", configId), ("@dataset", datasetId), ("@version", evaluation.DatasetVersionId),
            ("@snapshot", SnapshotJson(dataset)), ("@hl", hlGenerated ? 1 : 0), ("@status", evaluation.Status), ("@now", Columns.Time(now)));
        Database.Execute(c, """
            INSERT INTO evaluation_datapoints (evaluation_id, position, datapoint_id, dataset_id, inputs, messages, target, created_at, updated_at)
            SELECT @evaluation, seq, id, dataset_id, inputs, messages, target, created_at, updated_at FROM datapoints WHERE dataset_id = @dataset
            """, ("@evaluation", evaluation.Id), ("@dataset", datasetId));
        AddEvaluators(c, evaluation.Id, evaluatorIds);
        return evaluation;
    });

    public EvaluationRecord? Get(string id) => database.Run(c => Select(c, "WHERE id = @id", ("@id", id)).FirstOrDefault());

    public EvaluationRecord GetRequired(string id) => Get(id) ?? throw RecordNotFoundException.For("Evaluation", id);

    /// <summary>A project's evaluations, newest first.</summary>
    public IReadOnlyList<EvaluationRecord> ListByProject(string projectId) =>
        database.Run(c => Select(c, "WHERE project_id = @project ORDER BY created_at DESC, seq DESC", ("@project", projectId)));

    /// <summary>One page of a project's evaluations, newest first, optionally only the given ids and within created_at bounds (inclusive).</summary>
    public (IReadOnlyList<EvaluationRecord> Items, int Total) List(string projectId, IReadOnlyList<string> ids, DateTime? start, DateTime? end, int page, int size)
    {
        var idParameters = ids.Select((id, i) => ($"@id{i}", (object?)id)).ToList();
        var where = "WHERE project_id = @project"
            + (ids.Count == 0 ? "" : $" AND id IN ({string.Join(", ", idParameters.Select(p => p.Item1))})")
            + (start is null ? "" : " AND created_at >= @start")
            + (end is null ? "" : " AND created_at <= @end");
        (string, object?)[] parameters =
        [
            ("@project", projectId), ("@start", start is null ? null : Columns.Time(start.Value)), ("@end", end is null ? null : Columns.Time(end.Value)),
            ("@size", size), ("@offset", (long)page * size), .. idParameters,
        ];
        return database.Run(c =>
        {
            var total = Database.Scalar<int>(c, $"SELECT COUNT(*) FROM evaluations {where}", parameters);
            var items = Select(c, $"{where} ORDER BY created_at DESC, seq DESC LIMIT @size OFFSET @offset", parameters);
            return ((IReadOnlyList<EvaluationRecord>)items, total);
        });
    }

    /// <summary>The evaluation's evaluator ids, in the order they were added.</summary>
    public IReadOnlyList<string> EvaluatorIds(string evaluationId) => database.Run(c =>
        Database.Query(c, "SELECT evaluator_id FROM evaluation_evaluators WHERE evaluation_id = @evaluation ORDER BY position",
            r => r.GetString(0), ("@evaluation", evaluationId)));

    /// <summary>Adds evaluators after those the evaluation has; ones it already has are left where they are.</summary>
    public EvaluationRecord AddEvaluators(string evaluationId, IReadOnlyList<string> evaluatorIds) => database.InTransaction(c =>
    {
        var evaluation = Select(c, "WHERE id = @id", ("@id", evaluationId)).FirstOrDefault() ?? throw RecordNotFoundException.For("Evaluation", evaluationId);
        AddEvaluators(c, evaluationId, evaluatorIds);
        return Touch(c, evaluation);
    });

    /// <summary>The snapshot's datapoints in their dataset's order, one page (or all, without a size).</summary>
    public (IReadOnlyList<DatapointRecord> Items, int Total) Datapoints(string evaluationId, int offset = 0, int? size = null) => database.Run(c =>
    {
        var total = Database.Scalar<int>(c, "SELECT COUNT(*) FROM evaluation_datapoints WHERE evaluation_id = @evaluation", ("@evaluation", evaluationId));
        var items = SelectDatapoints(c, "WHERE evaluation_id = @evaluation ORDER BY position LIMIT @size OFFSET @offset",
            ("@evaluation", evaluationId), ("@size", size ?? int.MaxValue), ("@offset", offset));
        return ((IReadOnlyList<DatapointRecord>)items, total);
    });

    /// <summary>A datapoint of the snapshot, as it was when the evaluation was created; null when the snapshot has no such datapoint.</summary>
    public DatapointRecord? Datapoint(string evaluationId, string datapointId) => database.Run(c =>
        SelectDatapoints(c, "WHERE evaluation_id = @evaluation AND datapoint_id = @datapoint", ("@evaluation", evaluationId), ("@datapoint", datapointId))
            .FirstOrDefault());

    /// <summary>Sets the status (and its reason) whatever it was; the caller decided the change is allowed.</summary>
    public EvaluationRecord SetStatus(string id, string status, string? reason) => database.InTransaction(c =>
    {
        var evaluation = Select(c, "WHERE id = @id" + database.Dialect.ForUpdate, ("@id", id)).FirstOrDefault() ?? throw RecordNotFoundException.For("Evaluation", id);
        return WriteStatus(c, evaluation, status, reason);
    });

    /// <summary>
    /// Moves the evaluation to <paramref name="status"/> only if its status is one of <paramref name="from"/>, atomically;
    /// false (and nothing changed) otherwise. The server's own transitions go through here, so they never undo a
    /// client's decision (a run cancelled by a client is not then marked completed).
    /// </summary>
    public bool TryTransition(string id, IReadOnlyCollection<string> from, string status, string? reason = null) => database.InTransaction(c =>
    {
        var evaluation = Select(c, "WHERE id = @id" + database.Dialect.ForUpdate, ("@id", id)).FirstOrDefault();
        if (evaluation is null || !from.Contains(evaluation.Status))
        {
            return false;
        }

        WriteStatus(c, evaluation, status, reason);
        return true;
    });

    /// <summary>
    /// Marks server-run evaluations still pending or running as failed, with <paramref name="reason"/>. At the start of
    /// the only process on a database, every one of them was interrupted; with <paramref name="onlyExpiredLeases"/>
    /// (replicas share the database) only those whose lease lapsed, as the replica running them stopped.
    /// Client-driven evaluations are left alone.
    /// </summary>
    public int FailInterruptedRuns(string reason, bool onlyExpiredLeases = false)
    {
        var now = Columns.Time(time.GetUtcNow().UtcDateTime);
        var lapsed = onlyExpiredLeases ? " AND (lease_until IS NULL OR lease_until < @now)" : "";
        return database.Run(c => Database.Execute(c, $"""
            UPDATE evaluations SET status = 'failed', status_reason = @reason, updated_at = @now, lease_until = NULL
            WHERE hl_generated = 1 AND {ActiveClause}{lapsed}
            """, ("@reason", reason), ("@now", now)));
    }

    /// <summary>Extends the lease of a server run still pending or running; false when it has ended (nothing to hold).</summary>
    public bool RenewLease(string id) => database.Run(c => Database.Execute(c, $"""
        UPDATE evaluations SET lease_until = @lease WHERE id = @id AND hl_generated = 1 AND {ActiveClause}
        """, ("@id", id), ("@lease", Columns.Time(time.GetUtcNow().UtcDateTime + Lease))) > 0);

    /// <summary>
    /// Records an evaluator's result on a log, replacing the one it had (which keeps its id and creation time). With
    /// <paramref name="onlyWhileActive"/> (the server's own runs) nothing is written unless the evaluation is still pending
    /// or running. Returns the result as stored, or null when it was not written.
    /// </summary>
    public EvaluationResultRecord? SaveResult(string evaluationId, string logId, string evaluatorId, JsonNode? value, string? error, string? judgeLogId, bool onlyWhileActive) => database.InTransaction(c =>
    {
        var now = Columns.Time(time.GetUtcNow().UtcDateTime);
        var written = Database.Execute(c, $"""
            INSERT INTO evaluation_results (id, evaluation_id, log_id, evaluator_id, value, error, judge_log_id, created_at, updated_at)
            SELECT @id, @evaluation, @log, @evaluator, @value, @error, @judge, @now, @now
            WHERE @guarded = 0 OR EXISTS (SELECT 1 FROM evaluations WHERE id = @evaluation AND {ActiveClause})
            ON CONFLICT (log_id, evaluator_id) DO UPDATE SET
                value = excluded.value, error = excluded.error, judge_log_id = excluded.judge_log_id, updated_at = excluded.updated_at
            """,
            ("@id", Ids.New(Ids.EvaluationResult)), ("@evaluation", evaluationId), ("@log", logId), ("@evaluator", evaluatorId),
            ("@value", value?.ToJsonString()), ("@error", error), ("@judge", judgeLogId), ("@now", now), ("@guarded", onlyWhileActive ? 1 : 0));
        return written == 0 ? null : SelectResults(c, "WHERE log_id = @log AND evaluator_id = @evaluator", ("@log", logId), ("@evaluator", evaluatorId)).Single();
    });

    /// <summary>Removes an evaluator's result on a log (a human evaluator's feedback was unset); false when there was none.</summary>
    public bool DeleteResult(string logId, string evaluatorId) => database.Run(c =>
        Database.Execute(c, "DELETE FROM evaluation_results WHERE log_id = @log AND evaluator_id = @evaluator", ("@log", logId), ("@evaluator", evaluatorId)) > 0);

    /// <summary>The results on these logs, in the order they were first recorded.</summary>
    public IReadOnlyList<EvaluationResultRecord> Results(IReadOnlyCollection<string> logIds)
    {
        if (logIds.Count == 0)
        {
            return [];
        }

        var parameters = logIds.Select((id, i) => ($"@log{i}", (object?)id)).ToArray();
        return database.Run(c => SelectResults(c, $"WHERE log_id IN ({string.Join(", ", parameters.Select(p => p.Item1))}) ORDER BY seq", parameters));
    }

    private static void AddEvaluators(DbConnection c, string evaluationId, IReadOnlyList<string> evaluatorIds)
    {
        foreach (var evaluatorId in evaluatorIds)
        {
            Database.Execute(c, """
                INSERT INTO evaluation_evaluators (evaluation_id, evaluator_id, position)
                VALUES (@evaluation, @evaluator, (SELECT COALESCE(MAX(position), -1) + 1 FROM evaluation_evaluators WHERE evaluation_id = @evaluation))
                ON CONFLICT (evaluation_id, evaluator_id) DO NOTHING
                """, ("@evaluation", evaluationId), ("@evaluator", evaluatorId));
        }
    }

    private EvaluationRecord WriteStatus(DbConnection c, EvaluationRecord evaluation, string status, string? reason)
    {
        var updated = evaluation with { Status = status, StatusReason = reason, UpdatedAt = time.GetUtcNow().UtcDateTime };
        Database.Execute(c, "UPDATE evaluations SET status = @status, status_reason = @reason, updated_at = @now WHERE id = @id",
            ("@id", evaluation.Id), ("@status", status), ("@reason", reason), ("@now", Columns.Time(updated.UpdatedAt)));
        return updated;
    }

    private EvaluationRecord Touch(DbConnection c, EvaluationRecord evaluation)
    {
        var updated = evaluation with { UpdatedAt = time.GetUtcNow().UtcDateTime };
        Database.Execute(c, "UPDATE evaluations SET updated_at = @now WHERE id = @id", ("@id", evaluation.Id), ("@now", Columns.Time(updated.UpdatedAt)));
        return updated;
    }

    private static string SnapshotJson(DatasetRecord d) => new JsonObject
    {
        ["project_id"] = d.ProjectId,
        ["name"] = d.Name,
        ["description"] = d.Description,
        ["datapoint_count"] = d.DatapointCount,
        ["created_at"] = Columns.Time(d.CreatedAt),
        ["updated_at"] = Columns.Time(d.UpdatedAt),
    }.ToJsonString();

    private static DatasetRecord Snapshot(string datasetId, JsonObject json) => new(
        datasetId,
        (string)json["project_id"]!,
        (string)json["name"]!,
        (string)json["description"]!,
        (int)json["datapoint_count"]!,
        ParseTime((string)json["created_at"]!),
        ParseTime((string)json["updated_at"]!));

    private static DateTime ParseTime(string text) =>
        DateTime.Parse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);

    private static List<EvaluationRecord> Select(DbConnection c, string clause, params (string, object?)[] parameters) =>
        Database.Query(c, $"SELECT {SelectColumns} FROM evaluations {clause}", r => new EvaluationRecord
        {
            Id = Columns.RequiredText(r, "id"),
            ProjectId = Columns.RequiredText(r, "project_id"),
            ConfigId = Columns.RequiredText(r, "config_id"),
            DatasetId = Columns.RequiredText(r, "dataset_id"),
            DatasetVersionId = Columns.RequiredText(r, "dataset_version_id"),
            DatasetSnapshot = Snapshot(Columns.RequiredText(r, "dataset_id"), WireJson.ParseObject(Columns.RequiredText(r, "dataset_snapshot"))),
            HlGenerated = Columns.Bool(r, "hl_generated"),
            Status = Columns.RequiredText(r, "status"),
            StatusReason = Columns.Text(r, "status_reason"),
            CreatedAt = Columns.Time(r, "created_at"),
            UpdatedAt = Columns.Time(r, "updated_at"),
        }, parameters);

    private static List<DatapointRecord> SelectDatapoints(DbConnection c, string clause, params (string, object?)[] parameters) =>
        Database.Query(c, $"SELECT datapoint_id, dataset_id, inputs, messages, target, created_at, updated_at FROM evaluation_datapoints {clause}",
            r => new DatapointRecord(
                Columns.RequiredText(r, "datapoint_id"),
                Columns.RequiredText(r, "dataset_id"),
                WireJson.ParseObject(Columns.RequiredText(r, "inputs")),
                JsonNode.Parse(Columns.RequiredText(r, "messages"))!.AsArray(),
                WireJson.ParseObject(Columns.RequiredText(r, "target")),
                Columns.Time(r, "created_at"),
                Columns.Time(r, "updated_at")), parameters);

    private static List<EvaluationResultRecord> SelectResults(DbConnection c, string clause, params (string, object?)[] parameters) =>
        Database.Query(c, $"SELECT id, evaluation_id, log_id, evaluator_id, value, error, judge_log_id, created_at, updated_at FROM evaluation_results {clause}",
            r => new EvaluationResultRecord
            {
                Id = Columns.RequiredText(r, "id"),
                EvaluationId = Columns.RequiredText(r, "evaluation_id"),
                LogId = Columns.RequiredText(r, "log_id"),
                EvaluatorId = Columns.RequiredText(r, "evaluator_id"),
                Value = WireJson.ParseOrNull(Columns.Text(r, "value")),
                Error = Columns.Text(r, "error"),
                JudgeLogId = Columns.Text(r, "judge_log_id"),
                CreatedAt = Columns.Time(r, "created_at"),
                UpdatedAt = Columns.Time(r, "updated_at"),
            }, parameters);
}
