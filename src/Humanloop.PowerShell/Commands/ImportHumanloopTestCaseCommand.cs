using System;
using System.Management.Automation;
using Humanloop.PowerShell.Infrastructure;
using Humanloop.PowerShell.TestCases;

namespace Humanloop.PowerShell.Commands;

/// <summary>Reads prompt test cases from a CSV or JSON lines file, for Pester's -ForEach.</summary>
/// <remarks>
/// <para>CSV: a header row, then one case per row. JSON lines: one case (an object) per line. Columns or
/// keys: name (the case's name; else its file and line); expect (or expectations), the checks its answer
/// must pass, in the expectation syntax; messages (a JSON array of chat messages) or message (one user
/// message), for chat prompts; target (a JSON object, or any other value, which becomes {"output": value})
/// and target.name columns, the target a dataset's evaluators compare with; every other column is a
/// template input (in JSON lines an inputs object may hold them instead, and expect may be an array).
/// Dataset files (New-HumanloopDataset -Path, Export-HumanloopDataset) are in this format.</para>
/// <para>The expectation syntax: [not-]kind[op number][:argument], several separated by ; (write \; for a
/// semicolon inside one), and {{column}} replaced by that input of the case. Kinds: equals, contains,
/// icontains (ignoring case), contains-any and contains-all (values separated by |), starts-with, regex,
/// words (words:5..40), levenshtein (levenshtein&lt;=3:text), rouge-1 to rouge-4 (rouge-1&gt;=0.5:reference),
/// bleu (bleu&gt;=0.4:reference|another), json, json-schema (json-schema:schema.json), contains-json, xml,
/// tools-valid, tool (tool:get_weather), finish (finish:stop|length), tokens (tokens&lt;=400), latency
/// (latency&lt;=2s or latency&lt;=1500ms), rubric, factuality (factuality:the reference answer) and closed-qa.
/// A malformed case or expectation stops the command with an error naming the file and line.</para>
/// <para>Each case is a Humanloop.TestCase with Name, Inputs, Messages, Target, Expectations and Source.</para>
/// </remarks>
/// <example>
/// <code>Describe 'support prompt' {
///     It '&lt;_.Name&gt;' -ForEach (Import-HumanloopTestCase ./cases.csv) {
///         New-HumanloopCompletion -Project support -Inputs $_.Inputs | Should -ContainHumanloopOutput $_.Inputs.topic
///     }
/// }</code>
/// <para>Runs the deployed prompt once per row of cases.csv, naming each test after its case.</para>
/// </example>
/// <example>
/// <code>Import-HumanloopTestCase ./chat-cases.jsonl | Select-Object Name, Source, @{ n = 'Checks'; e = { $_.Expectations -join '; ' } }</code>
/// <para>Lists the cases of a JSON lines file and what each checks.</para>
/// </example>
[Cmdlet(VerbsData.Import, "HumanloopTestCase", HelpUri = HelpLinks.Cmdlets + "#import-humanlooptestcase")]
[OutputType(typeof(TestCase))]
public sealed class ImportHumanloopTestCaseCommand : PSCmdlet
{
    /// <summary>The CSV (.csv) or JSON lines (.jsonl, .ndjson) files to read.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var given in Path!)
        {
            string resolved;
            try
            {
                resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(given);
                if (!System.IO.File.Exists(resolved))
                {
                    WriteError(ErrorRecords.NotFound("Humanloop.TestCase.FileNotFound", $"There is no test case file '{given}'.", given));
                    continue;
                }

                foreach (var testCase in TestCaseReader.Read(resolved))
                {
                    WriteObject(testCase);
                }
            }
            catch (FormatException exception)
            {
                ThrowTerminatingError(ErrorRecords.Of(exception, "Humanloop.TestCase.Invalid", ErrorCategory.InvalidData, given));
            }
            catch (Exception exception) when (exception is System.IO.IOException or UnauthorizedAccessException)
            {
                WriteError(ErrorRecords.Of(exception, "Humanloop.TestCase.Unreadable", ErrorCategory.ReadError, given));
            }
        }
    }
}
