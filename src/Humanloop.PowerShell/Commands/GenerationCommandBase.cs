using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>
/// What every generation cmdlet shares, completion and chat alike: the request fields common to the
/// eight endpoints, one request per pipeline input run as a batch (-ThrottleLimit at once, results in
/// input order unless -Unordered), streaming, and per-input errors that do not stop the pipeline.
/// </summary>
public abstract class GenerationCommandBase : HumanloopCmdlet
{
    private readonly List<object> _responses = [];

    // With -ResponseVariable and -Stream: the chunks each input has written so far, dropped when its response is
    // kept; what they make is kept instead when the command is stopped.
    private readonly SortedDictionary<int, List<GenerationChunk>> _written = [];
    private InputBatch? _batch;
    private bool _sessionIdTyped;
    private bool _projectIdTyped;

    // With -Stream when the output is only shown: the text goes to the host as it arrives, instead of a chunk object per event.
    private StreamPrinter? _printer;

    /// <summary>Template inputs: a hashtable, or any object whose properties are the inputs (an Import-Csv row).</summary>
    [Parameter(ValueFromPipeline = true)]
    [Alias("InputObject")]
    public PSObject? Inputs { get; set; }

    /// <summary>Project name; created by the server when it does not exist.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProjectNameCompleter))]
    public string? Project { get; set; }

    /// <summary>Project id (pr_…). Binds by property name: a piped project runs its deployed config (a typed -Project wins over a piped id).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("project_id")]
    [ArgumentCompleter(typeof(ProjectIdCompleter))]
    public string? ProjectId { get; set; }

    /// <summary>
    /// Session id (sesh_…) to attach the log to. Binds by property name: a piped session (New-HumanloopSession,
    /// Get-HumanloopSession) puts each request in it, and a piped chat result keeps its continuation in the
    /// result's session; an empty value means none.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SessionIdCompleter))]
    public string? SessionId { get; set; }

    /// <summary>Your own session key; reusing it groups logs into one session.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SessionReferenceId { get; set; }

    /// <summary>Id of the parent log inside a session.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ParentId { get; set; }

    /// <summary>Your own reference to a previously logged parent.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ParentReferenceId { get; set; }

    /// <summary>Free text saying where the call came from.</summary>
    [Parameter]
    public string? Source { get; set; }

    /// <summary>Metadata stored with the log: a hashtable or an object.</summary>
    [Parameter]
    public PSObject? Metadata { get; set; }

    /// <summary>Asks the server not to store the payloads of the log (the API's save: false); by default it stores them.</summary>
    [Parameter]
    public SwitchParameter NoSave { get; set; }

    /// <summary>Kept for scripts written before -NoSave: -Save:$false is -NoSave; -Save asks for the default, storing.</summary>
    [Parameter(DontShow = true)]
    public SwitchParameter Save { get; set; }

    /// <summary>Dataset datapoint this log is derived from.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SourceDatapointId { get; set; }

    /// <summary>Per-request provider keys, for example @{ openai = $key }; values may be SecureStrings.</summary>
    [Parameter]
    public Hashtable? ProviderApiKeys { get; set; }

    /// <summary>Number of generations.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int NumSamples { get; set; }

    /// <summary>End-user id passed to the provider.</summary>
    [Parameter]
    public string? User { get; set; }

    /// <summary>Request-level seed (the API prefers the config's seed).</summary>
    [Parameter]
    public int Seed { get; set; }

    /// <summary>Whether the response repeats the inputs; -ReturnInputs:$false turns that off.</summary>
    [Parameter]
    public SwitchParameter ReturnInputs { get; set; }

    /// <summary>
    /// Writes a chunk (Humanloop.CompletionChunk or Humanloop.ChatChunk) per server-sent event as it arrives; when
    /// the output is only shown (the last command at the prompt), the text flows onto the screen instead.
    /// </summary>
    [Parameter]
    public SwitchParameter Stream { get; set; }

    /// <summary>With -Stream: seconds the stream may go without an event before it fails (default 100).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int StreamIdleTimeoutSec { get; set; }

    /// <summary>With -Stream: seconds the whole stream may take once it has started (default: no limit).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int StreamTimeoutSec { get; set; }

    /// <summary>
    /// Name of a variable (without $) that receives the complete response of each request
    /// (Humanloop.CompletionResponse or Humanloop.ChatResponse): with -Stream, the response assembled
    /// from the chunks.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ResponseVariable { get; set; }

    /// <summary>
    /// How many requests run at once for the piped inputs (1–64; default 1: one after another). Fewer run
    /// while the server answers 429; see the description.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 1;

    /// <summary>
    /// Writes each input's results as soon as they are ready rather than in input order; each then carries
    /// InputIndex, its input's position from 0.
    /// </summary>
    [Parameter]
    public SwitchParameter Unordered { get; set; }

    /// <inheritdoc />
    internal override AdaptiveThrottle? ClientThrottle => ThrottleLimit > 1 ? _batch?.Throttle : null;

    /// <inheritdoc />
    internal override CallSettings DescribeCall() => base.DescribeCall() with
    {
        StreamIdleTimeoutSec = Bound(nameof(StreamIdleTimeoutSec)) ? StreamIdleTimeoutSec : null,
        StreamTimeoutSec = Bound(nameof(StreamTimeoutSec)) ? StreamTimeoutSec : null,
    };

    /// <summary>Creates the endpoint-specific request from the cmdlet's own parameters and the current input.</summary>
    /// <exception cref="ArgumentException">The parameters do not make a valid request.</exception>
    protected abstract GenerationRequest CreateRequest();

    /// <summary>
    /// The template inputs of this input: -Inputs (or the pipeline object) as a JSON object. A piped session
    /// only names the session (-SessionId), so it brings no inputs.
    /// </summary>
    protected virtual IDictionary? ReadInputs() =>
        Inputs is null || Inputs.BaseObject is Session or CreatedSession or Humanloop.ModelConfig or ProjectModelConfig or Humanloop.Project ? null : PowerShellValues.ToJsonObject(Inputs, "-Inputs");

    /// <summary>The project id to use: a typed -ProjectId, or one from a piped object unless -Project names the project.</summary>
    private string? ProjectIdInUse => _projectIdTyped || Project is null ? ProjectId : null;

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        RejectBoth(nameof(Project), nameof(ProjectId));
        RejectBoth(nameof(SessionId), nameof(SessionReferenceId));
        RejectBoth(nameof(ParentId), nameof(ParentReferenceId));
        if (PayloadStorage.Conflict(MyInvocation.BoundParameters, NoSave, Save) is { } conflict)
        {
            ThrowInvalidParameters(conflict);
        }

        // One request at a time is what a call per input would do: no progress bar for it.
        var progress = ThrottleLimit > 1 && Interactivity.ShowsProgress(this)
            ? new WorkProgress($"{MyInvocation.MyCommand.Name}: up to {ThrottleLimit} requests at once", DateTime.UtcNow, 0, totalKnown: false)
            : null;
        _batch = new InputBatch(this, () => Client, ThrottleLimit, ordered: !Unordered, progress);
        // What is bound now was typed; a -SessionId bound later came from a piped object.
        _sessionIdTyped = Bound(nameof(SessionId));
        _projectIdTyped = Bound(nameof(ProjectId));
        if (Stream && Host?.UI is { } ui && PipelineInternals.OutputIsOnlyShown(this))
        {
            _printer = new StreamPrinter(ui.Write, labelAll: Bound(nameof(NumSamples)) && NumSamples > 1);
        }
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        GenerationRequest request;
        try
        {
            request = CreateRequest();
            ApplySharedFields(request);
        }
        catch (Exception exception) when (exception is ArgumentException or HumanloopInputException)
        {
            KeepingWhatArrived(() => _batch!.Reject(Inputs, exception));
            return;
        }

        KeepingWhatArrived(() => _batch!.Add(Inputs, async (client, input, cancellationToken) =>
        {
            IGenerationResult response;
            try
            {
                response = await GenerateAsync(client, request, input, cancellationToken).ConfigureAwait(false);
            }
            catch when (Stream)
            {
                // In the input's turn, before its error: what was shown ends, and no stale chunks are kept.
                input.OnTurn(() => Abandon(input.Index));
                throw;
            }

            if (!Stream)
            {
                input.Write(response);
            }

            input.OnTurn(() => KeepResponse(input.Index, response));
        }));
    }

    /// <inheritdoc />
    protected override void EndProcessing() => KeepingWhatArrived(() => _batch!.Complete());

    // Runs a step that pumps the writes; when Ctrl+C stops it, -ResponseVariable still gets what had arrived
    // of the streams in flight (what they wrote), after the responses completed before.
    private void KeepingWhatArrived(Action step)
    {
        try
        {
            step();
        }
        catch (PipelineStoppedException)
        {
            _printer?.Stop();
            foreach (var chunks in _written.Values)
            {
                if (chunks.Count > 0)
                {
                    KeepResponse(StreamedSample.AssembleResponse(chunks));
                }
            }

            _written.Clear();
            throw;
        }
    }

    // In the input's turn: the chunks of one hand-over, shown or written, and remembered for -ResponseVariable.
    private void HandOver(InputBatch.Input input, List<object> chunks)
    {
        if (_printer is null && ResponseVariable is null)
        {
            input.WriteAll(chunks);
            return;
        }

        input.OnTurn(() =>
        {
            foreach (GenerationChunk chunk in chunks)
            {
                if (ResponseVariable is not null)
                {
                    if (!_written.TryGetValue(input.Index, out var written))
                    {
                        _written.Add(input.Index, written = []);
                    }

                    written.Add(chunk);
                }

                if (_printer is not null)
                {
                    _printer.Add(input.Index, chunk);
                }
                else
                {
                    input.WriteNow(chunk);
                }
            }
        });
    }

    // In the input's turn: its stream failed; what it showed ends, and nothing of it is kept.
    private void Abandon(int input)
    {
        _printer?.Break(input);
        _written.Remove(input);
    }

    /// <summary>Runs <paramref name="request"/> (on a task) and returns the whole response, unwritten; a kind may run several rounds.</summary>
    private protected virtual Task<IGenerationResult> GenerateAsync(HumanloopClient client, GenerationRequest request, InputBatch.Input input, CancellationToken cancellationToken) =>
        SendAsync(client, request, input, cancellationToken);

    /// <summary>
    /// The one way a generation request runs: whole; or with -Stream, writing each chunk for
    /// <paramref name="input"/> the moment it arrives. Either way the whole response is returned, not written.
    /// </summary>
    private protected async Task<IGenerationResult> SendAsync(HumanloopClient client, GenerationRequest request, InputBatch.Input input, CancellationToken cancellationToken) => request switch
    {
        CompletionRequestBase completion => await SendAsync<CompletionChunk, CompletionResponse>(
            token => client.CompleteAsync(completion, token),
            async token => await client.CompleteStreamingAsync(completion, token).ConfigureAwait(false),
            input,
            cancellationToken).ConfigureAwait(false),
        ChatRequestBase chat => await SendAsync<ChatChunk, ChatResponse>(
            token => client.ChatAsync(chat, token),
            async token => await client.ChatStreamingAsync(chat, token).ConfigureAwait(false),
            input,
            cancellationToken).ConfigureAwait(false),
        _ => throw new ArgumentException($"No generation endpoint takes a {request.GetType().Name}."),
    };

    // The most chunks one hand-over carries, so the bounded queue of writes still bounds memory.
    private const int ChunksPerHandOver = 64;

    private async Task<TResponse> SendAsync<TChunk, TResponse>(
        Func<CancellationToken, Task<TResponse>> send,
        Func<CancellationToken, Task<GenerationStream<TChunk, TResponse>>> open,
        InputBatch.Input input,
        CancellationToken cancellationToken)
        where TChunk : GenerationChunk
        where TResponse : class, IGenerationResult
    {
        if (!Stream)
        {
            return await send(cancellationToken).ConfigureAwait(false);
        }

        // The chunks of one network read (dozens in a fast stream) go to the pipeline thread in one hand-over,
        // made when the next chunk would have to wait, or fail: a hand-over wakes the pipeline thread, and one
        // per chunk cost more than the chunk. A slow stream still writes each chunk the moment it arrives.
        using var stream = await open(cancellationToken).ConfigureAwait(false);
        var ready = new List<object>();
        while (true)
        {
            var next = stream.ReadNextAsync(cancellationToken);
            if (ready.Count > 0 && (!next.IsCompletedSuccessfully || ready.Count == ChunksPerHandOver))
            {
                HandOver(input, ready);
                ready = new List<object>();
            }

            if (await next.ConfigureAwait(false) is not { } chunk)
            {
                break;
            }

            ready.Add(chunk);
        }

        if (ready.Count > 0)
        {
            HandOver(input, ready);
        }

        return stream.Result;
    }

    // In the input's turn: its response is complete.
    private void KeepResponse(int input, IGenerationResult response)
    {
        _written.Remove(input);
        _printer?.Complete(input, response);
        KeepResponse(response);
    }

    // On the pipeline thread, in write order. One response is the response itself; from the second on the
    // variable holds the list, which later responses then join without copying it again.
    private void KeepResponse(IGenerationResult response)
    {
        if (ResponseVariable is null)
        {
            return;
        }

        _responses.Add(response);
        if (_responses.Count <= 2)
        {
            SessionState.PSVariable.Set(ResponseVariable, _responses.Count == 1 ? _responses[0] : _responses);
        }
    }

    private void ApplySharedFields(GenerationRequest request)
    {
        var bound = MyInvocation.BoundParameters;
        request.Inputs = ReadInputs();
        request.Project = Project;
        request.ProjectId = ProjectIdInUse;
        // A typed -SessionReferenceId names the session on purpose: it wins over a piped object's SessionId.
        request.SessionId = string.IsNullOrEmpty(SessionId) || (!_sessionIdTyped && SessionReferenceId is not null) ? null : SessionId;
        request.SessionReferenceId = SessionReferenceId;
        request.ParentId = ParentId;
        request.ParentReferenceId = ParentReferenceId;
        request.Source = Source;
        request.Metadata = Metadata is null ? null : PowerShellValues.ToJsonObject(Metadata, "-Metadata");
        request.Save = PayloadStorage.Save(bound, NoSave, Save);
        request.SourceDatapointId = SourceDatapointId;
        request.ProviderApiKeys = ProviderApiKeys is null ? null : ReadProviderKeys(ProviderApiKeys);
        request.NumSamples = bound.ContainsKey(nameof(NumSamples)) ? NumSamples : null;
        request.User = User;
        request.Seed = bound.ContainsKey(nameof(Seed)) ? Seed : null;
        request.ReturnInputs = bound.ContainsKey(nameof(ReturnInputs)) ? ReturnInputs.IsPresent : null;
    }

    private static Dictionary<string, string> ReadProviderKeys(Hashtable keys)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in keys)
        {
            var provider = PowerShellValues.Unwrap(entry.Key) as string
                ?? throw new ArgumentException($"-ProviderApiKeys has the key '{entry.Key}'; keys must be provider names such as 'openai'.");
            result[provider] = PowerShellValues.Unwrap(entry.Value) switch
            {
                string text => text,
                SecureString secure => new System.Net.NetworkCredential(string.Empty, secure).Password,
                PSCredential credential => credential.GetNetworkCredential().Password,
                _ => throw new ArgumentException($"-ProviderApiKeys.{provider} must be a string or a SecureString."),
            };
        }

        return result;
    }

    /// <summary>A deployed config needs its project: -Project or -ProjectId.</summary>
    /// <exception cref="ArgumentException">Neither was given.</exception>
    protected void RequireProject()
    {
        if (Project is null && ProjectIdInUse is null)
        {
            throw new ArgumentException(
                "Say which config to run: -Project or -ProjectId for the project's deployed config, -ModelConfigId for a stored one, or -Model/-ModelConfig for an inline one.");
        }
    }
}
