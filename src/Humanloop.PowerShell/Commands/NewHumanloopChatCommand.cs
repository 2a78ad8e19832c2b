using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Runs a chat with an inline model config, a stored config, or a project's deployed config.</summary>
/// <remarks>
/// <para>Which API operation runs depends on the parameters: -Model or -ModelConfig sends an inline config
/// (POST /v4/chat); -ModelConfigId uses a stored one (/chat-model-config); otherwise the project's deployed
/// config for -Environment runs (/chat-deployed). For a chat experiment use New-HumanloopExperiment -Messages.</para>
/// <para>-Messages takes strings (one user message each), hashtables (@{ role = 'system'; content = '…' }) or
/// Humanloop.ChatMessage objects. Pipe a previous Humanloop.ChatResponse in to continue its conversation: its
/// messages, the assistant's reply and its inputs are sent again, followed by -Messages. The result is a
/// Humanloop.ChatResponse whose Message is the assistant's reply (Content, ToolCalls) and whose Conversation
/// is ready to continue.</para>
/// <para>-Tools takes commands (Get-Command Get-Weather: the schema comes from the command's parameters,
/// their types, Mandatory, ValidateSet and help), hashtables (name, description, parameters as a JSON
/// Schema) or Humanloop.ToolDefinition objects. With -InvokeTools, the calls the model asks for run here,
/// with their arguments bound to the command's parameters; the results go back to the model as tool
/// messages, and this repeats until the model answers or -MaxToolRounds rounds have run. Only commands given
/// in -Tools can run: a call naming anything else, or with arguments that do not bind, is sent back to the
/// model as a tool error and never executed.</para>
/// <para>With -Stream, a Humanloop.ChatChunk is written for each server-sent event the moment it arrives (its
/// ToString() is the new text; tool-call fragments are in ToolCalls), and -ResponseVariable receives the whole
/// response assembled from the chunks, tool-call arguments joined. When the output is only shown (the last
/// command at the prompt), the text flows onto the screen instead, as for New-HumanloopCompletion.</para>
/// <para>With -ThrottleLimit N (up to 64), up to N requests run at once for the piped inputs, on one
/// connection, while the pipeline goes on reading inputs. Results still come out in input order: one that
/// finishes early waits only for those before it. -Unordered writes each as it finishes instead, with
/// InputIndex, its input's position from 0. Either way every input ends in exactly one result or one error
/// record, retries and timeouts included. A 429 halves how many run at once (never below one; once for a
/// burst of them), and each run of as many successes in a row as are allowed raises it by one, back up to N;
/// a Retry-After (up to a minute) holds every new request until it has passed. With -Stream the chunks of the
/// earliest unfinished input are written live, and those of later inputs follow, together, when their turn
/// comes (with -Unordered: as they arrive, each with InputIndex). In an interactive session a progress bar
/// shows how many are done, failed and in flight, the rate, and the time left once the last input is read;
/// -Verbose tells when the limit or a hold changes.</para>
/// </remarks>
/// <example>
/// <code>New-HumanloopChat -Project support -Provider mock -Model mock-1 -Messages @{ role = 'system'; content = 'You are terse.' }, 'How do I reset my password?'</code>
/// <para>Runs an inline chat config (the local server's mock provider) with a system and a user message.</para>
/// </example>
/// <example>
/// <code>$reply = New-HumanloopChat -Project support -Messages 'Summarise our refund policy.'
/// $reply | New-HumanloopChat -Project support -Messages 'And in French?'</code>
/// <para>Asks the project's deployed chat config, then continues the conversation by piping the reply back in.</para>
/// </example>
/// <example>
/// <code>New-HumanloopChat -ModelConfigId config_7Hd2 -Messages 'Tell me a story' -Stream -ResponseVariable story</code>
/// <para>Streams a stored config's answer onto the screen as it arrives; $story holds the assembled Humanloop.ChatResponse.</para>
/// </example>
/// <example>
/// <code>function Get-Weather { param([Parameter(Mandatory)] [string] $City, [ValidateSet('C', 'F')] [string] $Unit = 'C') "Sunny in $City" }
/// New-HumanloopChat -Project weather -Model gpt-4o -Messages 'Weather in Paris?' -Tools (Get-Command Get-Weather) -InvokeTools</code>
/// <para>Offers a PowerShell function as a tool and runs the calls the model makes to it until the model answers.</para>
/// </example>
/// <example>
/// <code>New-HumanloopChat -Project p -ModelConfig @{ model = 'gpt-4o'; chat_template = @(@{ role = 'system'; content = 'Answer about {{product}}.' }) } -Inputs @{ product = 'Contoso' } -Messages 'Does it float?'</code>
/// <para>Gives the inline config as a hashtable keyed by the API's field names, with a chat template.</para>
/// </example>
/// <example>
/// <code>Import-Csv ./tickets.csv | New-HumanloopChat -Project support -Environment production -Messages 'Draft a reply.' -ThrottleLimit 8 -Unordered |
///     Sort-Object InputIndex</code>
/// <para>Runs the deployed chat config (whose template uses the CSV's columns) over every ticket, eight at a time, writing each reply as soon as it is ready; Sort-Object puts them back in the file's order.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "HumanloopChat", HelpUri = HelpLinks.Cmdlets + "#new-humanloopchat", DefaultParameterSetName = DeployedSet)]
[OutputType(typeof(ChatResponse), typeof(ChatChunk))]
public sealed class NewHumanloopChatCommand : InlineConfigCommandBase
{
    private ChatTools? _tools;

    /// <summary>The messages to send: strings (user messages), hashtables (role, content, …) or Humanloop.ChatMessage objects.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public object[]? Messages { get; set; }

    /// <summary>An inline chat config: a hashtable keyed by the API's field names, or a typed Humanloop.ModelConfigChatRequest.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ModelConfigSet)]
    [ModelConfigTransformation(typeof(ModelConfigChatRequest))]
    public ModelConfigChatRequest? ModelConfig { get; set; }

    /// <summary>Messages the inline config sends before the conversation, with {{name}} variables filled from -Inputs.</summary>
    [Parameter(ParameterSetName = ModelSet)]
    [Parameter(ParameterSetName = ModelConfigSet)]
    public object[]? ChatTemplate { get; set; }

    /// <summary>
    /// Tools the model may call: commands (Get-Command), hashtables (name, description, parameters) or
    /// Humanloop.ToolDefinition objects. An inline config sends them; with a stored or deployed config they
    /// only say which commands -InvokeTools may run.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public object[]? Tools { get; set; }

    /// <summary>none, auto, required, or the name of the tool the model must call.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ToolChoiceCompleter))]
    public string? ToolChoice { get; set; }

    /// <summary>The format the answer must take: json_object, or a hashtable such as @{ type = 'json_schema'; json_schema = @{ … } }.</summary>
    [Parameter]
    public PSObject? ResponseFormat { get; set; }

    /// <summary>Runs the tool calls the model asks for (commands from -Tools only) and sends the results back until it answers.</summary>
    [Parameter]
    public SwitchParameter InvokeTools { get; set; }

    /// <summary>With -InvokeTools: how many rounds of tool calls may run before the command stops asking (default 5).</summary>
    [Parameter]
    [ValidateRange(1, 100)]
    public int MaxToolRounds { get; set; } = 5;

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        try
        {
            _tools = Tools is null ? null : ChatTools.From(Tools, FindHelp);
        }
        catch (ArgumentException exception)
        {
            ThrowTerminatingError(ErrorRecords.InvalidArgument("Humanloop.Input.InvalidTools", exception.Message, Tools));
        }

        if (InvokeTools && _tools is null)
        {
            ThrowTerminatingError(ErrorRecords.InvalidArgument("Humanloop.Input.InvalidParameters", "-InvokeTools runs commands given in -Tools; give the commands with -Tools (Get-Command …).", null));
        }

        if (InvokeTools && Bound(nameof(NumSamples)) && NumSamples > 1)
        {
            ThrowTerminatingError(ErrorRecords.InvalidArgument("Humanloop.Input.InvalidParameters", "-InvokeTools continues one conversation; it cannot be used with -NumSamples above 1.", null));
        }
    }

    /// <inheritdoc />
    protected override IDictionary? ReadInputs() => Continued()?.Inputs ?? base.ReadInputs();

    /// <inheritdoc />
    protected override GenerationRequest CreateRequest()
    {
        var messages = new List<ChatMessage>();
        if (Continued() is { } previous)
        {
            messages.AddRange(previous.Conversation ?? throw new ArgumentException("The piped chat result has no conversation to continue; pipe the result of New-HumanloopChat."));
        }

        if (Messages is not null)
        {
            messages.AddRange(ChatValues.ToMessages(Messages, "-Messages"));
        }

        if (messages.Count == 0)
        {
            throw new ArgumentException("A chat needs messages: give -Messages, or pipe a previous chat result in to continue it.");
        }

        ChatRequestBase request = ParameterSetName switch
        {
            ModelConfigIdSet => new ChatModelConfigRequest { ModelConfigId = ModelConfigId },
            ModelSet or ModelConfigSet => new ChatRequest { ModelConfig = BuildConfig() },
            _ => new ChatDeployedRequest { Environment = DeployedEnvironment() },
        };
        request.Messages = messages;
        request.ToolChoice = ToolChoice switch
        {
            null => null,
            "none" or "auto" or "required" => ToolChoice,
            _ => new Hashtable { ["type"] = "function", ["function"] = new Hashtable { ["name"] = ToolChoice } },
        };
        request.ResponseFormat = ReadResponseFormat();
        return request;
    }

    /// <inheritdoc />
    private protected override async Task<IGenerationResult> GenerateAsync(HumanloopClient client, GenerationRequest request, InputBatch.Input input, CancellationToken cancellationToken)
    {
        var chat = (ChatRequestBase)request;
        for (var round = 1; ; round++)
        {
            // Only the answer is the result; a streamed round's chunks have been written as they came.
            var response = (ChatResponse)await SendAsync(client, chat, input, cancellationToken).ConfigureAwait(false);
            var calls = response.Message?.ToolCalls;
            var answered = !InvokeTools || calls is not { Count: > 0 };
            if (!answered && round > MaxToolRounds)
            {
                EmitWarning($"The model still asked for tools ({string.Join(", ", calls!.Select(call => call.Name))}) after {MaxToolRounds} round(s) of tool calls; stopped there (raise -MaxToolRounds to allow more). The last response is the one written.");
                answered = true;
            }

            if (answered)
            {
                return response;
            }

            var next = new List<ChatMessage>(response.Conversation!);
            foreach (var call in calls!)
            {
                var result = await OnPipelineThreadAsync(() => RunTool(call)).WaitAsync(cancellationToken).ConfigureAwait(false);
                next.Add(ChatMessage.Tool(call.Id, call.Name, result));
            }

            chat = Continue(chat, next);
        }
    }

    // The same request with the conversation grown by the tool round; the caller's request is not changed.
    private static ChatRequestBase Continue(ChatRequestBase request, List<ChatMessage> messages)
    {
        var next = (ChatRequestBase)request.Clone();
        next.Messages = messages;
        return next;
    }

    private string RunTool(ToolCall call)
    {
        var command = _tools!.CommandFor(call.Name);
        if (command is null)
        {
            WriteWarning($"The model asked for the tool '{call.Name}', which was not given in -Tools; it was not run.");
            return $"Error: there is no tool named '{call.Name}'. The tools that can run are: {_tools.RunnableNames}.";
        }

        var arguments = ChatTools.BindArguments(command, call.Arguments, out var problem);
        if (arguments is null)
        {
            WriteWarning($"The model's call {call} does not fit {command.Name}: {problem}; it was not run.");
            return $"Error: {problem}.";
        }

        WriteVerbose($"Running the tool {command.Name} for call {call.Id}: {call.Arguments}");
        try
        {
            using var shell = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
            shell.AddCommand(command).AddParameters(arguments);
            var output = shell.Invoke();
            if (shell.HadErrors)
            {
                var errors = string.Join("; ", shell.Streams.Error.Select(error => error.ToString()));
                WriteWarning($"The tool {command.Name} reported errors: {errors}");
                return output.Count == 0 ? $"Error: {errors}" : Describe(output) + $"\nErrors: {errors}";
            }

            return Describe(output);
        }
        catch (RuntimeException exception)
        {
            WriteWarning($"The tool {command.Name} failed: {exception.Message}");
            return $"Error: {command.Name} failed: {exception.Message}";
        }
    }

    // Text goes back as it is; anything else as compact JSON, which models read best.
    private static string Describe(IReadOnlyCollection<PSObject> output)
    {
        if (output.All(item => item?.BaseObject is string or ValueType))
        {
            return string.Join("\n", output.Select(item => item?.ToString()));
        }

        using var shell = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
        shell.AddCommand("ConvertTo-Json").AddParameter("InputObject", output.Count == 1 ? output.First() : output.ToArray()).AddParameter("Depth", 5).AddParameter("Compress");
        return string.Join(string.Empty, shell.Invoke().Select(item => item.ToString()));
    }

    private ModelConfigChatRequest BuildConfig()
    {
        var config = InlineModelConfig.Lay(ModelConfig, this, MyInvocation.BoundParameters);
        if (ChatTemplate is not null)
        {
            config.ChatTemplate = ChatValues.ToMessages(ChatTemplate, "-ChatTemplate");
        }

        if (_tools is not null)
        {
            config.Tools = _tools.Definitions.ToList();
        }

        return config;
    }

    private ResponseFormat? ReadResponseFormat() => ResponseFormat?.BaseObject switch
    {
        null => null,
        string type => new ResponseFormat { Type = type },
        _ => Json.ModelConfigReader.Read<ModelConfigChatRequest>(new Hashtable { ["response_format"] = PowerShellValues.ToJsonObject(ResponseFormat, "-ResponseFormat") }).ResponseFormat,
    };

    // A chat result piped in (as -Inputs) is a conversation to continue, not template inputs.
    private ContinuedChat? Continued() => Inputs?.BaseObject switch
    {
        ChatResponse response when response.Data.Count == 1 => new ContinuedChat(response.Conversation, response.Data[0].Inputs),
        ChatResponse => throw new ArgumentException("The piped chat result has several samples; pipe the one to continue (its Data[i])."),
        ChatData data => new ContinuedChat(data.Conversation, data.Inputs),
        _ => null,
    };

    private PSObject? FindHelp(CommandInfo command)
    {
        var help = InvokeCommand.InvokeScript(false, ScriptBlock.Create("param($name) Get-Help -Name $name -Full -ErrorAction Ignore"), null, command.Name);
        return help.Count == 1 ? help[0] : null;
    }

    private sealed record ContinuedChat(IReadOnlyList<ChatMessage>? Conversation, IDictionary? Inputs);
}
