using Humanloop.Server.Storage;

namespace Humanloop.Server.Hosting;

/// <summary>A started server. Disposing it stops Kestrel and closes the database.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Database _database;
    private readonly HttpClient _providerHttp;
    private int _disposed;

    internal RunningServer(WebApplication app, Database database, HttpClient providerHttp, string baseUrl, IReadOnlyList<string> apiKeys)
    {
        _app = app;
        _database = database;
        _providerHttp = providerHttp;
        BaseUrl = baseUrl;
        ApiKeys = apiKeys;
    }

    /// <summary>The bound address, e.g. <c>http://127.0.0.1:41234</c> (the real port when bound to port 0).</summary>
    public string BaseUrl { get; }

    /// <summary><see cref="BaseUrl"/> plus <c>/v4</c>: what clients use as their base URI.</summary>
    public string ApiUrl => BaseUrl + "/v4";

    /// <summary>The accepted keys (configured or generated).</summary>
    public IReadOnlyList<string> ApiKeys { get; }

    /// <summary>The server's services, for tests that wait on background work.</summary>
    internal IServiceProvider Services => _app.Services;

    /// <summary>Completes when the host is asked to stop (Ctrl+C, SIGTERM).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            await _app.StopAsync(CancellationToken.None);
        }
        finally
        {
            await _app.DisposeAsync();
            _providerHttp.Dispose();
            _database.Dispose();
        }
    }
}
