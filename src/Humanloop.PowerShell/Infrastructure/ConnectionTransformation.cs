using System.Linq;
using System.Management.Automation;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// Accepts the connection Connect-Humanloop -PassThru wrote, and explains the copy that Start-Job (or remoting)
/// makes of it: a deserialized connection has lost its key, so no call could use it.
/// </summary>
public sealed class ConnectionTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc />
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        if (PowerShellValues.Unwrap(inputData) is HumanloopContext context)
        {
            return context;
        }

        if (inputData is PSObject copy && copy.TypeNames.Any(name => name.EndsWith("Humanloop.HumanloopContext", System.StringComparison.Ordinal)))
        {
            throw new ArgumentTransformationMetadataException(
                "-Connection got a copy of a connection made in another process (Start-Job and remoting serialize their arguments), "
                + "and the copy has no key. Connections reach only runspaces of this process (ForEach-Object -Parallel, Start-ThreadJob): "
                + "in a job, run Connect-Humanloop inside it, or set $env:HUMANLOOP_API_KEY and $env:HUMANLOOP_BASE_URL, which the job inherits.");
        }

        return inputData;
    }
}
