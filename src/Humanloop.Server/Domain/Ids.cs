using System.Security.Cryptography;

namespace Humanloop.Server.Domain;

/// <summary>Creates Humanloop-style identifiers: a type prefix, an underscore and random base62.</summary>
internal static class Ids
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    // 21 characters, as in the hosted API's example ids (e.g. pr_eJgRt5K1zivoFgHVlRnFv).
    private const int RandomLength = 21;

    public const string Project = "pr";
    public const string Config = "config";
    public const string Experiment = "exp";
    public const string Log = "data";
    public const string Feedback = "ann";
    public const string Session = "sesh";
    public const string Metric = "metric";
    public const string Trial = "trial";
    public const string Dataset = "evts";
    public const string Datapoint = "evtc";
    public const string Evaluator = "evfn";
    public const string Evaluation = "ev";

    /// <summary>The snapshot of a dataset an evaluation runs on (the hosted API's dataset versions had no documented prefix).</summary>
    public const string DatasetVersion = "evdsv";

    public const string EvaluationResult = "evr";

    public static string New(string prefix) => prefix + "_" + RandomBase62(RandomLength);

    public static string RandomBase62(int length)
    {
        return RandomNumberGenerator.GetString(Base62, length);
    }
}
