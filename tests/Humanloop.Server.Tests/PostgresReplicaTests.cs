using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Humanloop.Server.Hosting;
using Humanloop.Server.Storage;
using Humanloop.Server.Tests.Infrastructure;
using Npgsql;

namespace Humanloop.Server.Tests;

/// <summary>
/// What only PostgreSQL does: several replicas on one database, migrations raced by replicas starting together, and
/// the copy of an SQLite folder into it. These need <c>HUMANLOOP_TEST_DATABASE</c>; the build's PostgreSQL suite sets
/// it, and the SQLite suite leaves this trait out.
/// </summary>
[Trait("Engine", "PostgreSql")]
public sealed class PostgresReplicaTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "hl-migrate-tests-" + Guid.NewGuid().ToString("N"));

    public PostgresReplicaTests()
    {
        Assert.True(TestDatabases.IsPostgres, "These tests need HUMANLOOP_TEST_DATABASE (a PostgreSQL connection string); build.ps1 -Task Test starts one.");
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Replicas_starting_together_apply_each_migration_once()
    {
        var connection = TestDatabases.NewPostgresSchema();
        var opened = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => Database.OpenPostgres(connection))));
        try
        {
            foreach (var database in opened)
            {
                Assert.True(database.IsReady(out var reason), reason);
            }

            var versions = opened[0].Run(c => Database.Query(c, "SELECT version FROM schema_migrations ORDER BY version", r => Convert.ToInt32(r.GetValue(0))));
            Assert.Equal([Schema.Version], versions);
        }
        finally
        {
            foreach (var database in opened)
            {
                database.Dispose();
            }
        }
    }

    [Fact]
    public async Task Two_replicas_keep_every_acknowledged_write_and_unique_names_when_one_is_killed_and_restarted()
    {
        var connection = TestDatabases.NewPostgresSchema();
        var replicas = new ServerProcess?[2];
        replicas[0] = await ServerProcess.StartAsync("--database", connection);
        replicas[1] = await ServerProcess.StartAsync("--database", connection);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Add("X-API-KEY", TestServers.ApiKey);

            var projects = new ConcurrentDictionary<string, string>(); // id -> name, acknowledged
            var logs = new ConcurrentBag<string>();
            var refusedWhileDown = 0;
            var burstAnswered = new ConcurrentBag<int>();
            var raceWinners = 0;

            for (var round = 0; round < 30; round++)
            {
                if (round == 10)
                {
                    // Killed outright with requests in flight: once the first of a burst is answered. What it answered
                    // must be kept; what it had not answered may be lost.
                    var firstAnswer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    var burst = Enumerable.Range(0, 24).Select(async k =>
                    {
                        try
                        {
                            var answer = await SendAsync(http, HttpMethod.Post, replicas[1]!.ApiUrl + "/completion", new JsonObject
                            {
                                ["project"] = Names.Unique("burst"),
                                ["model_config"] = new JsonObject { ["model"] = "mock-model", ["provider"] = "mock", ["prompt_template"] = "burst {{x}}" },
                                ["inputs"] = new JsonObject { ["x"] = k },
                            });
                            Assert.Equal(HttpStatusCode.OK, answer.Status);
                            logs.Add((string)answer.Body!["data"]![0]!["id"]!);
                            projects[(string)answer.Body!["project_id"]!] = (string)(await SendAsync(http, HttpMethod.Get,
                                replicas[0]!.ApiUrl + "/projects/" + answer.Body!["project_id"], null)).Body!["name"]!;
                            burstAnswered.Add(k);
                            firstAnswer.TrySetResult();
                        }
                        catch (HttpRequestException)
                        {
                            // Not answered: the replica died first.
                        }
                    }).ToList();
                    await Task.WhenAny(firstAnswer.Task, Task.WhenAll(burst));
                    await replicas[1]!.KillAsync();
                    await Task.WhenAll(burst);
                    Assert.NotEmpty(burstAnswered);
                }

                if (round == 20)
                {
                    await replicas[1]!.DisposeAsync();
                    replicas[1] = await ServerProcess.StartAsync("--database", connection);
                }

                var target = replicas[round % 2]!;
                try
                {
                    var name = Names.Unique("replica");
                    var created = await SendAsync(http, HttpMethod.Post, target.ApiUrl + "/projects", new JsonObject { ["name"] = name });
                    Assert.Equal(HttpStatusCode.Created, created.Status);
                    projects[(string)created.Body!["id"]!] = name;

                    var completion = await SendAsync(http, HttpMethod.Post, target.ApiUrl + "/completion", new JsonObject
                    {
                        ["project"] = name,
                        ["model_config"] = new JsonObject { ["model"] = "mock-model", ["provider"] = "mock", ["prompt_template"] = "say {{x}}" },
                        ["inputs"] = new JsonObject { ["x"] = round },
                    });
                    Assert.Equal(HttpStatusCode.OK, completion.Status);
                    logs.Add((string)completion.Body!["data"]![0]!["id"]!);
                }
                catch (HttpRequestException) when (round is >= 10 and < 20 && round % 2 == 1)
                {
                    refusedWhileDown++; // The killed replica: nothing was acknowledged.
                }

                // Both replicas race to create one name: one wins (201), the other is told it is taken (409).
                var live = replicas.Where((_, i) => !(round is >= 10 and < 20 && i == 1)).Select(r => r!).ToList();
                var contested = Names.Unique("contested");
                var answers = await Task.WhenAll(live.Concat(live).Select(r =>
                    SendAsync(http, HttpMethod.Post, r.ApiUrl + "/projects", new JsonObject { ["name"] = contested })));
                var won = Assert.Single(answers, a => a.Status == HttpStatusCode.Created);
                Assert.All(answers.Where(a => a != won), a => Assert.Equal(HttpStatusCode.Conflict, a.Status));
                projects[(string)won.Body!["id"]!] = contested;
                raceWinners++;

                // Completions naming a new project on both replicas at once share one project (get-or-create).
                var shared = Names.Unique("shared");
                var both = await Task.WhenAll(live.Concat(live).Select(r => SendAsync(http, HttpMethod.Post, r.ApiUrl + "/completion", new JsonObject
                {
                    ["project"] = shared,
                    ["model_config"] = new JsonObject { ["model"] = "mock-model", ["provider"] = "mock", ["prompt_template"] = "shared {{x}}" },
                    ["inputs"] = new JsonObject { ["x"] = round },
                })));
                Assert.All(both, a => Assert.Equal(HttpStatusCode.OK, a.Status));
                Assert.Single(both.Select(a => (string)a.Body!["project_id"]!).Distinct());
                foreach (var answer in both)
                {
                    logs.Add((string)answer.Body!["data"]![0]!["id"]!);
                }

                projects[(string)both[0].Body!["project_id"]!] = shared;
            }

            Assert.Equal(5, refusedWhileDown);
            Assert.Equal(30, raceWinners);

            // Every acknowledged write is there, seen through either replica; no name is there twice.
            foreach (var replica in replicas)
            {
                foreach (var (id, name) in projects)
                {
                    var project = await SendAsync(http, HttpMethod.Get, replica!.ApiUrl + "/projects/" + id, null);
                    Assert.Equal(HttpStatusCode.OK, project.Status);
                    Assert.Equal(name, (string)project.Body!["name"]!);
                }

                foreach (var id in logs)
                {
                    Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Get, replica!.ApiUrl + "/logs/" + id, null)).Status);
                }
            }

            var names = Read(connection, c => Database.Query(c, "SELECT name FROM projects", r => r.GetString(0)));
            Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
            // Every acknowledged project is there (a request the killed replica stored but never answered may add one more).
            Assert.Subset(names.ToHashSet(StringComparer.Ordinal), projects.Values.ToHashSet(StringComparer.Ordinal));
        }
        finally
        {
            foreach (var replica in replicas)
            {
                if (replica is not null)
                {
                    await replica.DisposeAsync();
                }
            }
        }
    }

    [Fact]
    public async Task Migrate_copies_an_sqlite_folder_into_postgres_and_a_server_there_serves_it()
    {
        string projectId, logId, datasetId, sessionId;
        var fileOptions = new ServerOptions { Urls = ["http://127.0.0.1:0"], DataFolder = _folder, ApiKeys = [TestServers.ApiKey], Output = TextWriter.Null };
        await using (var sqlite = await TestServers.StartAsync(fileOptions))
        {
            using var api = new ApiClient(sqlite, TestServers.ApiKey);
            projectId = (string)(await api.CreateProjectAsync("moved"))["id"]!;
            await api.RegisterConfigAsync(projectId, "moved {{x}}");
            var completion = (await api.PostAsync("completion", new JsonObject
            {
                ["project_id"] = projectId,
                ["model_config"] = new JsonObject { ["model"] = "mock-model", ["provider"] = "mock", ["prompt_template"] = "moved {{x}}" },
                ["inputs"] = new JsonObject { ["x"] = "1" },
                ["session_reference_id"] = "conversation-1",
                ["user"] = "sam@example.com",
            })).ShouldBe(HttpStatusCode.OK).Object;
            logId = (string)completion["data"]![0]!["id"]!;
            sessionId = (string)completion["session_id"]!;
            (await api.PostAsync("feedback", new JsonObject { ["type"] = "rating", ["value"] = "good", ["data_id"] = logId })).ShouldBe(HttpStatusCode.OK);
            datasetId = (string)(await api.PostAsync($"projects/{projectId}/datasets", new JsonObject { ["name"] = "set", ["description"] = "d" }))
                .ShouldBe(HttpStatusCode.Created).Object["id"]!;
            (await api.PostAsync($"datasets/{datasetId}/datapoints", new JsonArray(new JsonObject { ["inputs"] = new JsonObject { ["x"] = "2" }, ["target"] = new JsonObject() })))
                .ShouldBe(HttpStatusCode.Created);
        }

        var connection = TestDatabases.NewPostgresSchema();
        var (exitCode, output) = await ServerProcess.RunAsync("migrate", "--from", _folder, "--to", connection);
        Assert.True(exitCode == 0, output);
        Assert.Contains("projects: 1 row(s)", output);
        Assert.Contains("logs: 1 row(s)", output);

        // Into a database that holds data already: refused, and nothing is copied twice.
        var (again, refusal) = await ServerProcess.RunAsync("migrate", "--from", _folder, "--to", connection);
        Assert.Equal(1, again);
        Assert.Contains("not empty", refusal);

        await using var postgres = await TestServers.StartAsync(TestServers.InMemory() with { InMemory = false, Database = connection });
        using var moved = new ApiClient(postgres, TestServers.ApiKey);
        Assert.Equal("moved", (string)(await moved.GetAsync($"projects/{projectId}")).ShouldBe(HttpStatusCode.OK).Object["name"]!);
        var log = (await moved.GetAsync($"logs/{logId}")).ShouldBe(HttpStatusCode.OK).Object;
        Assert.Equal("sam@example.com", (string)log["user"]!);
        Assert.Equal(sessionId, (string)log["session_id"]!);
        Assert.Equal("good", (string)log["feedback"]![0]!["value"]!);
        Assert.Equal(1, (int)(await moved.GetAsync($"datasets/{datasetId}")).ShouldBe(HttpStatusCode.OK).Object["datapoint_count"]!);

        // New rows continue after the copied ones: a new log lists first, a new project after the old one.
        await moved.CreateProjectAsync(Names.Unique("after"));
        var newer = (await moved.PostAsync("completion", new JsonObject
        {
            ["project_id"] = projectId,
            ["model_config"] = new JsonObject { ["model"] = "mock-model", ["provider"] = "mock", ["prompt_template"] = "moved {{x}}" },
            ["inputs"] = new JsonObject { ["x"] = "3" },
        })).ShouldBe(HttpStatusCode.OK).Object;
        var listed = (await moved.GetAsync($"logs?project_id={projectId}")).ShouldBe(HttpStatusCode.OK).Object["records"]!.AsArray();
        Assert.Equal([(string)newer["data"]![0]!["id"]!, logId], listed.Select(l => (string)l!["id"]!));
    }

    [Fact]
    public async Task A_replica_starting_leaves_a_live_replicas_evaluation_run_alone_and_fails_one_whose_lease_lapsed()
    {
        await using var stub = await OpenAiStub.StartAsync();
        var connection = TestDatabases.NewPostgresSchema();
        var options = TestServers.InMemory() with { InMemory = false, Database = connection, OpenAiBaseUrl = stub.BaseUrl + "/v1", OpenAiApiKey = "sk-test" };
        await using var first = await TestServers.StartAsync(options);
        using var api = new ApiClient(first, TestServers.ApiKey);

        // A server run held at its provider call, in the first replica.
        var projectId = (string)(await api.CreateProjectAsync(Names.Unique("leased")))["id"]!;
        var configId = (string)(await api.PostAsync("model-configs", new JsonObject
        {
            ["project_id"] = projectId, ["provider"] = "openai", ["model"] = "stall-on-demand", ["prompt_template"] = "{{q}}", ["temperature"] = 0,
        })).ShouldBe(HttpStatusCode.OK).Object["config"]!["id"]!;
        var datasetId = (string)(await api.PostAsync($"projects/{projectId}/datasets", new JsonObject { ["name"] = "cases", ["description"] = "" }))
            .ShouldBe(HttpStatusCode.Created).Object["id"]!;
        (await api.PostAsync($"datasets/{datasetId}/datapoints", new JsonArray(new JsonObject
        {
            ["inputs"] = new JsonObject { ["q"] = $"{OpenAiStub.StallMarker} held" }, ["target"] = new JsonObject(),
        }))).ShouldBe(HttpStatusCode.Created);
        var evaluatorId = (string)(await api.PostAsync("evaluators", new JsonObject
        {
            ["name"] = Names.Unique("contains"), ["description"] = "", ["arguments_type"] = "target_free", ["return_type"] = "boolean",
            ["type"] = "python", ["code"] = "builtin:contains:Hello",
        })).ShouldBe(HttpStatusCode.Created).Object["id"]!;
        var evaluationId = (string)(await api.PostAsync($"projects/{projectId}/evaluations", new JsonObject
        {
            ["config_id"] = configId, ["evaluator_ids"] = new JsonArray(evaluatorId), ["dataset_id"] = datasetId,
        })).ShouldBe(HttpStatusCode.Created).Object["id"]!;
        await stub.WaitUntilAsync(s => s.StalledNow == 1, "the run's provider call");

        // Another replica starts: the run is live (its lease is current), so it stays running.
        await using (var second = await TestServers.StartAsync(options))
        {
            using var secondApi = new ApiClient(second, TestServers.ApiKey);
            Assert.Equal("running", (string)(await secondApi.GetAsync($"evaluations/{evaluationId}")).ShouldBe(HttpStatusCode.OK).Object["status"]!);
        }

        Assert.Equal("running", (string)(await api.GetAsync($"evaluations/{evaluationId}")).ShouldBe(HttpStatusCode.OK).Object["status"]!);

        // Had its replica stopped renewing (a lease in the past), the next replica to start fails it as interrupted.
        Read(connection, c => Database.Execute(c, "UPDATE evaluations SET lease_until = '2000-01-01T00:00:00.0000000Z' WHERE id = @id", ("@id", evaluationId)));
        await using (var third = await TestServers.StartAsync(options))
        {
            using var thirdApi = new ApiClient(third, TestServers.ApiKey);
            var failed = (await thirdApi.GetAsync($"evaluations/{evaluationId}")).ShouldBe(HttpStatusCode.OK).Object;
            Assert.Equal("failed", (string)failed["status"]!);
            Assert.Equal(Evaluations.EvaluationRunner.InterruptedReason, (string)failed["status_reason"]!);
        }
    }

    private static async Task<ApiResponse> SendAsync(HttpClient http, HttpMethod method, string url, JsonNode? body)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new ApiResponse(response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response.Headers, text);
    }

    private static T Read<T>(string connection, Func<System.Data.Common.DbConnection, T> work)
    {
        using var database = new NpgsqlConnection(connection);
        database.Open();
        return work(database);
    }
}
