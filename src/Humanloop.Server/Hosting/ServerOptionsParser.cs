using System.Globalization;

namespace Humanloop.Server.Hosting;

/// <summary>The result of reading the command line: options, a request for help, or an error to report.</summary>
internal sealed record ParsedCommandLine(ServerOptions? Options, bool ShowHelp, string? Error);

/// <summary>
/// Reads the documented flags and environment variables. Flags win over the environment. The names
/// are fixed: scripts and the module's tests rely on them.
/// </summary>
internal static class ServerOptionsParser
{
    public const string Usage = """
        Humanloop local v4 server

        Usage: Humanloop.Server [options]

          --urls <urls>                Addresses to bind (default http://127.0.0.1:5080; port 0 picks a free port)
          --in-memory                  Keep everything in memory (nothing is written to disk)
          --data <folder>              Data folder (env HUMANLOOP_SERVER_DATA; default per-user app data)
          --database <connection>      Keep the data in PostgreSQL instead of the SQLite data folder, e.g.
                                       "Host=localhost;Database=humanloop;Username=hl;Password=..." or
                                       postgres://hl:...@localhost/humanloop (env HUMANLOOP_SERVER_DATABASE)
          --enable-faults              Enable the /_faults fault-injection API (env HUMANLOOP_SERVER_FAULTS=1)
          --seed <int>                 Seed the experiment sampler (env HUMANLOOP_SERVER_SEED)
          --mock-token-delay-ms <int>  Delay before each token of mock streams (env HUMANLOOP_SERVER_MOCK_TOKEN_DELAY_MS)
          --max-num-samples <int>      Most samples one generation may ask for (default 100; env HUMANLOOP_SERVER_MAX_NUM_SAMPLES)
          --max-page-size <int>        Largest page a list may ask for (default 1000; env HUMANLOOP_SERVER_MAX_PAGE_SIZE)
          --log-format <text|json>     Console log lines as text or JSON objects (default text; env HUMANLOOP_SERVER_LOG_FORMAT)
          --log-prompts                Put each generation's prompt in its request log line (env HUMANLOOP_SERVER_LOG_PROMPTS=1)
          --help                       Show this help

        Usage: Humanloop.Server migrate --from <folder> --to <connection>
          Copies an SQLite data folder into an empty PostgreSQL database (see docs/server.md).

        Environment:
          HUMANLOOP_SERVER_API_KEYS              Comma-separated accepted X-API-KEY values
          HUMANLOOP_SERVER_OPENAI_BASE_URL       OpenAI-compatible base URL (default https://api.openai.com/v1)
          HUMANLOOP_SERVER_OPENAI_API_KEY        Key for that endpoint (a request's provider_api_keys.openai wins)
          HUMANLOOP_SERVER_AZURE_OPENAI_ENDPOINT Azure OpenAI endpoint
          HUMANLOOP_SERVER_AZURE_OPENAI_API_KEY  Azure OpenAI key (a request's provider_api_keys.openai_azure wins)
        """;

    private static ParsedCommandLine ParseOrThrow(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        string? urls = environment("ASPNETCORE_URLS");
        var inMemory = false;
        var dataFolder = NullIfEmpty(environment("HUMANLOOP_SERVER_DATA"));
        var database = NullIfEmpty(environment("HUMANLOOP_SERVER_DATABASE"));
        var faults = IsTrue(environment("HUMANLOOP_SERVER_FAULTS"));
        var seedText = NullIfEmpty(environment("HUMANLOOP_SERVER_SEED"));
        var delayText = NullIfEmpty(environment("HUMANLOOP_SERVER_MOCK_TOKEN_DELAY_MS"));
        var operatorOptions = OperatorOptions.FromEnvironment(environment);

        for (var i = 0; i < args.Count; i++)
        {
            var (name, inlineValue) = Split(args[i]);
            string? Value()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }

                return i + 1 < args.Count ? args[++i] : null;
            }

            switch (name)
            {
                case "--help" or "-h" or "-?":
                    return new ParsedCommandLine(null, true, null);
                case "--urls":
                    urls = Value() ?? throw Missing(name);
                    break;
                case "--in-memory":
                    inMemory = true;
                    break;
                case "--data":
                    dataFolder = Value() ?? throw Missing(name);
                    break;
                case "--database":
                    database = Value() ?? throw Missing(name);
                    break;
                case "--enable-faults":
                    faults = true;
                    break;
                case "--seed":
                    seedText = Value() ?? throw Missing(name);
                    break;
                case "--mock-token-delay-ms":
                    delayText = Value() ?? throw Missing(name);
                    break;
                default:
                    if (!operatorOptions.TryRead(name, Value))
                    {
                        return new ParsedCommandLine(null, false, $"Unknown option '{args[i]}'.");
                    }

                    break;
            }
        }

        if (!TryInt(seedText, out var seed))
        {
            return new ParsedCommandLine(null, false, $"--seed needs an integer, not '{seedText}'.");
        }

        if (!TryInt(delayText, out var delay) || delay < 0)
        {
            return new ParsedCommandLine(null, false, $"--mock-token-delay-ms needs a non-negative integer, not '{delayText}'.");
        }

        if (database is not null)
        {
            if (inMemory)
            {
                return new ParsedCommandLine(null, false, "--in-memory and --database both say where the data lives: give one.");
            }

            // Checked now, so a mistyped connection string is an error at the command line rather than at start.
            Storage.PostgresConnectionString.Normalise(database);
        }

        var options = new ServerOptions
        {
            Urls = string.IsNullOrWhiteSpace(urls) ? [ServerOptions.DefaultUrl] : urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            InMemory = inMemory,
            DataFolder = dataFolder,
            Database = database,
            ApiKeys = (environment("HUMANLOOP_SERVER_API_KEYS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            EnableFaults = faults,
            Seed = seed,
            MockTokenDelayMs = delay ?? 0,
            OpenAiBaseUrl = NullIfEmpty(environment("HUMANLOOP_SERVER_OPENAI_BASE_URL")) ?? Providers.OpenAiSettings.DefaultBaseUrl,
            OpenAiApiKey = NullIfEmpty(environment("HUMANLOOP_SERVER_OPENAI_API_KEY")),
            AzureOpenAiEndpoint = NullIfEmpty(environment("HUMANLOOP_SERVER_AZURE_OPENAI_ENDPOINT")),
            AzureOpenAiApiKey = NullIfEmpty(environment("HUMANLOOP_SERVER_AZURE_OPENAI_API_KEY")),
        };
        return new ParsedCommandLine(operatorOptions.ApplyTo(options), false, null);
    }

    /// <summary>The limits and logging flags (docs/server.md, "Limits" and "Request logs"), read apart from the others.</summary>
    private sealed class OperatorOptions
    {
        private string? _maxSamples;
        private string? _maxPage;
        private string? _logFormat;
        private bool _logPrompts;

        public static OperatorOptions FromEnvironment(Func<string, string?> environment) => new()
        {
            _maxSamples = NullIfEmpty(environment("HUMANLOOP_SERVER_MAX_NUM_SAMPLES")),
            _maxPage = NullIfEmpty(environment("HUMANLOOP_SERVER_MAX_PAGE_SIZE")),
            _logFormat = NullIfEmpty(environment("HUMANLOOP_SERVER_LOG_FORMAT")),
            _logPrompts = IsTrue(environment("HUMANLOOP_SERVER_LOG_PROMPTS")),
        };

        public bool TryRead(string name, Func<string?> value)
        {
            switch (name)
            {
                case "--max-num-samples":
                    _maxSamples = value() ?? throw Missing(name);
                    return true;
                case "--max-page-size":
                    _maxPage = value() ?? throw Missing(name);
                    return true;
                case "--log-format":
                    _logFormat = value() ?? throw Missing(name);
                    return true;
                case "--log-prompts":
                    _logPrompts = true;
                    return true;
                default:
                    return false;
            }
        }

        public ServerOptions ApplyTo(ServerOptions options)
        {
            var limits = options.Limits with
            {
                MaxNumSamples = Positive("--max-num-samples", _maxSamples) ?? options.Limits.MaxNumSamples,
                MaxPageSize = Positive("--max-page-size", _maxPage) ?? options.Limits.MaxPageSize,
            };
            var format = _logFormat?.ToLowerInvariant() ?? ServerOptions.TextLogFormat;
            if (format is not (ServerOptions.TextLogFormat or ServerOptions.JsonLogFormat))
            {
                throw new ArgumentException($"--log-format needs text or json, not '{_logFormat}'.");
            }

            return options with { Limits = limits, LogFormat = format, LogPrompts = _logPrompts };
        }

        private static int? Positive(string name, string? text)
        {
            if (!TryInt(text, out var value) || value < 1)
            {
                throw new ArgumentException($"{name} needs a positive integer, not '{text}'.");
            }

            return value;
        }
    }

    public static ParsedCommandLine Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        try
        {
            return ParseOrThrow(args, environment);
        }
        catch (ArgumentException ex)
        {
            return new ParsedCommandLine(null, false, ex.Message);
        }
    }

    private static ArgumentException Missing(string name) => new($"{name} needs a value.");

    private static (string Name, string? Value) Split(string arg)
    {
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        return arg.StartsWith("--", StringComparison.Ordinal) && equals > 0 ? (arg[..equals], arg[(equals + 1)..]) : (arg, null);
    }

    private static bool TryInt(string? text, out int? value)
    {
        value = null;
        if (text is null)
        {
            return true;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }

    private static bool IsTrue(string? text) => text is not null && (text == "1" || text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.Equals("yes", StringComparison.OrdinalIgnoreCase));

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
