using System;
using System.Linq;
using System.Management.Automation;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// Whether a person is watching: progress bars are for them, and are left out of CI logs and runbooks
/// (where hosts write each update as a line). -ProgressAction given explicitly always decides.
/// </summary>
public static class Interactivity
{
    /// <summary>Whether <paramref name="cmdlet"/> should show progress.</summary>
    /// <param name="cmdlet">The cmdlet.</param>
    public static bool ShowsProgress(PSCmdlet cmdlet) =>
        cmdlet.MyInvocation.BoundParameters.ContainsKey("ProgressAction") || IsInteractive(Environment.GetEnvironmentVariable, Console.IsOutputRedirected, Environment.GetCommandLineArgs());

    /// <summary>The rule, on its inputs: no CI variable, output to a terminal, and PowerShell not started with -NonInteractive.</summary>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="outputRedirected">Whether standard output goes somewhere other than a terminal.</param>
    /// <param name="commandLine">The process's command line, the program first.</param>
    public static bool IsInteractive(Func<string, string?> environment, bool outputRedirected, string[] commandLine) =>
        string.IsNullOrEmpty(environment("CI")) && string.IsNullOrEmpty(environment("TF_BUILD")) && !outputRedirected
        && !commandLine.Skip(1).Any(argument => argument.StartsWith("-noni", StringComparison.OrdinalIgnoreCase) && "-noninteractive".StartsWith(argument, StringComparison.OrdinalIgnoreCase));
}
