using System;
using System.Security;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// Decides which key and base URI a call uses. Key: the <c>-ApiKey</c> parameter, then the runspace's
/// connection, then <c>$env:HUMANLOOP_API_KEY</c>. Base URI: <c>-BaseUri</c>, the connection,
/// <c>$env:HUMANLOOP_BASE_URL</c>, then the hosted default.
/// </summary>
internal sealed class ClientSettings
{
    public const string ApiKeyVariable = "HUMANLOOP_API_KEY";
    public const string BaseUrlVariable = "HUMANLOOP_BASE_URL";

    private ClientSettings(HumanloopApiKey? apiKey, string? apiKeySource, Uri baseUri, string baseUriSource)
    {
        ApiKey = apiKey;
        ApiKeySource = apiKeySource;
        BaseUri = baseUri;
        BaseUriSource = baseUriSource;
    }

    public HumanloopApiKey? ApiKey { get; }

    public string? ApiKeySource { get; }

    public Uri BaseUri { get; }

    public string BaseUriSource { get; }

    /// <exception cref="ArgumentException">An environment variable holds a value that cannot be used.</exception>
    public static ClientSettings Resolve(SecureString? apiKeyParameter, Uri? baseUriParameter)
    {
        var connection = ConnectionStore.Current;

        HumanloopApiKey? apiKey = null;
        string? apiKeySource = null;
        if (apiKeyParameter is not null)
        {
            apiKey = HumanloopApiKey.FromSecureString(apiKeyParameter);
            apiKeySource = SettingSource.Parameter;
        }
        else if (connection is not null)
        {
            apiKey = connection.ApiKey;
            apiKeySource = SettingSource.Connection;
        }
        else if (Environment.GetEnvironmentVariable(ApiKeyVariable) is { Length: > 0 } environmentKey)
        {
            try
            {
                apiKey = new HumanloopApiKey(environmentKey);
            }
            catch (ArgumentException exception)
            {
                throw new ArgumentException($"The {ApiKeyVariable} environment variable does not hold a usable key: {exception.Message}", exception);
            }

            apiKeySource = SettingSource.Environment;
        }

        if (baseUriParameter is not null)
        {
            return new ClientSettings(apiKey, apiKeySource, CheckBaseUri(baseUriParameter, "-BaseUri"), SettingSource.Parameter);
        }

        if (connection?.BaseUri is { } connected)
        {
            return new ClientSettings(apiKey, apiKeySource, connected, SettingSource.Connection);
        }

        if (Environment.GetEnvironmentVariable(BaseUrlVariable) is { Length: > 0 } environmentUrl)
        {
            if (!Uri.TryCreate(environmentUrl.Trim(), UriKind.Absolute, out var parsed))
            {
                throw new ArgumentException($"The {BaseUrlVariable} environment variable holds '{environmentUrl}', which is not an absolute URI.");
            }

            return new ClientSettings(apiKey, apiKeySource, CheckBaseUri(parsed, BaseUrlVariable), SettingSource.Environment);
        }

        return new ClientSettings(apiKey, apiKeySource, Http.HttpPipeline.NormalizeRoot(HumanloopClientOptions.DefaultBaseUri), SettingSource.Default);
    }

    /// <summary>Rejects anything but an absolute http or https URI, naming where it came from.</summary>
    public static Uri CheckBaseUri(Uri uri, string origin)
    {
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"{origin} is '{uri.OriginalString}', which is not an absolute http:// or https:// URI.");
        }

        return Http.HttpPipeline.NormalizeRoot(uri);
    }

    public HumanloopContext ToContext() => new(BaseUri, BaseUriSource, ApiKey, ApiKeySource);
}
