using System.Net;
using System.Text.Json.Nodes;
using Humanloop.Server.Hosting;
using Humanloop.Server.Http;
using Humanloop.Server.Tests.Infrastructure;

namespace Humanloop.Server.Tests;

public sealed class StartupAndPersistenceTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "hl-server-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>
    /// What schema 6 added (an evaluation's lease) and schema 5 added (tool configs, trials, what posted logs keep, a project's feedback types), removed again; and
    /// sessions as schema 4 had them, each belonging to a project.
    /// </summary>
    private const string WithoutSchema5 = """
        ALTER TABLE evaluations DROP COLUMN lease_until;
        DROP TABLE trials; DROP TABLE tool_configs; DROP INDEX model_configs_content; DROP INDEX logs_session; DROP INDEX logs_reference;
        ALTER TABLE logs DROP COLUMN reference_id; ALTER TABLE logs DROP COLUMN parent_reference_id; ALTER TABLE logs DROP COLUMN judgment;
        ALTER TABLE logs DROP COLUMN prompt_cost; ALTER TABLE logs DROP COLUMN output_cost; ALTER TABLE projects DROP COLUMN feedback_types;
        CREATE TABLE sessions_v4 (id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE, reference_id TEXT, created_at TEXT NOT NULL);
        INSERT INTO sessions_v4 SELECT id, project_id, reference_id, created_at FROM sessions;
        DROP TABLE sessions; ALTER TABLE sessions_v4 RENAME TO sessions;
        CREATE UNIQUE INDEX sessions_reference ON sessions (project_id, reference_id) WHERE reference_id IS NOT NULL;
        """;

    /// <summary>What schema 4 added (evaluations, and the columns logs keep for them), removed again, after schema 5's additions.</summary>
    private const string WithoutSchema4 = WithoutSchema5 + """
        DROP TABLE evaluation_results; DROP TABLE evaluation_datapoints; DROP TABLE evaluation_evaluators; DROP TABLE evaluations;
        DROP INDEX logs_evaluation; ALTER TABLE logs DROP COLUMN evaluation_id; ALTER TABLE logs DROP COLUMN error;
        """;

    private ServerOptions FileOptions(TextWriter output, IReadOnlyList<string>? keys = null) => new()
    {
        Urls = ["http://127.0.0.1:0"],
        DataFolder = _folder,
        ApiKeys = keys ?? [],
        Output = output,
    };

    [Fact]
    public async Task Startup_prints_the_data_location_then_one_ready_line_with_the_real_port()
    {
        var output = new StringWriter();
        await using var server = await TestServers.StartAsync(TestServers.SqliteInMemory() with { Output = output });
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("Humanloop server data: in-memory", lines[0]);
        var ready = Assert.Single(lines, l => l.StartsWith(ServerHost.ReadyPrefix, StringComparison.Ordinal));
        Assert.Equal(lines[^1], ready);
        Assert.Matches(@"^Humanloop server ready: http://127\.0\.0\.1:[1-9][0-9]*/v4$", ready);
        Assert.Equal(server.ApiUrl, ready[ServerHost.ReadyPrefix.Length..]);
        Assert.DoesNotContain(TestServers.ApiKey, output.ToString());
    }

    [Fact]
    public async Task In_memory_without_keys_prints_a_fresh_working_key_each_start()
    {
        var firstOutput = new StringWriter();
        string firstKey;
        await using (var server = await TestServers.StartAsync(TestServers.SqliteInMemory() with { ApiKeys = [], Output = firstOutput }))
        {
            firstKey = Assert.Single(server.ApiKeys);
            Assert.Contains(firstKey, firstOutput.ToString());
            using var api = new ApiClient(server, firstKey);
            (await api.GetAsync("projects")).ShouldBe(HttpStatusCode.OK);
        }

        await using var second = await TestServers.StartAsync(TestServers.SqliteInMemory() with { ApiKeys = [], Output = TextWriter.Null });
        Assert.NotEqual(firstKey, Assert.Single(second.ApiKeys));
    }

    [Fact]
    public async Task A_generated_key_is_stored_printed_once_and_reused()
    {
        var first = new StringWriter();
        string key;
        await using (var server = await TestServers.StartAsync(FileOptions(first)))
        {
            key = Assert.Single(server.ApiKeys);
            Assert.StartsWith("hl_local_", key);
        }

        var keyFile = Path.Combine(_folder, "dev-api-key");
        Assert.Equal(key, File.ReadAllText(keyFile).Trim());
        Assert.Contains(key, first.ToString());
        Assert.Contains($"Humanloop server data: {Path.Combine(_folder, "humanloop.db")}", first.ToString());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }

        var second = new StringWriter();
        await using (var server = await TestServers.StartAsync(FileOptions(second)))
        {
            Assert.Equal(key, Assert.Single(server.ApiKeys));
            using var api = new ApiClient(server, key);
            (await api.GetAsync("projects")).ShouldBe(HttpStatusCode.OK);
        }

        Assert.DoesNotContain(key, second.ToString());
        Assert.Contains(keyFile, second.ToString());
    }

    [Fact]
    public async Task Without_configured_keys_it_prints_the_Connect_Humanloop_line_to_paste_before_the_ready_line()
    {
        var inMemory = new StringWriter();
        await using (var server = await TestServers.StartAsync(TestServers.SqliteInMemory() with { ApiKeys = [], Output = inMemory }))
        {
            var lines = inMemory.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal($"{ServerHost.ConnectPrefix}Connect-Humanloop -BaseUri {server.ApiUrl} -ApiKey '{Assert.Single(server.ApiKeys)}'", lines[^2]);
        }

        var stored = new StringWriter();
        await using (var server = await TestServers.StartAsync(FileOptions(stored)))
        {
            var keyFile = Path.Combine(_folder, "dev-api-key");
            var connect = Assert.Single(stored.ToString().Split(Environment.NewLine), line => line.StartsWith(ServerHost.ConnectPrefix, StringComparison.Ordinal));
            Assert.Equal($"{ServerHost.ConnectPrefix}Connect-Humanloop -BaseUri {server.ApiUrl} -ApiKey (Get-Content -Raw '{keyFile}').Trim()", connect);
        }

        var configured = new StringWriter();
        await using (var server = await TestServers.StartAsync(TestServers.InMemory() with { Output = configured }))
        {
            Assert.DoesNotContain(ServerHost.ConnectPrefix, configured.ToString());
        }
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_answered_413_with_the_limit_and_stores_nothing()
    {
        await using var server = await TestServers.StartAsync(TestServers.InMemory());
        using var api = new ApiClient(server, TestServers.ApiKey);
        var body = "{\"project\":\"big\",\"inputs\":{\"x\":\"" + new string('a', 31_000_000) + "\"},\"model_config\":{\"provider\":\"mock\",\"model\":\"m\",\"prompt_template\":\"{{x}}\"}}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "completion") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = true;

        using var response = await api.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var detail = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>();
        Assert.Equal($"The request body is larger than this server accepts (at most {new RequestLimits().MaxBodyBytes / 1_000_000d:0.0} MB).", detail);
        Assert.Empty((await api.GetAsync("projects")).ShouldBe(HttpStatusCode.OK).Object["records"]!.AsArray());
    }

    [Fact]
    public void A_taken_port_is_described_in_one_line_naming_it()
    {
        var taken = new IOException("Failed to bind to address http://127.0.0.1:5099: address already in use.", new Microsoft.AspNetCore.Connections.AddressInUseException("Address already in use"));

        Assert.Equal(
            "Port 5099 on 127.0.0.1 is in use: stop the other server or pass --urls (-Urls to build.ps1) with another port.",
            ServerHost.DescribeStartFailure(taken, ["http://127.0.0.1:5080", "http://127.0.0.1:5099"]));
        Assert.Null(ServerHost.DescribeStartFailure(new InvalidOperationException("a defect"), ["http://127.0.0.1:5080"]));
    }

    [Fact]
    public async Task Everything_survives_a_restart()
    {
        string projectId, configId, experimentId, logId;
        string output;
        await using (var server = await TestServers.StartAsync(FileOptions(TextWriter.Null, ["k1", "k2"])))
        {
            using var api = new ApiClient(server, "k2");
            projectId = (string)(await api.CreateProjectAsync("persistent"))["id"]!;
            configId = (string)(await api.RegisterConfigAsync(projectId, "persist {{x}}"))["config"]!["id"]!;
            experimentId = (string)(await api.PostAsync($"projects/{projectId}/experiments", new JsonObject
            {
                ["name"] = "kept",
                ["positive_labels"] = new JsonArray(new JsonObject { ["type"] = "rating", ["value"] = "good" }),
                ["config_ids"] = new JsonArray(configId),
            })).ShouldBe(HttpStatusCode.OK).Object["id"]!;
            var completion = (await api.PostAsync("completion-experiment", new JsonObject
            {
                ["experiment_id"] = experimentId,
                ["inputs"] = new JsonObject { ["x"] = "me" },
                ["session_reference_id"] = "s1",
            })).ShouldBe(HttpStatusCode.OK).Object;
            logId = (string)completion["data"]![0]!["id"]!;
            output = (string)completion["data"]![0]!["output"]!;
            (await api.PostAsync("feedback", new JsonObject { ["type"] = "rating", ["value"] = "good", ["data_id"] = logId })).ShouldBe(HttpStatusCode.OK);
            (await api.PatchAsync($"projects/{projectId}/deploy-config", new JsonObject
            {
                ["config_id"] = configId,
                ["environments"] = new JsonArray(new JsonObject { ["id"] = "env_staging" }),
            })).ShouldBe(HttpStatusCode.OK);
        }

        await using (var server = await TestServers.StartAsync(FileOptions(TextWriter.Null, ["k1"])))
        {
            using var api = new ApiClient(server, "k1");
            var project = (await api.GetAsync($"projects/{projectId}")).ShouldBe(HttpStatusCode.OK).Object;
            Assert.Equal("persistent", (string)project["name"]!);
            Assert.Equal(1, (int)project["data_count"]!);
            Assert.Equal(configId, (string)project["active_config"]!["config"]!["id"]!);

            (await api.GetAsync($"model-configs/{configId}")).ShouldBe(HttpStatusCode.OK);
            var experiment = (await api.GetAsync($"experiments/{experimentId}")).ShouldBe(HttpStatusCode.OK).Object;
            Assert.Equal(1, (int)experiment["configs"]![0]!["trials_count"]!);
            Assert.Equal("In progress", (string)experiment["status"]!);

            var log = (await api.GetAsync($"logs/{logId}")).ShouldBe(HttpStatusCode.OK).Object;
            Assert.Equal(output, (string)log["output"]!);
            Assert.Equal("good", (string)log["feedback"]![0]!["value"]!);
            Assert.StartsWith("sesh_", (string)log["session_id"]!);

            var deployed = (await api.GetAsync($"projects/{projectId}/deployed-configs")).Array;
            Assert.Equal(configId, (string)deployed[1]!["model_config_id"]!);

            // The same session reference still maps to the same session after the restart.
            var again = (await api.PostAsync("completion-model-config", new JsonObject
            {
                ["model_config_id"] = configId,
                ["inputs"] = new JsonObject { ["x"] = "me" },
                ["session_reference_id"] = "s1",
            })).ShouldBe(HttpStatusCode.OK).Object;
            Assert.Equal((string)log["session_id"]!, (string)again["session_id"]!);
        }
    }

    [Fact]
    public async Task A_data_folder_of_schema_1_is_upgraded_and_keeps_its_logs()
    {
        string logId;
        await using (var server = await TestServers.StartAsync(FileOptions(TextWriter.Null, ["k1"])))
        {
            using var api = new ApiClient(server, "k1");
            var completion = (await api.PostAsync("completion", new JsonObject
            {
                ["project"] = "upgraded",
                ["model_config"] = new JsonObject { ["model"] = "m", ["prompt_template"] = "old times" },
            })).ShouldBe(HttpStatusCode.OK).Object;
            logId = (string)completion["data"]![0]!["id"]!;
        }

        // Turn the folder back into what schema 1 wrote: no chat columns on logs.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_folder, "humanloop.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = WithoutSchema4 + "ALTER TABLE logs DROP COLUMN messages; ALTER TABLE logs DROP COLUMN output_message; ALTER TABLE logs DROP COLUMN tool_choice; PRAGMA user_version = 1;";
            command.ExecuteNonQuery();
        }

        await using (var server = await TestServers.StartAsync(FileOptions(TextWriter.Null, ["k1"])))
        {
            using var api = new ApiClient(server, "k1");
            var old = (await api.GetAsync($"logs/{logId}")).ShouldBe(HttpStatusCode.OK).Object;
            Assert.StartsWith("Echo: old times", (string)old["output"]!);
            Assert.Null(old["messages"]);

            var chat = (await api.PostAsync("chat", new JsonObject
            {
                ["project"] = "upgraded",
                ["model_config"] = new JsonObject { ["model"] = "m" },
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "new times" }),
            })).ShouldBe(HttpStatusCode.OK).Object;
            var log = (await api.GetAsync($"logs/{chat["data"]![0]!["id"]}")).ShouldBe(HttpStatusCode.OK).Object;
            Assert.Equal("new times", (string)log["messages"]![0]!["content"]!);
        }
    }

    [Fact]
    public async Task A_data_folder_of_schema_2_is_upgraded_and_then_keeps_datasets_and_evaluators()
    {
        string projectId;
        await using (var server = await TestServers.StartAsync(FileOptions(TextWriter.Null, ["k1"])))
        {
            using var api = new ApiClient(server, "k1");
            projectId = (string)(await api.CreateProjectAsync("before-datasets"))["id"]!;
        }

        // Turn the folder back into what schema 2 wrote: no dataset, datapoint or evaluator tables.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_folder, "humanloop.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = WithoutSchema4 + "DROP TABLE datapoints; DROP TABLE datasets; DROP TABLE evaluators; PRAGMA user_version = 2;";
            command.ExecuteNonQuery();
        }

        string datasetId;
        await using (var server = await TestServers.StartAsync(FileOptions(TextWriter.Null, ["k1"])))
        {
            using var api = new ApiClient(server, "k1");
            (await api.GetAsync($"projects/{projectId}")).ShouldBe(HttpStatusCode.OK);
            var dataset = (await api.PostAsync($"projects/{projectId}/datasets", new JsonObject { ["name"] = "cases", ["description"] = "" }))
                .ShouldBe(HttpStatusCode.Created).Object;
            datasetId = (string)dataset["id"]!;
            (await api.PostAsync($"datasets/{datasetId}/datapoints", new JsonObject { ["inputs"] = new JsonObject { ["q"] = "kept" } }))
                .ShouldBe(HttpStatusCode.Created);
            (await api.PostAsync("evaluators", new JsonObject
            {
                ["name"] = "has-refund", ["description"] = "", ["arguments_type"] = "target_free", ["return_type"] = "boolean",
                ["type"] = "python", ["code"] = "builtin:contains:refund",
            })).ShouldBe(HttpStatusCode.Created);
        }

        await using (var server = await TestServers.StartAsync(FileOptions(TextWriter.Null, ["k1"])))
        {
            using var api = new ApiClient(server, "k1");
            var points = (await api.GetAsync($"datasets/{datasetId}/datapoints")).ShouldBe(HttpStatusCode.OK).Object;
            Assert.Equal("kept", (string)points["records"]![0]!["inputs"]!["q"]!);
            var evaluators = (await api.GetAsync("evaluators")).ShouldBe(HttpStatusCode.OK).Array;
            Assert.Equal("builtin:contains:refund", (string)evaluators.Single()!["code"]!);
        }
    }

    [Fact]
    public async Task A_data_folder_of_schema_3_is_upgraded_and_then_keeps_evaluations()
    {
        string projectId, configId, logId, datasetId, datapointId;
        await using (var server = await TestServers.StartAsync(FileOptions(TextWriter.Null, ["k1"])))
        {
            using var api = new ApiClient(server, "k1");
            projectId = (string)(await api.CreateProjectAsync("before-evaluations"))["id"]!;
            configId = (string)(await api.RegisterConfigAsync(projectId, "old {{q}}", temperature: 0))["config"]!["id"]!;
            logId = (string)(await api.PostAsync("completion-model-config", new JsonObject { ["model_config_id"] = configId, ["inputs"] = new JsonObject { ["q"] = "times" } }))
                .ShouldBe(HttpStatusCode.OK).Object["data"]![0]!["id"]!;
            datasetId = (string)(await api.PostAsync($"projects/{projectId}/datasets", new JsonObject { ["name"] = "cases", ["description"] = "" }))
                .ShouldBe(HttpStatusCode.Created).Object["id"]!;
            datapointId = (string)(await api.PostAsync($"datasets/{datasetId}/datapoints", new JsonObject { ["inputs"] = new JsonObject { ["q"] = "kept" } }))
                .ShouldBe(HttpStatusCode.Created).Array[0]!["id"]!;
        }

        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_folder, "humanloop.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = WithoutSchema4 + "PRAGMA user_version = 3;";
            command.ExecuteNonQuery();
        }

        await using (var server = await TestServers.StartAsync(FileOptions(TextWriter.Null, ["k1"])))
        {
            using var api = new ApiClient(server, "k1");
            var old = (await api.GetAsync($"logs/{logId}")).ShouldBe(HttpStatusCode.OK).Object;
            Assert.StartsWith("Echo: old times", (string)old["output"]!);
            Assert.Null(old["error"]);
            Assert.Empty(old["evaluation_results"]!.AsArray());

            var evaluation = (await api.PostAsync($"projects/{projectId}/evaluations", new JsonObject
            {
                ["config_id"] = configId, ["dataset_id"] = datasetId, ["evaluator_ids"] = new JsonArray(), ["hl_generated"] = false,
            })).ShouldBe(HttpStatusCode.Created).Object;
            (await api.PostAsync($"evaluations/{evaluation["id"]}/log", new JsonObject { ["datapoint_id"] = datapointId, ["log"] = new JsonObject { ["error"] = "boom" } }))
                .ShouldBe(HttpStatusCode.Created);
            var record = (await api.GetAsync($"evaluations/{evaluation["id"]}/datapoints")).ShouldBe(HttpStatusCode.OK).Object["records"]![0]!;
            Assert.Equal("kept", (string)record["datapoint"]!["inputs"]!["q"]!);
            Assert.Equal("boom", (string)record["log"]!["error"]!);
        }

        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_folder, "humanloop.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version;";
            Assert.Equal((long)Humanloop.Server.Storage.Schema.Version, (long)command.ExecuteScalar()!);
        }
    }

    [Fact]
    public async Task A_data_folder_of_schema_4_is_upgraded_and_keeps_its_sessions()
    {
        string projectId, logId, sessionId;
        await using (var server = await TestServers.StartAsync(FileOptions(TextWriter.Null, ["k1"])))
        {
            using var api = new ApiClient(server, "k1");
            projectId = (string)(await api.CreateProjectAsync("before-posted-logs"))["id"]!;
            var completion = (await api.PostAsync("completion", new JsonObject
            {
                ["project_id"] = projectId,
                ["session_reference_id"] = "conversation-1",
                ["model_config"] = new JsonObject { ["model"] = "m", ["prompt_template"] = "old times" },
            })).ShouldBe(HttpStatusCode.OK).Object;
            logId = (string)completion["data"]![0]!["id"]!;
            sessionId = (string)completion["session_id"]!;
        }

        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_folder, "humanloop.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = WithoutSchema5 + "PRAGMA user_version = 4;";
            command.ExecuteNonQuery();
        }

        await using (var server = await TestServers.StartAsync(FileOptions(TextWriter.Null, ["k1"])))
        {
            using var api = new ApiClient(server, "k1");
            var old = (await api.GetAsync($"logs/{logId}")).ShouldBe(HttpStatusCode.OK).Object;
            Assert.Null(old["reference_id"]);
            Assert.Null(old["judgment"]);

            var listed = (await api.GetAsync($"sessions?project_id={projectId}")).ShouldBe(HttpStatusCode.OK).Object;
            var session = listed["records"]!.AsArray().Single()!;
            Assert.Equal(sessionId, (string)session["id"]!);
            Assert.Equal("conversation-1", (string)session["reference_id"]!);
            Assert.Equal(1, (int)session["datapoints_count"]!);

            // The same reference still names the session; posted logs keep what schema 5 added.
            var posted = (await api.PostAsync("logs", new JsonObject
            {
                ["project_id"] = projectId, ["session_reference_id"] = "conversation-1", ["reference_id"] = "step-2",
                ["config"] = new JsonObject { ["model"] = "m" }, ["output"] = "new times", ["judgment"] = true,
            })).ShouldBe(HttpStatusCode.OK).Object;
            Assert.Equal(sessionId, (string)posted["session_id"]!);
            Assert.Equal("step-2", (string)(await api.GetAsync($"logs/{posted["id"]}")).Object["reference_id"]!);

            // A session may now belong to no project, and a project keep its own feedback types.
            (await api.PostAsync("sessions", null)).ShouldBe(HttpStatusCode.Created);
            (await api.PostAsync($"projects/{projectId}/feedback-types", new JsonObject { ["type"] = "tone" })).ShouldBe(HttpStatusCode.Created);
        }

        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_folder, "humanloop.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version;";
            Assert.Equal((long)Humanloop.Server.Storage.Schema.Version, (long)command.ExecuteScalar()!);
        }
    }

    [Fact]
    public async Task A_data_folder_of_schema_5_gains_evaluation_leases_and_keeps_its_data()
    {
        string projectId;
        await using (var server = await TestServers.StartAsync(FileOptions(TextWriter.Null, ["k1"])))
        {
            using var api = new ApiClient(server, "k1");
            projectId = (string)(await api.CreateProjectAsync("before-leases"))["id"]!;
        }

        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_folder, "humanloop.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "ALTER TABLE evaluations DROP COLUMN lease_until; PRAGMA user_version = 5;";
            command.ExecuteNonQuery();
        }

        await using (var server = await TestServers.StartAsync(FileOptions(TextWriter.Null, ["k1"])))
        {
            using var api = new ApiClient(server, "k1");
            Assert.Equal("before-leases", (string)(await api.GetAsync($"projects/{projectId}")).ShouldBe(HttpStatusCode.OK).Object["name"]!);
        }

        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_folder, "humanloop.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM pragma_table_info('evaluations') WHERE name = 'lease_until'";
            Assert.Equal(1L, (long)command.ExecuteScalar()!);
            command.CommandText = "PRAGMA user_version;";
            Assert.Equal((long)Humanloop.Server.Storage.Schema.Version, (long)command.ExecuteScalar()!);
        }
    }

    [Fact]
    public async Task A_stop_cancels_a_server_run_and_the_next_start_fails_it_while_a_client_driven_evaluation_is_left()
    {
        await using var stub = await OpenAiStub.StartAsync();
        var options = FileOptions(TextWriter.Null, ["k1"]) with { OpenAiBaseUrl = stub.BaseUrl + "/v1", OpenAiApiKey = "sk-test" };
        string serverRun, clientDriven;
        var server = await TestServers.StartAsync(options);
        using (var api = new ApiClient(server, "k1"))
        {
            var projectId = (string)(await api.CreateProjectAsync("interrupted"))["id"]!;
            var configId = (string)(await api.PostAsync("model-configs", new JsonObject
            {
                ["project_id"] = projectId, ["provider"] = "openai", ["model"] = "stall-on-demand", ["prompt_template"] = "{{q}}",
            })).ShouldBe(HttpStatusCode.OK).Object["config"]!["id"]!;
            var datasetId = (string)(await api.PostAsync($"projects/{projectId}/datasets", new JsonObject { ["name"] = "cases", ["description"] = "" }))
                .ShouldBe(HttpStatusCode.Created).Object["id"]!;
            (await api.PostAsync($"datasets/{datasetId}/datapoints", new JsonObject { ["inputs"] = new JsonObject { ["q"] = OpenAiStub.StallMarker + " forever" } }))
                .ShouldBe(HttpStatusCode.Created);
            JsonObject Evaluation(bool generated) => new()
            {
                ["config_id"] = configId, ["dataset_id"] = datasetId, ["evaluator_ids"] = new JsonArray(), ["hl_generated"] = generated,
            };
            clientDriven = (string)(await api.PostAsync($"projects/{projectId}/evaluations", Evaluation(false))).ShouldBe(HttpStatusCode.Created).Object["id"]!;
            serverRun = (string)(await api.PostAsync($"projects/{projectId}/evaluations", Evaluation(true))).ShouldBe(HttpStatusCode.Created).Object["id"]!;
            await stub.WaitUntilAsync(s => s.StalledNow == 1, "the run's provider call");
            Assert.Equal("running", (string)(await api.GetAsync($"evaluations/{serverRun}")).ShouldBe(HttpStatusCode.OK).Object["status"]!);
        }

        // Stopping the server abandons the run's provider call at once instead of waiting out the shutdown timeout.
        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await server.DisposeAsync();
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(4), $"the stop took {stopping.Elapsed}");
        await stub.WaitUntilAsync(s => s.StalledNow == 0 && s.StallsAbandoned == 1, "the run's call abandoned");

        await using (var restarted = await TestServers.StartAsync(options))
        {
            using var api = new ApiClient(restarted, "k1");
            var failed = (await api.GetAsync($"evaluations/{serverRun}")).ShouldBe(HttpStatusCode.OK).Object;
            Assert.Equal("failed", (string)failed["status"]!);
            Assert.Equal(Evaluations.EvaluationRunner.InterruptedReason, (string)failed["status_reason"]!);
            Assert.Equal("pending", (string)(await api.GetAsync($"evaluations/{clientDriven}")).ShouldBe(HttpStatusCode.OK).Object["status"]!);
            Assert.Null((await api.GetAsync($"evaluations/{serverRun}/datapoints")).ShouldBe(HttpStatusCode.OK).Object["records"]![0]!["log"]);
        }
    }
}
