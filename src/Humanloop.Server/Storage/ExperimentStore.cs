using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using System.Data.Common;

namespace Humanloop.Server.Storage;

internal sealed class ExperimentStore(Database database, TimeProvider time)
{
    public ExperimentRecord Create(string projectId, string name, IReadOnlyList<PositiveLabel> positiveLabels, IReadOnlyList<string> configIds) => database.InTransaction(c =>
    {
        var now = time.GetUtcNow().UtcDateTime;
        var experiment = new ExperimentRecord(Ids.New(Ids.Experiment), projectId, name, positiveLabels, Ids.New(Ids.Metric), now, now);
        Database.Execute(c, "INSERT INTO experiments (id, project_id, name, positive_labels, metric_id, created_at, updated_at) VALUES (@id, @project, @name, @labels, @metric, @now, @now)",
            ("@id", experiment.Id), ("@project", projectId), ("@name", name), ("@labels", PositiveLabel.ToJsonText(positiveLabels)),
            ("@metric", experiment.MetricId), ("@now", Columns.Time(now)));
        foreach (var configId in configIds)
        {
            UpsertConfig(c, experiment.Id, configId, active: true, now);
        }

        return experiment;
    });

    public ExperimentRecord? Get(string id) => database.Run(c => Select(c, "WHERE id = @id", ("@id", id)).FirstOrDefault());

    public ExperimentRecord GetRequired(string id) => Get(id) ?? throw RecordNotFoundException.For("Experiment", id);

    /// <summary>An experiment that exists and belongs to the project.</summary>
    public ExperimentRecord GetRequiredInProject(string id, string projectId) =>
        GetRequired(id) is { } experiment && experiment.ProjectId == projectId ? experiment
        : throw new RecordNotFoundException($"Experiment {id} not found in project {projectId}");

    public IReadOnlyList<ExperimentRecord> ListByProject(string projectId) =>
        database.Run(c => Select(c, "WHERE project_id = @project ORDER BY created_at, rowid", ("@project", projectId)));

    public ExperimentRecord Update(
        string id,
        string? name,
        IReadOnlyList<PositiveLabel>? positiveLabels,
        IReadOnlyList<string> register,
        IReadOnlyList<string> deregister) => database.InTransaction(c =>
    {
        var experiment = Select(c, "WHERE id = @id", ("@id", id)).FirstOrDefault() ?? throw RecordNotFoundException.For("Experiment", id);
        var now = time.GetUtcNow().UtcDateTime;
        var updated = experiment with { Name = name ?? experiment.Name, PositiveLabels = positiveLabels ?? experiment.PositiveLabels, UpdatedAt = now };
        Database.Execute(c, "UPDATE experiments SET name = @name, positive_labels = @labels, updated_at = @now WHERE id = @id",
            ("@id", id), ("@name", updated.Name), ("@labels", PositiveLabel.ToJsonText(updated.PositiveLabels)), ("@now", Columns.Time(now)));
        foreach (var configId in register)
        {
            UpsertConfig(c, id, configId, active: true, now);
        }

        foreach (var configId in deregister)
        {
            Database.Execute(c, "UPDATE experiment_configs SET active = 0, updated_at = @now WHERE experiment_id = @exp AND config_id = @config",
                ("@exp", id), ("@config", configId), ("@now", Columns.Time(now)));
        }

        return updated;
    });

    public bool Delete(string id) => database.Run(c => Database.Execute(c, "DELETE FROM experiments WHERE id = @id", ("@id", id)) > 0);

    public IReadOnlyList<ExperimentConfigRecord> Configs(string experimentId) => database.Run(c =>
        Database.Query(c, "SELECT experiment_id, config_id, active, created_at, updated_at FROM experiment_configs WHERE experiment_id = @exp ORDER BY position",
            r => new ExperimentConfigRecord(Columns.RequiredText(r, "experiment_id"), Columns.RequiredText(r, "config_id"), Columns.Bool(r, "active"),
                Columns.Time(r, "created_at"), Columns.Time(r, "updated_at")),
            ("@exp", experimentId)));

    /// <summary>Records a trial handed out by sampling (the config chosen for it), so that a log posted with its id finds both.</summary>
    public TrialRecord RecordTrial(string experimentId, string configId) => database.Run(c =>
    {
        var trial = new TrialRecord(Ids.New(Ids.Trial), experimentId, configId, time.GetUtcNow().UtcDateTime);
        Database.Execute(c, "INSERT INTO trials (id, experiment_id, config_id, created_at) VALUES (@id, @exp, @config, @created)",
            ("@id", trial.Id), ("@exp", experimentId), ("@config", configId), ("@created", Columns.Time(trial.CreatedAt)));
        return trial;
    });

    /// <summary>A trial by id: one handed out by sampling, else one a generation through the experiment made (its log's).</summary>
    public TrialRecord? FindTrial(string id) => database.Run(c =>
        Database.Query(c, "SELECT id, experiment_id, config_id, created_at FROM trials WHERE id = @id",
            r => new TrialRecord(Columns.RequiredText(r, "id"), Columns.RequiredText(r, "experiment_id"), Columns.RequiredText(r, "config_id"), Columns.Time(r, "created_at")),
            ("@id", id)).FirstOrDefault()
        ?? Database.Query(c, "SELECT trial_id, experiment_id, config_id, created_at FROM logs WHERE trial_id = @id AND experiment_id IS NOT NULL ORDER BY seq LIMIT 1",
            r => new TrialRecord(Columns.RequiredText(r, "trial_id"), Columns.RequiredText(r, "experiment_id"), Columns.RequiredText(r, "config_id"), Columns.Time(r, "created_at")),
            ("@id", id)).FirstOrDefault());

    /// <summary>
    /// Trials (logs produced through the experiment) per config, how many of them have feedback,
    /// and how many have feedback matching one of the experiment's positive labels.
    /// </summary>
    public IReadOnlyList<TrialStats> Stats(ExperimentRecord experiment)
    {
        var rows = database.Run(c => Database.Query(c, """
            SELECT l.id AS log_id, l.config_id, f.type, f.value_text
            FROM logs l LEFT JOIN feedback f ON f.log_id = l.id
            WHERE l.experiment_id = @exp
            """,
            r => (LogId: Columns.RequiredText(r, "log_id"), ConfigId: Columns.RequiredText(r, "config_id"), Type: Columns.Text(r, "type"), Value: Columns.Text(r, "value_text")),
            ("@exp", experiment.Id)));

        return rows
            .GroupBy(r => r.ConfigId)
            .Select(byConfig =>
            {
                var logs = byConfig.GroupBy(r => r.LogId).ToList();
                var withFeedback = logs.Count(l => l.Any(r => r.Type is not null));
                var positives = logs.Count(l => l.Any(r => r.Type is not null && experiment.PositiveLabels.Any(p => p.Matches(r.Type, r.Value))));
                return new TrialStats(byConfig.Key, logs.Count, withFeedback, positives);
            })
            .ToList();
    }

    private static void UpsertConfig(DbConnection c, string experimentId, string configId, bool active, DateTime now)
    {
        var position = Database.Scalar<int>(c, "SELECT COALESCE(MAX(position), -1) + 1 FROM experiment_configs WHERE experiment_id = @exp", ("@exp", experimentId));
        Database.Execute(c, """
            INSERT INTO experiment_configs (experiment_id, config_id, active, position, created_at, updated_at)
            VALUES (@exp, @config, @active, @position, @now, @now)
            ON CONFLICT (experiment_id, config_id) DO UPDATE SET active = @active, updated_at = @now
            """,
            ("@exp", experimentId), ("@config", configId), ("@active", active ? 1 : 0), ("@position", position), ("@now", Columns.Time(now)));
    }

    private static List<ExperimentRecord> Select(DbConnection c, string clause, params (string, object?)[] parameters) =>
        Database.Query(c, $"SELECT id, project_id, name, positive_labels, metric_id, created_at, updated_at FROM experiments {clause}", r => new ExperimentRecord(
            Columns.RequiredText(r, "id"),
            Columns.RequiredText(r, "project_id"),
            Columns.RequiredText(r, "name"),
            PositiveLabel.FromJsonText(Columns.Text(r, "positive_labels")),
            Columns.RequiredText(r, "metric_id"),
            Columns.Time(r, "created_at"),
            Columns.Time(r, "updated_at")), parameters);
}
