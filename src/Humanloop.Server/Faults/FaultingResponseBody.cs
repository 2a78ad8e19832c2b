using System.Text;

namespace Humanloop.Server.Faults;

/// <summary>
/// Wraps a response body the way a faulty network or proxy would sit in front of it, so the
/// product's writers stay unaware of faults. The SSE writer sends each event in one write; events
/// are counted by their terminating blank line, and a mid-stream fault acts before the write that
/// would go past <see cref="FaultRule.AfterEvents"/>. A fault that ends the response throws
/// <see cref="FaultEndedResponseException"/>, which the writer meets like a vanished client and
/// <see cref="FaultMiddleware"/> swallows.
/// </summary>
internal sealed class FaultingResponseBody(Stream inner, FaultRule rule, HttpContext context) : Stream
{
    // Deliberately invalid JSON, for the malformed_chunk fault.
    private static readonly byte[] MalformedEvent = Encoding.UTF8.GetBytes("data: {\"data\": [ {\"output\": \"x\"\n\n");

    private int _events;
    private bool _faultDone;

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (rule.Kind == FaultKinds.ResetMidBody)
        {
            await ResetMidBodyAsync(buffer, cancellationToken);
            return;
        }

        await ApplyStreamFaultIfDueAsync(cancellationToken);
        await inner.WriteAsync(buffer, cancellationToken);
        _events += CountEventEnds(buffer.Span);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    /// <summary>A fault due after the very last event still happens (a stall or a malformed chunk at the end).</summary>
    public async Task FinishAsync()
    {
        if (FaultKinds.IsStreamOnly(rule.Kind))
        {
            await ApplyStreamFaultIfDueAsync(context.RequestAborted);
        }
    }

    private async Task ApplyStreamFaultIfDueAsync(CancellationToken cancellationToken)
    {
        if (_faultDone || _events < rule.AfterEvents)
        {
            return;
        }

        _faultDone = true;
        switch (rule.Kind)
        {
            case FaultKinds.StallMidStream:
                if (!await FaultMiddleware.StallAsync(rule.DelayMs, context))
                {
                    throw new FaultEndedResponseException();
                }

                break;
            case FaultKinds.CutMidStream:
                if (rule.Abort)
                {
                    await FaultMiddleware.AbortAfterFlushAsync(context);
                }

                throw new FaultEndedResponseException();
            case FaultKinds.MalformedChunk:
                await inner.WriteAsync(MalformedEvent, cancellationToken);
                await inner.FlushAsync(cancellationToken);
                break;
        }
    }

    /// <summary>A connection lost halfway through a successful JSON body: half of it, flushed, then an abort.</summary>
    private async Task ResetMidBodyAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_faultDone || context.Response.StatusCode >= 300)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            return;
        }

        _faultDone = true;
        await inner.WriteAsync(buffer[..(buffer.Length / 2)], cancellationToken);
        await inner.FlushAsync(cancellationToken);
        await FaultMiddleware.AbortAfterFlushAsync(context);
        throw new FaultEndedResponseException();
    }

    private static int CountEventEnds(ReadOnlySpan<byte> bytes)
    {
        var count = 0;
        for (var i = 1; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n' && bytes[i - 1] == (byte)'\n')
            {
                count++;
            }
        }

        return count;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    // Kestrel disallows synchronous writes; the product writers only write asynchronously.
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Thrown by <see cref="FaultingResponseBody"/> when a fault ended the response; never reaches the client.</summary>
internal sealed class FaultEndedResponseException() : Exception("An injected fault ended the response.");
