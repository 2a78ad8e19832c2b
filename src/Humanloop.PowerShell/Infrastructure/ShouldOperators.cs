using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// The six Humanloop Should operators of Pester (<c>Should -MatchHumanloopOutput</c>, …) and their
/// registration. Nothing of this runs when the module is imported without Pester: the operators are script
/// functions (Humanloop.PesterOperators.ps1 in the module folder), read into a module of their own only
/// when they are registered, because a script module on the import path costs more than the whole binary
/// module does.
/// </summary>
internal static class ShouldOperators
{
    /// <summary>Each operator's name and the function of Humanloop.PesterOperators.ps1 that tests it, in the order they are registered.</summary>
    public static readonly IReadOnlyList<(string Operator, string Function)> All =
    [
        ("MatchHumanloopOutput", "Test-HumanloopOutputMatch"),
        ("ContainHumanloopOutput", "Test-HumanloopOutputContains"),
        ("BeHumanloopJson", "Test-HumanloopOutputJson"),
        ("HaveHumanloopFinishReason", "Test-HumanloopFinishReason"),
        ("HaveHumanloopTokensAtMost", "Test-HumanloopTokenBudget"),
        ("HaveEveryHumanloopSample", "Test-HumanloopEverySample"),
    ];

    private const string ScriptFile = "Humanloop.PesterOperators.ps1";

    // Run inside the operators' module: a function's script block, bound to that module.
    private const string FunctionScript = "param($name) (Get-Command -Name $name -CommandType Function).ScriptBlock";

    /// <summary>
    /// Registers the operators with the Pester loaded in this runspace, skipping those already registered;
    /// runs on the pipeline thread.
    /// </summary>
    /// <exception cref="InvalidOperationException">Pester is not loaded, is too old, or has no room left; the message says which.</exception>
    public static void Register(IEnumerable<string> names)
    {
        var pester = FindPester() ?? throw new InvalidOperationException(
            "Pester is not loaded. Import-Module Pester (version 5 or later) first, then run Register-HumanloopShouldOperator.");
        if (!pester.ExportedCommands.ContainsKey("Add-ShouldOperator"))
        {
            throw new InvalidOperationException($"Pester {pester.Version} has no Add-ShouldOperator; the Humanloop Should operators need Pester 5 or later.");
        }

        var registered = new HashSet<string>(
            Invoke(shell => shell.AddCommand("Pester\\Get-ShouldOperator")).Select(found => found.Properties["Name"]?.Value as string ?? string.Empty),
            StringComparer.OrdinalIgnoreCase);
        var wanted = All.Where(entry => names.Contains(entry.Operator, StringComparer.OrdinalIgnoreCase) && !registered.Contains(entry.Operator)).ToList();
        if (wanted.Count == 0)
        {
            return;
        }

        var functions = LoadFunctions();
        foreach (var (name, function) in wanted)
        {
            var test = PowerShellValues.Unwrap(functions.Invoke(ScriptBlock.Create(FunctionScript), function)) as ScriptBlock
                ?? throw new InvalidOperationException($"{ScriptFile} defines no {function}.");
            try
            {
                Invoke(shell => shell.AddCommand("Pester\\Add-ShouldOperator").AddParameter("Name", name).AddParameter("Test", test).AddParameter("SupportsArrayInput"));
            }
            catch (RuntimeException exception) when (exception.Message.Contains("Max number of assertion operators"))
            {
                throw new InvalidOperationException(
                    $"Pester allows 32 Should operators and {registered.Count} are registered, so -{name} does not fit. Register only the Humanloop operators you use: Register-HumanloopShouldOperator -Name <names>.",
                    exception);
            }

            registered.Add(name);
        }
    }

    /// <summary>
    /// When the module is imported inside a test run (Pester already loaded), the operators are registered at
    /// once; a failure then is only a warning, never a failed import. Without Pester this costs a glance at
    /// the process's assemblies: Pester 5 and 6 load an assembly of their own name.
    /// </summary>
    public static void RegisterIfPesterLoaded()
    {
        if (!AppDomain.CurrentDomain.GetAssemblies().Any(assembly => assembly.GetName().Name == "Pester") || FindPester() is null)
        {
            return;
        }

        try
        {
            Register(All.Select(entry => entry.Operator));
        }
        catch (Exception exception) when (exception is InvalidOperationException or RuntimeException)
        {
            // No cmdlet is running during the import to write a warning record: the host shows it.
            Invoke(shell => shell.AddScript("param($message) $Host.UI.WriteWarningLine($message)")
                .AddArgument($"The Humanloop Should operators were not registered: {exception.Message}"));
        }
    }

    private static PSModuleInfo? FindPester() =>
        Invoke(shell => shell.AddCommand("Get-Module").AddParameter("Name", "Pester")).Select(found => found.BaseObject).OfType<PSModuleInfo>().FirstOrDefault();

    /// <summary>The operators' functions, in a module of their own, so that they call each other there and nowhere else.</summary>
    private static PSModuleInfo LoadFunctions() =>
        new(ScriptBlock.Create(File.ReadAllText(Path.Combine(ReadyMadeFixtures.ModuleFolder, ScriptFile), Encoding.UTF8)));

    // Commands run in the caller's runspace, on its pipeline thread, as a nested pipeline.
    private static IReadOnlyList<PSObject> Invoke(Action<System.Management.Automation.PowerShell> build)
    {
        using var shell = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
        build(shell);
        var results = shell.Invoke();
        if (shell.Streams.Error.Count > 0)
        {
            var error = shell.Streams.Error[0];
            throw new RuntimeException(error.Exception.Message, error.Exception, error);
        }

        return results;
    }
}
