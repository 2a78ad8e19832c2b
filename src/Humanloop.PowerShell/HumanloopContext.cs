using System;
using Humanloop.PowerShell.Infrastructure;

namespace Humanloop;

/// <summary>
/// Where calls in this runspace go, with which key and how patiently, and where each setting came
/// from. The key is only ever shown masked; proxy credentials are not shown at all.
/// </summary>
public sealed class HumanloopContext
{
    internal HumanloopContext(ClientSettings settings)
    {
        BaseUri = settings.BaseUri;
        BaseUriSource = settings.BaseUriSource;
        ApiKey = settings.ApiKey?.Masked;
        ApiKeySource = settings.ApiKeySource;
        MaxRetries = settings.MaxRetries;
        MaxRetriesSource = settings.MaxRetriesSource;
        TimeoutSec = (int)settings.Timeout.TotalSeconds;
        StreamIdleTimeoutSec = (int)settings.StreamIdleTimeout.TotalSeconds;
        Proxy = settings.Connection?.Proxy;
        AllowUnencryptedAuthentication = settings.AllowUnencryptedAuthentication;
        IsConnected = settings.Connection is not null;
        Recording = settings.Recording is { } recording ? $"{recording.Mode} {recording.FixturePath}" : null;
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

    /// <inheritdoc />
    public override string ToString() => $"{BaseUri} (key {ApiKey ?? "none"})";
}

/// <summary>The names of the places a setting can come from.</summary>
internal static class SettingSource
{
    public const string Parameter = "Parameter";
    public const string Connection = "Connection";
    public const string Environment = "Environment";
    public const string Default = "Default";
}
