using Humanloop.Server.Domain;

namespace Humanloop.Server.Hosting;

/// <summary>
/// Decides which API keys the server accepts. Configured keys are used as they are. Without any,
/// a development key is generated: in a data folder it is stored and shown only on the first start;
/// in memory a new one is shown at every start. A configured key is never printed.
/// </summary>
internal static class ApiKeyProvisioner
{
    public const string DevKeyFileName = "dev-api-key";

    public static IReadOnlyList<string> Provision(ServerOptions options, TextWriter output)
    {
        if (options.ApiKeys.Count > 0)
        {
            output.WriteLine($"Accepting {options.ApiKeys.Count} API key(s) from configuration (HUMANLOOP_SERVER_API_KEYS).");
            return options.ApiKeys;
        }

        if (options.InMemory)
        {
            var key = NewKey();
            output.WriteLine($"Development API key for this run (in-memory, not stored): {key}");
            return [key];
        }

        var path = Path.Combine(options.ResolvedDataFolder, DevKeyFileName);
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } stored)
        {
            output.WriteLine($"Using the development API key stored in {path}");
            return [stored];
        }

        var generated = NewKey();
        Directory.CreateDirectory(options.ResolvedDataFolder);
        File.WriteAllText(path, generated + Environment.NewLine);
        if (!OperatingSystem.IsWindows())
        {
            // The key grants access to everything the server stores: readable by its owner only.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        output.WriteLine($"Generated a development API key (shown only this once; stored in {path}): {generated}");
        return [generated];
    }

    /// <summary>
    /// The Connect-Humanloop command for this server, ready to paste: the key itself when it lives only in memory,
    /// or a read of the key file; null when the keys come from configuration (they are never printed).
    /// </summary>
    public static string? ConnectLine(string apiUrl, ServerOptions options, IReadOnlyList<string> apiKeys)
    {
        if (options.ApiKeys.Count > 0)
        {
            return null;
        }

        var key = options.InMemory
            ? $"'{apiKeys[0]}'"
            : $"(Get-Content -Raw '{Path.Combine(options.ResolvedDataFolder, DevKeyFileName).Replace("'", "''", StringComparison.Ordinal)}').Trim()";
        return $"Connect-Humanloop -BaseUri {apiUrl} -ApiKey {key}";
    }

    private static string NewKey() => "hl_local_" + Ids.RandomBase62(32);
}
