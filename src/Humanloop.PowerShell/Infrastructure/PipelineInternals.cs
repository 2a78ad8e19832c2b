using System;
using System.Management.Automation;
using System.Reflection;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// Two things a cmdlet cannot ask PowerShell in public, read from its pipeline's internal members: where the
/// output goes, and which object came down the pipeline. Both are conveniences for what is shown at the
/// prompt, so when PowerShell's internals change and the members are gone, each answers "do not know" and
/// the cmdlet behaves as it would anywhere else. The members are those of PowerShell 7:
/// MshCommandRuntime.OutputPipe, Pipe.DownstreamCmdlet, CommandProcessorBase.CommandInfo and
/// InternalCommand.CurrentPipelineObject.
/// </summary>
internal static class PipelineInternals
{
    private const BindingFlags Internal = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

    private static readonly PropertyInfo? CurrentPipelineObject = typeof(Cmdlet).GetProperty("CurrentPipelineObject", Internal);

    /// <summary>
    /// True when what <paramref name="cmdlet"/> writes goes straight to Out-Default or Out-Host: it is only
    /// shown (the last command at the prompt, or in a script or function whose output is), and nothing keeps
    /// it. False when it is assigned, piped on, redirected, collected by -OutVariable, or read by a host
    /// program (a [powershell] instance, a job); and when PowerShell does not say.
    /// </summary>
    public static bool OutputIsOnlyShown(PSCmdlet cmdlet)
    {
        if (cmdlet.MyInvocation.BoundParameters.ContainsKey("OutVariable"))
        {
            return false;
        }

        try
        {
            var pipe = Read(cmdlet.CommandRuntime, "OutputPipe");
            var downstream = pipe is null ? null : Read(pipe, "DownstreamCmdlet");
            var command = downstream is null ? null : Read(downstream, "CommandInfo") as CommandInfo;
            return command?.Name is { } name
                && (name.Equals("Out-Default", StringComparison.OrdinalIgnoreCase) || name.Equals("Out-Host", StringComparison.OrdinalIgnoreCase));
        }
        catch (Exception exception) when (exception is TargetInvocationException or AmbiguousMatchException or MemberAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// The Name of the object piped into <paramref name="cmdlet"/> now, when that object is the one with the id
    /// <paramref name="id"/> (its Id property); null otherwise, or when nothing was piped.
    /// </summary>
    public static string? PipedName(Cmdlet cmdlet, string id)
    {
        object? piped;
        try
        {
            piped = CurrentPipelineObject?.GetValue(cmdlet);
        }
        catch (Exception exception) when (exception is TargetInvocationException or MemberAccessException)
        {
            return null;
        }

        if (piped is null || piped == System.Management.Automation.Internal.AutomationNull.Value)
        {
            return null;
        }

        var properties = PSObject.AsPSObject(piped).Properties;
        return properties["Id"]?.Value is string pipedId && pipedId == id && properties["Name"]?.Value is string name && name.Length > 0 ? name : null;
    }

    private static object? Read(object target, string property) => target.GetType().GetProperty(property, Internal)?.GetValue(target);
}
