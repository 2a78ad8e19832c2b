using System.Collections;

namespace Humanloop;

/// <summary>
/// A response model that can say whether what arrived is usable beyond being valid JSON, for example
/// that no item of a list is null. The client checks it once, where every response is read.
/// </summary>
internal interface IWireResponse
{
    /// <summary>A description of the first problem found, or null when the response is usable.</summary>
    string? FindProblem();
}

/// <summary>A result that reports how many HTTP attempts and how long it took; the client sets both once known.</summary>
internal interface IAttemptCounted
{
    int Attempts { set; }

    System.TimeSpan Duration { set; }
}

/// <summary>The checks wire models share.</summary>
internal static class WireChecks
{
    /// <summary>Names the first null item of <paramref name="items"/> (as <c>name[i] is null</c>), or null when there is none.</summary>
    public static string? NullItem(IList items, string name)
    {
        for (var index = 0; index < items.Count; index++)
        {
            if (items[index] is null)
            {
                return $"{name}[{index}] is null";
            }
        }

        return null;
    }
}
