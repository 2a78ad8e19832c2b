using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Humanloop.Server.Http;
using Humanloop.Server.Observability;

namespace Humanloop.Server.Providers;

/// <summary>
/// A provider whose calls are measured for <c>/metrics</c>: time, outcome (a provider error by the status the server
/// answers with), tokens, and how many of its streams are open.
/// </summary>
internal sealed class MeasuredProvider(string name, IModelProvider inner, ServerMetrics metrics) : IModelProvider
{
    public IModelProvider Inner => inner;

    public async Task<ProviderGeneration> GenerateAsync(ProviderCall call, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var generation = await inner.GenerateAsync(call, cancellationToken);
            metrics.ProviderCall(name, Stopwatch.GetElapsedTime(started).TotalSeconds, null);
            metrics.Tokens(name, generation.PromptTokens, generation.Samples.Sum(s => s.GenerationTokens));
            return generation;
        }
        catch (ApiException ex)
        {
            metrics.ProviderCall(name, Stopwatch.GetElapsedTime(started).TotalSeconds, ex.StatusCode);
            throw;
        }
    }

    public async Task<IProviderStream> OpenStreamAsync(ProviderCall call, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        IProviderStream stream;
        try
        {
            stream = await inner.OpenStreamAsync(call, cancellationToken);
        }
        catch (ApiException ex)
        {
            metrics.ProviderCall(name, Stopwatch.GetElapsedTime(started).TotalSeconds, ex.StatusCode);
            throw;
        }

        metrics.StreamOpened();
        return new MeasuredStream(name, stream, metrics, started);
    }

    private sealed class MeasuredStream(string name, IProviderStream inner, ServerMetrics metrics, long started) : IProviderStream
    {
        private int? _errorStatus;
        private int _generationTokens;
        private int _closed;

        public JsonObject ProviderRequest => inner.ProviderRequest;

        public int PromptTokens => inner.PromptTokens;

        public JsonNode ProviderResponse => inner.ProviderResponse;

        public async IAsyncEnumerable<StreamDelta> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await using var deltas = inner.ReadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                try
                {
                    if (!await deltas.MoveNextAsync())
                    {
                        break;
                    }
                }
                catch (ApiException ex)
                {
                    _errorStatus = ex.StatusCode;
                    throw;
                }

                _generationTokens += deltas.Current.GenerationTokens ?? 0;
                yield return deltas.Current;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                metrics.StreamClosed();
                metrics.ProviderCall(name, Stopwatch.GetElapsedTime(started).TotalSeconds, _errorStatus);
                metrics.Tokens(name, inner.PromptTokens, _generationTokens);
            }

            await inner.DisposeAsync();
        }
    }
}
