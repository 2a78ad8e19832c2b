namespace Humanloop.Server.Hosting;

/// <summary>How to run the server. Program.cs fills it from flags and environment; tests build it directly.</summary>
public sealed record ServerOptions
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public IReadOnlyList<string> Urls { get; init; } = [DefaultUrl];

    /// <summary>Keep everything in memory: no data folder, nothing survives a restart.</summary>
    public bool InMemory { get; init; }

    /// <summary>The data folder; null means <see cref="DefaultDataFolder"/>.</summary>
    public string? DataFolder { get; init; }

    /// <summary>
    /// A PostgreSQL connection string (Npgsql keyword form or a <c>postgres://</c> URI): keep the data there instead of
    /// the SQLite data folder, so several server processes can share it. Null: SQLite.
    /// </summary>
    public string? Database { get; init; }

    /// <summary>Accepted <c>X-API-KEY</c> values. Empty: a development key is generated (see docs/server.md).</summary>
    public IReadOnlyList<string> ApiKeys { get; init; } = [];

    /// <summary>Maps the <c>/_faults</c> control API and applies its rules.</summary>
    public bool EnableFaults { get; init; }

    /// <summary>Seeds the experiment sampler, for repeatable tests.</summary>
    public int? Seed { get; init; }

    /// <summary>Default delay before each token of a mock stream.</summary>
    public int MockTokenDelayMs { get; init; }

    public string OpenAiBaseUrl { get; init; } = Providers.OpenAiSettings.DefaultBaseUrl;

    public string? OpenAiApiKey { get; init; }

    public string? AzureOpenAiEndpoint { get; init; }

    public string? AzureOpenAiApiKey { get; init; }

    /// <summary>Bounds on requests: samples, page size, field lengths, body size (docs/server.md, "Limits").</summary>
    public Http.RequestLimits Limits { get; init; } = Http.RequestLimits.Default;

    /// <summary>Lets the request log carry a generation's prompt (off: the log never holds a prompt or a key).</summary>
    public bool LogPrompts { get; init; }

    /// <summary>Writes one log line per request (route, status, duration, project).</summary>
    public bool RequestLogs { get; init; } = true;

    public const string TextLogFormat = "text";
    public const string JsonLogFormat = "json";

    /// <summary>How the console log is written: <see cref="TextLogFormat"/> (one line each) or <see cref="JsonLogFormat"/> (one JSON object each).</summary>
    public string LogFormat { get; init; } = TextLogFormat;

    /// <summary>Where the logs go instead of the console, for a host that embeds the server and collects its logs.</summary>
    public ILoggerProvider? LoggerProvider { get; init; }

    /// <summary>Where the startup lines (data location, key notice, readiness) go.</summary>
    public TextWriter Output { get; init; } = Console.Out;

    /// <summary>Per-user application data: ~/.local/share/HumanloopPS/server on Linux, %LOCALAPPDATA%\HumanloopPS\server on Windows.</summary>
    public static string DefaultDataFolder => Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify),
        "HumanloopPS",
        "server");

    public string ResolvedDataFolder => DataFolder ?? DefaultDataFolder;
}
