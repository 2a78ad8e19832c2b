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

    /// <summary>A tool config of a posted log (the hosted API's tool config ids had no documented prefix).</summary>
    public const string ToolConfig = "tool";
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

    /// <summary>An id made from a text (the same text, the same id): for things identified by content but not stored.</summary>
    public static string Derived(string prefix, string text)
    {
        var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text));
        var id = new char[RandomLength];
        for (var i = 0; i < RandomLength; i++)
        {
            id[i] = Base62[hash[i] % Base62.Length];
        }

        return prefix + "_" + new string(id);
    }

    public static string RandomBase62(int length)
    {
        return RandomNumberGenerator.GetString(Base62, length);
    }
}
