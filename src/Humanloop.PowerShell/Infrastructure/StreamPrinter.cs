using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// Shows a streamed generation the way a person reads it at the prompt: the text flows onto the line as it
/// arrives, one sample at a time, and each sample ends with its finish reason, tokens and log id. Samples
/// stream side by side, so only one is shown live; the others are kept until it finishes, then shown
/// (live from there on if they are still running). Runs on the pipeline thread only.
/// </summary>
internal sealed class StreamPrinter
{
    private readonly Action<string> _write;
    private readonly bool _labelAll;
    private readonly List<Sample> _waiting = [];
    private readonly Dictionary<(int Input, int Index), Sample> _current = [];
    private Sample? _live;
    private bool _lineOpen;

    /// <param name="write">Writes text to the host as it is, without adding a line break.</param>
    /// <param name="labelAll">Whether every sample is labelled with its index (several were asked for); otherwise only those after the first.</param>
    public StreamPrinter(Action<string> write, bool labelAll)
    {
        _write = write;
        _labelAll = labelAll;
    }

    /// <summary>Shows <paramref name="chunk"/> of input <paramref name="input"/>: now, if its sample is the one shown live; else once it is.</summary>
    public void Add(int input, GenerationChunk chunk)
    {
        var key = (input, chunk.Index);
        if (!_current.TryGetValue(key, out var sample) || sample.Finished)
        {
            // A new sample, or the next round of a tool-using chat on the same index.
            _current[key] = sample = new Sample(chunk.Index);
            _waiting.Add(sample);
        }

        sample.Text.Append(chunk.Output);
        if (chunk is ChatChunk { ToolCalls.Count: > 0 })
        {
            sample.ToolCallChunks.Add(chunk);
        }

        if (!string.IsNullOrEmpty(chunk.FinishReason))
        {
            sample.Finished = true;
            sample.FinishReason = chunk.FinishReason;
            sample.LogId = chunk.Id;
            sample.Usage = chunk.Usage;
        }

        _live ??= Next();
        ShowLive();
    }

    /// <summary>The stream of input <paramref name="input"/> is complete: adds what only the whole response says (the total of several samples).</summary>
    public void Complete(int input, IGenerationResult response)
    {
        Flush(input);
        if (response.Samples.Count > 1 && response.Usage is { } usage)
        {
            WriteLine($"    {usage} in all");
        }
    }

    /// <summary>The stream of input <paramref name="input"/> failed or was stopped: shows what it had, and ends the open line so what follows starts on its own.</summary>
    public void Break(int input)
    {
        Flush(input);
        EndLine();
    }

    /// <summary>Ctrl+C: shows what every stream had, and ends the open line, so the prompt starts on its own.</summary>
    public void Stop()
    {
        foreach (var input in _current.Keys.Select(key => key.Input).Distinct().ToList())
        {
            Flush(input);
        }

        EndLine();
    }

    // Shows the live sample's new text; when it finishes, its facts, and moves on to the next waiting one.
    private void ShowLive()
    {
        while (_live is { } live)
        {
            if (!live.Started)
            {
                live.Started = true;
                EndLine();
                Write(Label(live.Index, _labelAll));
            }

            var text = live.Text.ToString(live.Shown, live.Text.Length - live.Shown);
            live.Shown = live.Text.Length;

            // The first chunk of a sample usually starts with the space before its word; the line does not.
            Write(live.Begun ? text : text.TrimStart());
            live.Begun |= text.Trim().Length > 0;
            if (!live.Finished)
            {
                return;
            }

            EndLine();
            foreach (var call in live.ToolCalls())
            {
                WriteLine("    calls " + call);
            }

            WriteLine("    " + string.Join(" · ", live.Facts()));
            _live = Next();
        }
    }

    // Shows every sample of the input still waiting, so none of what arrived is lost from view.
    private void Flush(int input)
    {
        foreach (var sample in _current.Where(pair => pair.Key.Input == input).Select(pair => pair.Value).ToList())
        {
            if (!sample.Finished)
            {
                // Not finished, and the stream failed or was stopped: show it as it is, and say so.
                sample.Finished = true;
                sample.FinishReason = "(unfinished)";
            }
        }

        _live ??= Next();
        ShowLive();
        foreach (var key in _current.Keys.Where(key => key.Input == input).ToList())
        {
            _current.Remove(key);
        }
    }

    private Sample? Next()
    {
        if (_waiting.Count == 0)
        {
            return null;
        }

        var next = _waiting[0];
        _waiting.RemoveAt(0);
        return next;
    }

    private string Label(int index, bool labelAll) => labelAll || index > 0 ? $"[{index}] " : string.Empty;

    private void Write(string text)
    {
        if (text.Length > 0)
        {
            _write(text);
            _lineOpen = !text.EndsWith('\n');
        }
    }

    private void WriteLine(string text)
    {
        EndLine();
        _write(text + "\n");
    }

    private void EndLine()
    {
        if (_lineOpen)
        {
            _write("\n");
            _lineOpen = false;
        }
    }

    private sealed class Sample(int index)
    {
        public int Index { get; } = index;

        public StringBuilder Text { get; } = new();

        public int Shown { get; set; }

        public bool Started { get; set; }

        public bool Begun { get; set; }

        public bool Finished { get; set; }

        public string? FinishReason { get; set; }

        public string? LogId { get; set; }

        public Usage? Usage { get; set; }

        // The chunks that carried pieces of tool calls, joined into the calls when the sample is shown whole.
        public List<GenerationChunk> ToolCallChunks { get; } = [];

        public IEnumerable<ToolCall> ToolCalls() => ToolCallChunks.Count == 0
            ? []
            : StreamedSample.Assemble(ToolCallChunks).SelectMany(sample => (sample.Data as ChatData)?.Message.ToolCalls ?? []);

        public IEnumerable<string> Facts()
        {
            if (FinishReason is not null)
            {
                yield return FinishReason;
            }

            if (Usage is not null)
            {
                yield return Usage.ToString();
            }

            if (!string.IsNullOrEmpty(LogId))
            {
                yield return "log " + LogId;
            }
        }
    }
}
