using System;
using System.Linq;
using System.Management.Automation;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// The <c>LogId</c> members Humanloop.Types.ps1xml gives generation results (as CodeProperties), so that
/// piping a result into a cmdlet with a -LogId parameter names the logs the result wrote.
/// </summary>
public static class LogIdMembers
{
    /// <summary>A response's log ids, one per sample: one id for a one-sample response, an array for more.</summary>
    /// <param name="instance">A CompletionResponse or ChatResponse.</param>
    public static object? OfResponse(PSObject instance)
    {
        var samples = ((IGenerationResult)instance.BaseObject).Samples;
        return samples.Count == 1 ? samples[0].Id : samples.Select(sample => sample.Id).ToArray();
    }

    /// <summary>
    /// A chunk's log id when it finishes its sample (see <see cref="GenerationChunk.FinishedLogId"/>); on the
    /// other chunks an empty list rather than null, which -LogId takes quietly, so a piped stream gives one
    /// id per sample, not one per chunk.
    /// </summary>
    /// <param name="instance">A CompletionChunk or ChatChunk.</param>
    public static object OfChunk(PSObject instance) =>
        ((GenerationChunk)instance.BaseObject).FinishedLogId is { } id ? id : Array.Empty<string>();
}
