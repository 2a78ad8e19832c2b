using System;

namespace Humanloop;

/// <summary>
/// Where calls in this runspace go and with which key, and where each setting came from. The key is
/// only ever shown masked.
/// </summary>
public sealed class HumanloopContext
{
    internal HumanloopContext(Uri baseUri, string baseUriSource, HumanloopApiKey? apiKey, string? apiKeySource)
    {
        BaseUri = baseUri;
        BaseUriSource = baseUriSource;
        ApiKey = apiKey?.Masked;
        ApiKeySource = apiKeySource;
    }

    /// <summary>The API root calls go to.</summary>
    public Uri BaseUri { get; }

    /// <summary>Where the base URI came from: Parameter, Connection, Environment or Default.</summary>
    public string BaseUriSource { get; }

    /// <summary>The API key, masked; null when no key is available.</summary>
    public string? ApiKey { get; }

    /// <summary>Where the key came from: Parameter, Connection or Environment; null when there is none.</summary>
    public string? ApiKeySource { get; }

    /// <summary>True when this runspace has a connection from <c>Connect-Humanloop</c>.</summary>
    public bool IsConnected => ApiKeySource == SettingSource.Connection || BaseUriSource == SettingSource.Connection;

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
