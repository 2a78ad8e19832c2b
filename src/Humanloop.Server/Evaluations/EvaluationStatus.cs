namespace Humanloop.Server.Evaluations;

/// <summary>The v4 <c>EvaluationStatus</c> values.</summary>
internal static class EvaluationStatus
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Pending, Running, Completed, Cancelled, Failed];

    /// <summary>Whether work on the evaluation may still happen: the server's writes for its run are made only then.</summary>
    public static bool IsActive(string status) => status is Pending or Running;
}
