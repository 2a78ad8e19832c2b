using Humanloop.Server.Domain;
using System.Data.Common;

namespace Humanloop.Server.Storage;

internal sealed class ProjectStore(Database database, TimeProvider time)
{
    public static readonly IReadOnlyList<string> SortColumns = ["created_at", "updated_at", "name"];

    public ProjectRecord Create(string name, string? directoryId, IReadOnlyList<FeedbackTypeDefinition>? feedbackTypes = null) => database.InTransaction(c =>
    {
        var project = Insert(c, name, directoryId);
        return feedbackTypes is null ? project : SetFeedbackTypes(c, project, feedbackTypes);
    });

    public ProjectRecord? Get(string id) => database.Run(c => Select(c, "WHERE id = @id", ("@id", id)).FirstOrDefault());

    public ProjectRecord GetRequired(string id) => Get(id) ?? throw RecordNotFoundException.For("Project", id);

    public ProjectRecord? FindByName(string name) => database.Run(c => Select(c, "WHERE name = @name", ("@name", name)).FirstOrDefault());

    /// <summary>The project with this name, created if none exists (as completions and registration did).</summary>
    public ProjectRecord GetOrCreateByName(string name)
    {
        try
        {
            return database.InTransaction(c => Select(c, "WHERE name = @name", ("@name", name)).FirstOrDefault() ?? Insert(c, name, null));
        }
        catch (RecordConflictException)
        {
            // Another request (another replica) created it between our look and our insert: it is the one.
            var winner = FindByName(name);
            if (winner is null)
            {
                throw;
            }

            return winner;
        }
    }

    public (IReadOnlyList<ProjectRecord> Items, int Total) List(string? filter, string sortBy, string order, int page, int size)
    {
        // sortBy and order were validated against fixed lists, so they are safe to splice in.
        var column = SortColumns.Contains(sortBy) ? sortBy : "created_at";
        var direction = order == "asc" ? "ASC" : "DESC";
        var where = filter is null ? "" : "WHERE instr(lower(name), lower(@filter)) > 0";
        return database.Run(c =>
        {
            var total = Database.Scalar<int>(c, $"SELECT COUNT(*) FROM projects {where}", ("@filter", filter));
            var items = Select(c, $"{where} ORDER BY {column} {direction}, rowid {direction} LIMIT @size OFFSET @offset",
                ("@filter", filter), ("@size", size), ("@offset", (long)page * size));
            return ((IReadOnlyList<ProjectRecord>)items, total);
        });
    }

    public ProjectRecord Update(string id, string? name, string? directoryId, IReadOnlyList<PositiveLabel>? positiveLabels) => database.InTransaction(c =>
    {
        var project = Select(c, "WHERE id = @id" + database.Dialect.ForUpdate, ("@id", id)).FirstOrDefault() ?? throw RecordNotFoundException.For("Project", id);
        if (name is not null && name != project.Name && NameTaken(c, name))
        {
            throw new RecordConflictException($"A project named '{name}' already exists");
        }

        var updated = project with
        {
            Name = name ?? project.Name,
            DirectoryId = directoryId ?? project.DirectoryId,
            PositiveLabels = positiveLabels ?? project.PositiveLabels,
            UpdatedAt = time.GetUtcNow().UtcDateTime,
        };
        NameUnique(updated.Name, () => Database.Execute(c, "UPDATE projects SET name = @name, directory_id = @dir, positive_labels = @labels, updated_at = @updated WHERE id = @id",
            ("@id", id), ("@name", updated.Name), ("@dir", updated.DirectoryId),
            ("@labels", PositiveLabel.ToJsonText(updated.PositiveLabels)), ("@updated", Columns.Time(updated.UpdatedAt))));
        return updated;
    });

    /// <summary>
    /// Changes the project's feedback types: <paramref name="change"/> gets the current list (the defaults until the
    /// first change) and returns the new one, in one transaction, so concurrent changes do not lose each other's types.
    /// </summary>
    public ProjectRecord UpdateFeedbackTypes(string id, Func<IReadOnlyList<FeedbackTypeDefinition>, IReadOnlyList<FeedbackTypeDefinition>> change) => database.InTransaction(c =>
    {
        var project = Select(c, "WHERE id = @id" + database.Dialect.ForUpdate, ("@id", id)).FirstOrDefault() ?? throw RecordNotFoundException.For("Project", id);
        return SetFeedbackTypes(c, project, change(project.EffectiveFeedbackTypes));
    });

    private ProjectRecord SetFeedbackTypes(DbConnection c, ProjectRecord project, IReadOnlyList<FeedbackTypeDefinition> types)
    {
        var updated = project with { FeedbackTypes = types, UpdatedAt = time.GetUtcNow().UtcDateTime };
        Database.Execute(c, "UPDATE projects SET feedback_types = @types, updated_at = @updated WHERE id = @id",
            ("@id", project.Id), ("@types", FeedbackTypeDefinition.ToJsonText(types)), ("@updated", Columns.Time(updated.UpdatedAt)));
        return updated;
    }

    /// <summary>Marks the project as changed (a deployment, a new config), as its updated_at showed in the API.</summary>
    public void Touch(string id) => database.Run(c =>
        Database.Execute(c, "UPDATE projects SET updated_at = @now WHERE id = @id", ("@id", id), ("@now", Columns.Time(time.GetUtcNow().UtcDateTime))));

    /// <summary>Deletes the project; its configs, experiments, deployments, sessions, logs and feedback go with it.</summary>
    public bool Delete(string id) => database.Run(c => Database.Execute(c, "DELETE FROM projects WHERE id = @id", ("@id", id)) > 0);

    public int DataCount(string id) => database.Run(c => Database.Scalar<int>(c, "SELECT COUNT(*) FROM logs WHERE project_id = @id", ("@id", id)));

    private ProjectRecord Insert(DbConnection c, string name, string? directoryId)
    {
        if (NameTaken(c, name))
        {
            throw new RecordConflictException($"A project named '{name}' already exists");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var project = new ProjectRecord(Ids.New(Ids.Project), name, directoryId, [], now, now);
        NameUnique(name, () => Database.Execute(c, "INSERT INTO projects (id, name, directory_id, created_at, updated_at) VALUES (@id, @name, @dir, @now, @now)",
            ("@id", project.Id), ("@name", name), ("@dir", directoryId), ("@now", Columns.Time(now))));
        return project;
    }

    /// <summary>
    /// Runs a write that sets a project's name: the look-up before it answers the common case, and the unique
    /// constraint the race between replicas (both looked, neither found), with the same 409.
    /// </summary>
    private static void NameUnique(string name, Action write)
    {
        try
        {
            write();
        }
        catch (DbException violation) when (SqlDialect.IsUniqueViolation(violation))
        {
            throw new RecordConflictException($"A project named '{name}' already exists");
        }
    }

    private static bool NameTaken(DbConnection c, string name) =>
        Database.Scalar<int>(c, "SELECT COUNT(*) FROM projects WHERE name = @name", ("@name", name)) > 0;

    private static List<ProjectRecord> Select(DbConnection c, string clause, params (string, object?)[] parameters) =>
        Database.Query(c, $"SELECT id, name, directory_id, positive_labels, created_at, updated_at, feedback_types FROM projects {clause}", r => new ProjectRecord(
            Columns.RequiredText(r, "id"),
            Columns.RequiredText(r, "name"),
            Columns.Text(r, "directory_id"),
            PositiveLabel.FromJsonText(Columns.Text(r, "positive_labels")),
            Columns.Time(r, "created_at"),
            Columns.Time(r, "updated_at"))
        {
            FeedbackTypes = FeedbackTypeDefinition.FromJsonText(Columns.Text(r, "feedback_types")),
        }, parameters);
}
