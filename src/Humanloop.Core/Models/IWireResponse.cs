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
