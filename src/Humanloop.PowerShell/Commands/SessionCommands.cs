using System.Management.Automation;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Creates an empty Humanloop session, to group the logs of one run (an agent's steps, a conversation).</summary>
/// <remarks>
/// <para>Creates a session (POST /v4/sessions) and writes its id as a Humanloop.CreatedSession. Its SessionId
/// binds by property name: pipe it into New-HumanloopCompletion, New-HumanloopChat, New-HumanloopExperiment or
/// Add-HumanloopLog, or pass -SessionId $session.Id, and the logs they write join the session. Get-HumanloopSession
/// -Tree then shows them as a tree by their parents (-ParentId).</para>
/// <para>A session is also created on first use of a -SessionReferenceId (a key of your own), without this
/// cmdlet.</para>
/// </remarks>
/// <example>
/// <code>$session = New-HumanloopSession
/// $plan = $session | New-HumanloopCompletion -ModelConfigId $planner.ModelConfigId -Inputs @{ goal = 'a trip to Lisbon' }
/// $session | New-HumanloopCompletion -ModelConfigId $searcher.ModelConfigId -Inputs @{ step = $plan.Output } -ParentId $plan.LogId</code>
/// <para>Runs two steps of an agent in one session, the second as a child of the first.</para>
/// </example>
/// <example>
/// <code>New-HumanloopSession -WhatIf</code>
/// <para>Says that a session would be created, and creates none.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "HumanloopSession", HelpUri = HelpLinks.Cmdlets + "#new-humanloopsession", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(CreatedSession))]
public sealed class NewHumanloopSessionCommand : ResourceCmdlet
{
    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ShouldProcess("Humanloop", "Create session"))
        {
            Invoke(null, (client, cancellationToken) => client.CreateSessionAsync(cancellationToken));
        }
    }
}

/// <summary>Gets Humanloop sessions: those holding a project's logs, or by id; with -Tree, a session's logs as a tree.</summary>
/// <remarks>
/// <para>-ProjectId reads the sessions that hold logs of the project (GET /v4/sessions), page by page from
/// page 1, writing each page's sessions as it arrives. -Id reads sessions directly (GET /v4/sessions/{id}).
/// Both write Humanloop.Session objects: the number of logs, the projects, the first inputs and the last
/// output.</para>
/// <para>-Tree writes the logs of each session instead, as Humanloop.SessionLogNode objects in tree order:
/// each log after its parent (the log its ParentId names, or the one whose ReferenceId its
/// ParentReferenceId names), siblings by creation time, with branch lines drawn before the ids. The API
/// cannot list logs by session, so -Tree reads every log of each project in the session and keeps the
/// session's own. A node's LogId binds by property name, so the tree pipes into Add-HumanloopFeedback,
/// Set-HumanloopLog and Remove-HumanloopLog; its Log property is the whole Humanloop.Log.</para>
/// <para>Piped objects bind by property name: a session (or New-HumanloopSession's output) by its
/// SessionId, anything with a ProjectId (a project) lists that project's sessions.</para>
/// </remarks>
/// <example>
/// <code>Get-HumanloopSession -Id $session.Id -Tree</code>
/// <para>Shows the session's logs as a tree of parents and children, with their outputs.</para>
/// </example>
/// <example>
/// <code>Get-HumanloopProject -Name 'travel-agent' | Get-HumanloopSession | Sort-Object DatapointsCount -Descending | Select-Object -First 5</code>
/// <para>Lists the five sessions of a project with the most logs.</para>
/// </example>
/// <example>
/// <code>Get-HumanloopSession -Id $session.Id -Tree | Where-Object Depth -eq 0 | Add-HumanloopFeedback -Type rating -Value good</code>
/// <para>Rates the top-level logs of a session.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "HumanloopSession", HelpUri = HelpLinks.Cmdlets + "#get-humanloopsession", DefaultParameterSetName = ProjectSet)]
[OutputType(typeof(Session))]
[OutputType(typeof(SessionLogNode), ParameterSetName = [IdSet])]
public sealed class GetHumanloopSessionCommand : ResourceCmdlet
{
    private const string ProjectSet = "Project";
    private const string IdSet = "Id";

    /// <summary>The project whose sessions to list (pr_…): those holding any of its logs.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ProjectSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProjectIdCompleter))]
    public string ProjectId { get; set; } = string.Empty;

    /// <summary>Sessions requested per page while listing (default 50).</summary>
    [Parameter(ParameterSetName = ProjectSet)]
    [ValidateRange(1, 1000)]
    public int PageSize { get; set; } = DefaultPageSize;

    /// <summary>Sessions to read by id (sesh_…); piped sessions bind by their SessionId.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("Id")]
    [ArgumentCompleter(typeof(SessionIdCompleter))]
    public string[] SessionId { get; set; } = [];

    /// <summary>Writes each session's logs as a tree (Humanloop.SessionLogNode) instead of the session.</summary>
    [Parameter(ParameterSetName = IdSet)]
    public SwitchParameter Tree { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == ProjectSet)
        {
            var projectId = ProjectId;
            var pageSize = PageSize;
            InvokePaged(projectId, (client, page, cancellationToken) => client.ListSessionsAsync(projectId, page, pageSize, cancellationToken), firstPage: 1);
            return;
        }

        foreach (var id in SessionId)
        {
            if (Tree)
            {
                InvokeEach(id, async (client, cancellationToken) => SessionTree.Arrange(await client.ListSessionLogsAsync(id, cancellationToken).ConfigureAwait(false)));
            }
            else
            {
                Invoke(id, (client, cancellationToken) => client.GetSessionAsync(id, cancellationToken));
            }
        }
    }
}
