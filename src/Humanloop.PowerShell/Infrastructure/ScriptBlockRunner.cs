using System.Management.Automation;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>Runs a caller's script block from a compiled cmdlet as if the caller had dot-sourced it.</summary>
internal static class ScriptBlockRunner
{
    /// <summary>
    /// Runs <paramref name="block"/> in the caller's scope on the pipeline thread (a nested pipeline of the
    /// current runspace), passing each output object and stream record to <paramref name="cmdlet"/> as it is
    /// written, so output flows while the block runs and variables the block sets stay set afterwards.
    /// </summary>
    /// <exception cref="RuntimeException">The block threw; the exception carries its own ErrorRecord.</exception>
    public static void DotSource(PSCmdlet cmdlet, ScriptBlock block)
    {
        using var shell = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
        shell.AddScript(". $args[0]", useLocalScope: false).AddArgument(block);
        var streams = shell.Streams;
        streams.Error.DataAdded += (_, added) => cmdlet.WriteError(streams.Error[added.Index]);
        streams.Warning.DataAdded += (_, added) => cmdlet.WriteWarning(streams.Warning[added.Index].Message);
        streams.Verbose.DataAdded += (_, added) => cmdlet.WriteVerbose(streams.Verbose[added.Index].Message);
        streams.Debug.DataAdded += (_, added) => cmdlet.WriteDebug(streams.Debug[added.Index].Message);
        streams.Information.DataAdded += (_, added) => cmdlet.WriteInformation(streams.Information[added.Index]);
        streams.Progress.DataAdded += (_, added) => cmdlet.WriteProgress(streams.Progress[added.Index]);
        using var output = new PSDataCollection<PSObject>();
        output.DataAdded += (_, added) => cmdlet.WriteObject(output[added.Index]);
        shell.Invoke<PSObject>(input: null, output);
    }
}
