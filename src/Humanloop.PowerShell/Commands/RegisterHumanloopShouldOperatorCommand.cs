using System;
using System.Linq;
using System.Management.Automation;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop.PowerShell.Commands;

/// <summary>Makes the Humanloop Should operators available to Pester.</summary>
/// <remarks>
/// <para>The Humanloop module registers its Pester operators by itself when it is imported while Pester is
/// loaded (for example inside a test file). Call this command when Pester was imported after Humanloop, or
/// in a BeforeAll block to be sure; calling it again does nothing.</para>
/// <para>The operators are: Should -MatchHumanloopOutput &lt;regex&gt; (every sample's output matches, ignoring
/// case); Should -ContainHumanloopOutput &lt;text&gt; (every sample's output contains the text, ignoring case);
/// Should -BeHumanloopJson [-Schema &lt;json&gt;] (every sample's output is JSON, valid against the schema);
/// Should -HaveHumanloopFinishReason &lt;reasons&gt; (every sample finished with one of the reasons);
/// Should -HaveHumanloopTokensAtMost &lt;n&gt; (every response used at most n tokens in total);
/// Should -HaveEveryHumanloopSample { … } (the script block holds for every sample, as $_). With -Not, no
/// sample (or response) may satisfy the check.</para>
/// <para>Pester allows 32 Should operators in a session and defines 26 itself, so the six Humanloop operators
/// fill the remaining slots. Use -Name to register only those you use when you need room for operators of
/// your own.</para>
/// </remarks>
/// <example>
/// <code>Import-Module Pester; Import-Module Humanloop; Register-HumanloopShouldOperator
/// $response | Should -MatchHumanloopOutput 'refund' -Because 'the policy must be quoted'</code>
/// <para>Pester came after the module, so the operators are registered by hand, then used.</para>
/// </example>
/// <example>
/// <code>Register-HumanloopShouldOperator -Name MatchHumanloopOutput, HaveHumanloopTokensAtMost</code>
/// <para>Registers two operators, leaving Pester room for four custom operators of other modules.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Register, "HumanloopShouldOperator", HelpUri = HelpLinks.Cmdlets + "#register-humanloopshouldoperator")]
[OutputType(typeof(void))]
public sealed class RegisterHumanloopShouldOperatorCommand : PSCmdlet
{
    /// <summary>The operators to register; all of them by default.</summary>
    [Parameter(Position = 0)]
    [ValidateSet("MatchHumanloopOutput", "ContainHumanloopOutput", "BeHumanloopJson", "HaveHumanloopFinishReason", "HaveHumanloopTokensAtMost", "HaveEveryHumanloopSample")]
    public string[] Name { get; set; } = ShouldOperators.All.Select(entry => entry.Operator).ToArray();

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        try
        {
            ShouldOperators.Register(Name);
        }
        catch (InvalidOperationException exception)
        {
            ThrowTerminatingError(ErrorRecords.Of(exception, "Humanloop.Pester.OperatorsNotRegistered", ErrorCategory.InvalidOperation, null));
        }
    }
}
