using System.Text.Json.Nodes;
using Humanloop.Server.Api;
using Humanloop.Server.Domain;
using Humanloop.Server.Evaluations;
using Humanloop.Server.Faults;
using Humanloop.Server.Generation;
using Humanloop.Server.Http;
using Humanloop.Server.Observability;
using Humanloop.Server.Providers;
using Humanloop.Server.Storage;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Humanloop.Server.Hosting;

/// <summary>Builds and starts the server in-process: used by Program.cs and by the tests.</summary>
public static class ServerHost
{
    public const string ReadyPrefix = "Humanloop server ready: ";

    /// <summary>Starts the line that holds the PowerShell command connecting to this server, ready to paste.</summary>
    public const string ConnectPrefix = "Connect from PowerShell: ";

    public static async Task<RunningServer> StartAsync(ServerOptions options, CancellationToken cancellationToken)
    {
        var output = options.Output;
        var database = Open(options);
        var providerHttp = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
        {
            // Provider calls end when the client goes away (the request's token), not on a fixed timer.
            Timeout = Timeout.InfiniteTimeSpan,
        };

        try
        {
            output.WriteLine($"Humanloop server data: {database.Description}");
            var apiKeys = ApiKeyProvisioner.Provision(options, output);
            var starting = new StartingFlag();
            var app = Build(options, database, providerHttp, apiKeys, starting);
            // No run of this process has started yet: server runs still pending or running were interrupted by a stop.
            // On a shared database only the runs whose replica stopped renewing their lease are failed.
            app.Services.GetRequiredService<EvaluationStore>().FailInterruptedRuns(EvaluationRunner.InterruptedReason, onlyExpiredLeases: database.IsShared);
            await app.StartAsync(cancellationToken);
            starting.Done = true;

            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
            if (ApiKeyProvisioner.ConnectLine($"{address}/v4", options, apiKeys) is { } connect)
            {
                output.WriteLine($"{ConnectPrefix}{connect}");
            }

            output.WriteLine($"{ReadyPrefix}{address}/v4");
            output.Flush();
            return new RunningServer(app, database, providerHttp, address, apiKeys);
        }
        catch
        {
            providerHttp.Dispose();
            database.Dispose();
            throw;
        }
    }

    /// <summary>The database the options name: PostgreSQL, in-memory SQLite, or the SQLite data folder.</summary>
    internal static Database Open(ServerOptions options) =>
        options.Database is not null ? Database.OpenPostgres(options.Database)
        : options.InMemory ? Database.OpenInMemory()
        : Database.OpenFile(options.ResolvedDataFolder);

    private static WebApplication Build(ServerOptions options, Database database, HttpClient providerHttp, IReadOnlyList<string> apiKeys, StartingFlag starting)
    {
        // No args: our flags are not ASP.NET configuration keys, and --urls is applied explicitly below.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(ServerHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // The body reader enforces the same bound with a JSON error; Kestrel's is the backstop for other routes.
            kestrel.Limits.MaxRequestBodySize = options.Limits.MaxBodyBytes;
        });

        // stdout carries the startup lines scripts parse; framework chatter stays at Warning. Request lines (one per
        // request, docs/server.md "Request logs") are Information, as text or as JSON objects.
        builder.Logging.ClearProviders();
        if (options.LoggerProvider is { } provider)
        {
            builder.Logging.AddProvider(provider);
        }
        else if (options.LogFormat == ServerOptions.JsonLogFormat)
        {
            builder.Logging.AddJsonConsole(console => console.UseUtcTimestamp = true);
        }
        else
        {
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        }

        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("System", LogLevel.Warning);
        // A failure to start (a port in use) is thrown to the caller, which reports it in one line; the host's
        // own log of it, a stack trace, is dropped until the server has started.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", level => starting.Done && level >= LogLevel.Warning);

        var services = builder.Services;

        // Ctrl+C should not wait long for open streams: they are aborted after this grace period.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        services.AddSingleton(options);
        services.AddSingleton(options.Limits);
        services.AddSingleton<ServerMetrics>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(database);
        services.AddSingleton<ProjectStore>();
        services.AddSingleton<ModelConfigStore>();
        services.AddSingleton<ExperimentStore>();
        services.AddSingleton<DeploymentStore>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<ToolConfigStore>();
        services.AddSingleton<LogStore>();
        services.AddSingleton<DatasetStore>();
        services.AddSingleton<EvaluatorStore>();
        services.AddSingleton<EvaluationStore>();
        services.AddSingleton<ResponseBuilder>();
        services.AddSingleton<ConfigRegistry>();
        services.AddSingleton<DeploymentResolver>();
        services.AddSingleton(new ExperimentSampler(options.Seed));
        services.AddSingleton<ExperimentConfigPicker>();
        services.AddSingleton(new MockProvider(options.MockTokenDelayMs));
        services.AddSingleton(new ProviderCatalogDependencies(providerHttp,
            new OpenAiSettings(options.OpenAiBaseUrl, options.OpenAiApiKey, options.AzureOpenAiEndpoint, options.AzureOpenAiApiKey)));
        services.AddSingleton(sp =>
        {
            var dependencies = sp.GetRequiredService<ProviderCatalogDependencies>();
            return new ProviderCatalog(sp.GetRequiredService<MockProvider>(), dependencies.Http, dependencies.Settings, sp.GetRequiredService<ServerMetrics>());
        });
        services.AddSingleton<LogIntake>();
        services.AddSingleton<GenerationLogWriter>();
        services.AddSingleton<GenerationPlanner>();
        services.AddSingleton<GenerationRunner>();
        services.AddSingleton<GenerationStreamer>();
        services.AddSingleton<EvaluationResponseBuilder>();
        services.AddSingleton<EvaluatorCalls>();
        services.AddSingleton<EvaluatorExecutor>();
        services.AddSingleton<EvaluationScorer>();
        services.AddSingleton<EvaluationRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<EvaluationRunner>());
        services.AddSingleton<EvaluationLifecycle>();
        services.AddSingleton<HumanEvaluatorFeedback>();
        services.AddSingleton(new AcceptedApiKeys(apiKeys));
        if (options.EnableFaults)
        {
            services.AddSingleton<FaultInjector>();
        }

        var app = builder.Build();
        app.UseMiddleware<RequestLogMiddleware>();
        app.UseMiddleware<ApiErrorMiddleware>();
        app.UseStatusCodePages(WriteEmptyErrorAsJsonAsync);
        app.UseMiddleware<PathGuardMiddleware>();
        if (options.EnableFaults)
        {
            app.UseMiddleware<FaultMiddleware>();
        }

        app.UseMiddleware<ApiKeyMiddleware>();

        // Operators' endpoints take no key (docs/server.md, "Health and metrics"): they reveal no data.
        app.MapGet("/healthz", () => WireResults.Json(new JsonObject { ["status"] = "ok" }));
        app.MapGet("/readyz", (Database database) => database.IsReady(out var reason)
            ? WireResults.Json(new JsonObject { ["status"] = "ready" })
            : WireResults.Json(new JsonObject { ["status"] = "not ready", ["reason"] = reason }, StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/metrics", (ServerMetrics metrics) => WireResults.Text(metrics.Write(), ServerMetrics.ContentType));
        if (options.EnableFaults)
        {
            app.MapFaultEndpoints();
        }

        var v4 = app.MapGroup("/v4");
        v4.MapGenerationEndpoints(new CompletionKind());
        v4.MapGenerationEndpoints(new ChatKind());
        v4.MapProjectEndpoints();
        v4.MapModelConfigEndpoints();
        v4.MapDeploymentEndpoints();
        v4.MapExperimentEndpoints();
        v4.MapLogEndpoints();
        v4.MapSessionEndpoints();
        v4.MapDatasetEndpoints();
        v4.MapEvaluatorEndpoints();
        v4.MapEvaluationEndpoints();
        return app;
    }

    /// <summary>Routing's bare 404 and 405 get FastAPI's JSON bodies, like every other error.</summary>
    private static Task WriteEmptyErrorAsJsonAsync(StatusCodeContext context)
    {
        var status = context.HttpContext.Response.StatusCode;
        var message = status switch
        {
            StatusCodes.Status404NotFound => "Not Found",
            StatusCodes.Status405MethodNotAllowed => "Method Not Allowed",
            _ => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
        };
        return ApiErrorMiddleware.WriteAsync(context.HttpContext, status, JsonValue.Create(message), null);
    }

    private sealed record ProviderCatalogDependencies(HttpClient Http, OpenAiSettings Settings);

    private sealed class StartingFlag
    {
        public volatile bool Done;
    }

    /// <summary>
    /// The one line that says why the server could not start, naming the address, when the cause is one a user
    /// can act on (an address in use, a data folder in use, a database that cannot be reached); null otherwise.
    /// </summary>
    public static string? DescribeStartFailure(Exception failure, IReadOnlyList<string> urls)
    {
        var url = urls.FirstOrDefault(candidate => failure.Message.Contains(candidate.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)) ?? urls.FirstOrDefault() ?? ServerOptions.DefaultUrl;
        var where = Uri.TryCreate(url.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var parsed)
            ? $"Port {parsed.Port} on {parsed.Host}"
            : $"The address {url}";
        for (var cause = failure; cause is not null; cause = cause.InnerException)
        {
            if (cause is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                return $"{where} is in use: stop the other server or pass --urls (-Urls to build.ps1) with another port.";
            }
        }

        // A data folder in use, an unreachable database: the message names it. Anything else is a defect, whose
        // stack trace is what its report needs.
        return failure is IOException or System.Data.Common.DbException
            ? $"Humanloop server could not start: {failure.Message}"
            : null;
    }
}
