using System;

namespace Humanloop;

/// <summary>
/// Where calls in this runspace go, with which key and how patiently, and where each setting came
/// from. The key is only ever shown masked; proxy credentials are not shown at all.
/// </summary>
/// <remarks>
/// What <c>Connect-Humanloop -PassThru</c> writes is also the connection itself: every cmdlet takes it as
/// <c>-Connection</c>, in this runspace or another one of the process (<c>ForEach-Object -Parallel</c> with
/// <c>$using:</c>, <c>Start-ThreadJob</c>), where the runspace's own connection does not reach.
/// </remarks>
public sealed class HumanloopContext
{
    internal HumanloopContext(HumanloopSettings settings, bool isConnected, HumanloopSettingsLayer? connection = null, int? projectCount = null)
    {
        Connection = connection;
        ProjectCount = projectCount;
        BaseUri = settings.BaseUri.Value;
        BaseUriSource = settings.BaseUri.Source.ToString();
        ApiKey = settings.ApiKey.Value?.Masked;
        ApiKeySource = settings.ApiKey.Value is null ? null : settings.ApiKey.Source.ToString();
        MaxRetries = settings.MaxRetries.Value;
        MaxRetriesSource = settings.MaxRetries.Source.ToString();
        TimeoutSec = (int)settings.Timeout.Value.TotalSeconds;
        StreamIdleTimeoutSec = (int)settings.StreamIdleTimeout.Value.TotalSeconds;
        Proxy = settings.Proxy.Value;
        AllowUnencryptedAuthentication = settings.AllowUnencryptedAuthentication.Value;
        IsConnected = isConnected;
        Recording = settings.Recording.Value is { } recording ? $"{recording.Mode} {recording.FixturePath}" : null;
    }

    /// <summary>The API root calls go to.</summary>
    public Uri BaseUri { get; }

    /// <summary>Where the base URI came from: Parameter, Connection, Environment or Default.</summary>
    public string BaseUriSource { get; }

    /// <summary>The API key, masked; null when no key is available.</summary>
    public string? ApiKey { get; }

    /// <summary>Where the key came from: Parameter, Connection or Environment; null when there is none.</summary>
    public string? ApiKeySource { get; }

    /// <summary>Retries after the first attempt for transient failures.</summary>
    public int MaxRetries { get; }

    /// <summary>Where the retry count came from: Parameter, Connection, Environment or Default.</summary>
    public string MaxRetriesSource { get; }

    /// <summary>Seconds one attempt may take.</summary>
    public int TimeoutSec { get; }

    /// <summary>Seconds a stream may go without an event.</summary>
    public int StreamIdleTimeoutSec { get; }

    /// <summary>The explicit proxy of the connection; null means the system's proxy settings apply.</summary>
    public Uri? Proxy { get; }

    /// <summary>True when http:// to another host was allowed explicitly.</summary>
    public bool AllowUnencryptedAuthentication { get; }

    /// <summary>True when this runspace has a connection from <c>Connect-Humanloop</c>.</summary>
    public bool IsConnected { get; }

    /// <summary>The active recording's mode and fixture file (Start-HumanloopRecording); null when none.</summary>
    public string? Recording { get; }

    /// <summary>How many projects the server reported when Connect-Humanloop checked the connection; null when it did not check.</summary>
    public int? ProjectCount { get; }

    /// <summary>The connection this context describes, which -Connection uses; null when it describes no connection.</summary>
    internal HumanloopSettingsLayer? Connection { get; }

    /// <inheritdoc />
    public override string ToString() => $"{BaseUri} (key {ApiKey ?? "none"})";
}
