using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Hosting;
using Humanloop.Server.Providers;

namespace Humanloop.Server.Tests;

public sealed class MockGeneratorTests
{
    private static ModelConfigContent Config(double temperature = 1, int maxTokens = -1, JsonNode? stop = null, int? seed = null) => new()
    {
        Model = "mock-model",
        Temperature = temperature,
        MaxTokens = maxTokens,
        Stop = stop,
        Seed = seed,
    };

    [Fact]
    public void Output_is_repeatable_and_starts_by_echoing_the_prompt()
    {
        var sample = MockGenerator.Generate(Config(), "write about AI", 0, null);
        Assert.StartsWith(" Echo: write about AI ", sample.RawOutput);
        Assert.Equal(sample.RawOutput, MockGenerator.Generate(Config(), "write about AI", 0, null).RawOutput);
        Assert.Equal(sample.RawOutput, string.Concat(sample.Chunks));
    }

    private static string Pinned => MockGenerator.Generate(new ModelConfigContent { Model = "m" }, "write about AI", 0, null).RawOutput;

    [Fact]
    public void Pinned_example_from_the_documentation()
    {
        // docs/server.md shows this exact output for model "m" and prompt "write about AI".
        Assert.Equal(" Echo: write about AI server result signal careful paper server stone matters silver so point.", Pinned);
    }

    [Fact]
    public void Natural_length_is_the_echo_plus_8_to_40_words_ending_with_a_period()
    {
        for (var index = 0; index < 50; index++)
        {
            var sample = MockGenerator.Generate(Config(), "one two", index, null);
            var generated = sample.Chunks.Count - 3;
            Assert.InRange(generated, 8, 40);
            Assert.EndsWith(".", sample.RawOutput);
            Assert.Equal("stop", sample.FinishReason);
            Assert.All(sample.Chunks, c => Assert.StartsWith(" ", c));
        }
    }

    [Fact]
    public void Index_seed_and_temperature_decide_variation()
    {
        var zero = MockGenerator.Generate(Config(), "p", 0, null).RawOutput;
        Assert.NotEqual(zero, MockGenerator.Generate(Config(), "p", 1, null).RawOutput);
        Assert.NotEqual(zero, MockGenerator.Generate(Config(seed: 7), "p", 0, null).RawOutput);
        Assert.Equal(MockGenerator.Generate(Config(seed: 7), "p", 0, null).RawOutput, MockGenerator.Generate(Config(), "p", 0, 7).RawOutput);
        Assert.Equal(MockGenerator.Generate(Config(temperature: 0), "p", 0, null).RawOutput, MockGenerator.Generate(Config(temperature: 0), "p", 5, null).RawOutput);
    }

    [Fact]
    public void Max_tokens_and_stop_truncate_a_prefix_of_the_natural_text()
    {
        var natural = MockGenerator.Generate(Config(), "alpha beta gamma", 0, null);
        var limited = MockGenerator.Generate(Config(maxTokens: 2), "alpha beta gamma", 0, null);
        Assert.Equal(" Echo: alpha", limited.RawOutput);
        Assert.Equal("length", limited.FinishReason);
        Assert.StartsWith(limited.RawOutput, natural.RawOutput);

        var stopped = MockGenerator.Generate(Config(stop: JsonValue.Create("ta g")), "alpha beta gamma", 0, null);
        Assert.Equal(" Echo: alpha be", stopped.RawOutput);
        Assert.Equal([" Echo:", " alpha", " be"], stopped.Chunks);
        Assert.Equal("stop", stopped.FinishReason);

        var stopAtStart = MockGenerator.Generate(Config(stop: new JsonArray(" Echo")), "x", 0, null);
        Assert.Empty(stopAtStart.Chunks);
        Assert.Equal("", stopAtStart.RawOutput);

        // A limit that the stop cut already satisfies stays "stop".
        var both = MockGenerator.Generate(Config(maxTokens: 10, stop: JsonValue.Create("beta")), "alpha beta gamma", 0, null);
        Assert.Equal("stop", both.FinishReason);
    }

    [Fact]
    public void Tokens_are_whitespace_delimited_words()
    {
        Assert.Equal(0, MockGenerator.CountTokens("  \n "));
        Assert.Equal(3, MockGenerator.CountTokens(" a\tb\nc "));
    }
}

public sealed class PromptTemplateTests
{
    [Fact]
    public void Renders_names_with_optional_spaces_and_json_for_non_strings()
    {
        var inputs = new JsonObject { ["name"] = "Ada", ["n"] = 3, ["flag"] = true, ["obj"] = new JsonObject { ["a"] = 1 } };
        Assert.Equal("Hi Ada, 3 true {\"a\":1} Ada", PromptTemplate.Render("Hi {{name}}, {{ n }} {{flag}} {{obj}} {{ name}}", inputs));
        Assert.Equal(["name", "n", "flag", "obj"], PromptTemplate.InputNames("Hi {{name}}, {{ n }} {{flag}} {{obj}} {{ name}}"));
        Assert.Equal(["missing"], PromptTemplate.MissingInputs("{{name}} {{missing}}", inputs));
        Assert.Equal("", PromptTemplate.Render(null, inputs));
    }
}

public sealed class BetaPosteriorTests
{
    [Fact]
    public void Mean_and_spread_match_the_closed_form_and_draws_agree()
    {
        var posterior = BetaPosterior.From(positives: 8, trialsWithFeedback: 10);
        Assert.Equal(9, posterior.Alpha);
        Assert.Equal(3, posterior.Beta);
        Assert.Equal(0.75, posterior.Mean, 12);
        Assert.Equal(Math.Sqrt(27.0 / (144 * 13)), posterior.Spread, 12);

        var random = new Random(5);
        var draws = Enumerable.Range(0, 20000).Select(_ => posterior.Sample(random)).ToList();
        Assert.All(draws, d => Assert.InRange(d, 0, 1));
        Assert.Equal(posterior.Mean, draws.Average(), 2);
    }
}

public sealed class ServerOptionsParserTests
{
    private static Func<string, string?> Env(Dictionary<string, string>? values = null) => name => values?.GetValueOrDefault(name);

    [Fact]
    public void The_database_comes_from_the_flag_or_the_environment_and_the_flag_wins()
    {
        var fromEnv = ServerOptionsParser.Parse([], Env(new() { ["HUMANLOOP_SERVER_DATABASE"] = "Host=db;Database=hl;Username=u" })).Options!;
        Assert.Equal("Host=db;Database=hl;Username=u", fromEnv.Database);
        Assert.False(fromEnv.InMemory);

        var fromFlag = ServerOptionsParser.Parse(["--database", "postgres://u:p@db2:5433/hl"], Env(new() { ["HUMANLOOP_SERVER_DATABASE"] = "Host=db" })).Options!;
        Assert.Equal("postgres://u:p@db2:5433/hl", fromFlag.Database);
    }

    [Fact]
    public void A_postgres_uri_becomes_a_connection_string_with_every_part()
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(Storage.PostgresConnectionString.Normalise("postgresql://hl%40team:s%3Acret@db.internal:6543/humanloop"));
        Assert.Equal(("db.internal", 6543, "humanloop", "hl@team", "s:cret"), (builder.Host, builder.Port, builder.Database, builder.Username, builder.Password));
    }

    [Theory]
    [InlineData("--database", "Database=hl", "names no Host")]
    [InlineData("--database", "Hots=db", "not a PostgreSQL connection string")]
    [InlineData("--database", "postgres:///hl", "has no host")]
    public void A_database_that_is_not_postgres_is_an_error_naming_the_problem(string flag, string value, string expected)
    {
        var parsed = ServerOptionsParser.Parse([flag, value], Env());
        Assert.Null(parsed.Options);
        Assert.Contains(expected, parsed.Error);
        Assert.StartsWith("--database", parsed.Error);
    }

    [Fact]
    public void In_memory_and_a_database_together_are_an_error()
    {
        var parsed = ServerOptionsParser.Parse(["--in-memory", "--database", "Host=db"], Env());
        Assert.Null(parsed.Options);
        Assert.Contains("--in-memory and --database", parsed.Error);
    }

    [Fact]
    public void Defaults_bind_loopback_on_5080_with_a_file_store()
    {
        var parsed = ServerOptionsParser.Parse([], Env());
        var options = parsed.Options!;
        Assert.Equal(["http://127.0.0.1:5080"], options.Urls);
        Assert.False(options.InMemory);
        Assert.Null(options.DataFolder);
        Assert.EndsWith(Path.Combine("HumanloopPS", "server"), options.ResolvedDataFolder);
        Assert.Empty(options.ApiKeys);
        Assert.False(options.EnableFaults);
        Assert.Equal("https://api.openai.com/v1", options.OpenAiBaseUrl);
    }

    [Fact]
    public void Flags_and_environment_are_read_and_flags_win()
    {
        var env = Env(new()
        {
            ["HUMANLOOP_SERVER_DATA"] = "/from/env",
            ["HUMANLOOP_SERVER_API_KEYS"] = " k1, k2 ,,",
            ["HUMANLOOP_SERVER_FAULTS"] = "1",
            ["HUMANLOOP_SERVER_OPENAI_BASE_URL"] = "http://127.0.0.1:11434/v1",
            ["HUMANLOOP_SERVER_OPENAI_API_KEY"] = "sk-x",
            ["HUMANLOOP_SERVER_AZURE_OPENAI_ENDPOINT"] = "example.openai.azure.com",
        });
        var options = ServerOptionsParser.Parse(["--urls", "http://127.0.0.1:0", "--data=/from/flag", "--seed", "42", "--mock-token-delay-ms", "15", "--in-memory"], env).Options!;
        Assert.Equal(["http://127.0.0.1:0"], options.Urls);
        Assert.Equal("/from/flag", options.DataFolder);
        Assert.True(options.InMemory);
        Assert.Equal(["k1", "k2"], options.ApiKeys);
        Assert.True(options.EnableFaults);
        Assert.Equal(42, options.Seed);
        Assert.Equal(15, options.MockTokenDelayMs);
        Assert.Equal("http://127.0.0.1:11434/v1", options.OpenAiBaseUrl);
        Assert.Equal("sk-x", options.OpenAiApiKey);
        Assert.Equal("example.openai.azure.com", options.AzureOpenAiEndpoint);

        Assert.True(ServerOptionsParser.Parse(["--enable-faults"], Env()).Options!.EnableFaults);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--seed", "many")]
    [InlineData("--mock-token-delay-ms", "-1")]
    [InlineData("--urls")]
    public void Bad_arguments_are_errors(params string[] args)
    {
        var parsed = ServerOptionsParser.Parse(args, Env());
        Assert.Null(parsed.Options);
        Assert.False(string.IsNullOrEmpty(parsed.Error));
    }

    [Fact]
    public void Help_is_recognised()
    {
        Assert.True(ServerOptionsParser.Parse(["--help"], Env()).ShowHelp);
        Assert.Contains("--enable-faults", ServerOptionsParser.Usage);
    }
}
