using System;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// What to say about the default base URI: Humanloop's hosted API, kept as the default for compatibility,
/// closed in 2025, so a connection to it (or a failure to reach it) points at the local server instead.
/// </summary>
internal static class HostedService
{
    /// <summary>How to run and reach the local server in place of the closed hosted service.</summary>
    public const string Note =
        "Humanloop's hosted service (api.humanloop.com) closed in 2025. Start the local v4 server with 'dotnet pwsh ./build.ps1 -Task Serve' "
        + "(it prints its development key on its first start), then connect to it with 'Connect-Humanloop -BaseUri http://127.0.0.1:5080/v4 -ApiKey <key>'.";

    /// <summary>True when <paramref name="baseUri"/> is the hosted service's (the default base URI's host).</summary>
    public static bool IsHosted(Uri? baseUri) =>
        baseUri is not null && string.Equals(baseUri.Host, HumanloopSettings.DefaultBaseUri.Host, StringComparison.OrdinalIgnoreCase);
}
