using System.Data.Common;

namespace Humanloop.Server.Storage;

/// <summary>
/// What each environment of a project serves: a config or an experiment. The deployment to the
/// default environment (production) is the project's "active" config or experiment.
/// </summary>
internal sealed class DeploymentStore(Database database, TimeProvider time)
{
    public DeploymentRecord? Get(string projectId, string environmentId) =>
        database.Run(c => Select(c, "WHERE project_id = @project AND environment_id = @env", ("@project", projectId), ("@env", environmentId)).FirstOrDefault());

    public IReadOnlyList<DeploymentRecord> List(string projectId) =>
        database.Run(c => Select(c, "WHERE project_id = @project", ("@project", projectId)));

    public DeploymentRecord Set(string projectId, string environmentId, string? configId, string? experimentId)
    {
        var record = new DeploymentRecord(projectId, environmentId, configId, experimentId, time.GetUtcNow().UtcDateTime);
        database.Run(c => Database.Execute(c, """
            INSERT INTO deployments (project_id, environment_id, config_id, experiment_id, updated_at)
            VALUES (@project, @env, @config, @experiment, @updated)
            ON CONFLICT (project_id, environment_id) DO UPDATE SET config_id = @config, experiment_id = @experiment, updated_at = @updated
            """,
            ("@project", projectId), ("@env", environmentId), ("@config", configId), ("@experiment", experimentId), ("@updated", Columns.Time(record.UpdatedAt))));
        return record;
    }

    /// <summary>Deploys only if the environment serves nothing yet; true when it did.</summary>
    public bool SetIfEmpty(string projectId, string environmentId, string configId) => database.Run(c => Database.Execute(c, """
        INSERT INTO deployments (project_id, environment_id, config_id, experiment_id, updated_at)
        VALUES (@project, @env, @config, NULL, @updated)
        ON CONFLICT (project_id, environment_id) DO NOTHING
        """,
        ("@project", projectId), ("@env", environmentId), ("@config", configId), ("@updated", Columns.Time(time.GetUtcNow().UtcDateTime))) > 0);

    public bool Remove(string projectId, string environmentId) => database.Run(c =>
        Database.Execute(c, "DELETE FROM deployments WHERE project_id = @project AND environment_id = @env", ("@project", projectId), ("@env", environmentId)) > 0);

    private static List<DeploymentRecord> Select(DbConnection c, string clause, params (string, object?)[] parameters) =>
        Database.Query(c, $"SELECT project_id, environment_id, config_id, experiment_id, updated_at FROM deployments {clause}", r => new DeploymentRecord(
            Columns.RequiredText(r, "project_id"),
            Columns.RequiredText(r, "environment_id"),
            Columns.Text(r, "config_id"),
            Columns.Text(r, "experiment_id"),
            Columns.Time(r, "updated_at")), parameters);
}
