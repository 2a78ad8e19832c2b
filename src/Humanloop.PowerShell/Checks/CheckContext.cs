using System;
using System.Threading;
using System.Threading.Tasks;

namespace Humanloop.PowerShell.Checks;

/// <summary>
/// What a check may use beyond its input: the pipeline thread (where script blocks and PowerShell commands
/// must run) and the runspace's Humanloop client (for checks graded by a model).
/// </summary>
public sealed class CheckContext
{
    private readonly Func<Func<object?>, Task<object?>> _onPipelineThread;
    private readonly Func<HumanloopClient>? _client;

    /// <summary>Creates a context.</summary>
    /// <param name="onPipelineThread">Runs a function on the pipeline thread and hands back its result.</param>
    /// <param name="client">Gives the runspace's client; called on the pipeline thread. Null when there is none.</param>
    public CheckContext(Func<Func<object?>, Task<object?>> onPipelineThread, Func<HumanloopClient>? client)
    {
        _onPipelineThread = onPipelineThread;
        _client = client;
    }

    /// <summary>A context for code already on the pipeline thread, with no client: for calling checks directly.</summary>
    public static CheckContext Inline { get; } = new(action => Task.FromResult(action()), null);

    /// <summary>Runs <paramref name="action"/> on the pipeline thread.</summary>
    public async Task<T> OnPipelineThreadAsync<T>(Func<T> action) => (T)(await _onPipelineThread(() => action()).ConfigureAwait(false))!;

    /// <summary>The runspace's client (its connection, key and recording), created on first use.</summary>
    /// <exception cref="InvalidOperationException">This context has no client.</exception>
    public Task<HumanloopClient> GetClientAsync()
    {
        var client = _client ?? throw new InvalidOperationException("This check needs the Humanloop API, and it is being run without a connection; run it through Test-HumanloopOutput.");
        return OnPipelineThreadAsync(client);
    }
}
