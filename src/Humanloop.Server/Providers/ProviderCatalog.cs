using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using Humanloop.Server.Observability;

namespace Humanloop.Server.Providers;

/// <summary>Picks the provider for a config; only mock and the OpenAI-compatible ones run locally. Every call is measured.</summary>
internal sealed class ProviderCatalog(MockProvider mock, HttpClient http, OpenAiSettings openAi, ServerMetrics metrics)
{
    private readonly MeasuredProvider _mock = new(ProviderNames.Mock, mock, metrics);
    private readonly MeasuredProvider _openAi = new(ProviderNames.OpenAi, new OpenAiProvider(http, openAi, azure: false), metrics);
    private readonly MeasuredProvider _azure = new(ProviderNames.OpenAiAzure, new OpenAiProvider(http, openAi, azure: true), metrics);

    /// <summary>The provider, or a 422 at <paramref name="location"/> naming the providers this server runs.</summary>
    public IModelProvider Resolve(ModelConfigContent config, IEnumerable<object> location) => config.Provider switch
    {
        ProviderNames.Mock => _mock,
        ProviderNames.OpenAi => _openAi,
        ProviderNames.OpenAiAzure => _azure,
        _ => throw ValidationErrors.Single(location,
            $"provider '{RequestLimits.Echo(config.Provider)}' is not served by the local server; only mock, openai and openai_azure are served locally",
            "value_error.provider"),
    };

    /// <summary>The provider, once it is known that the call can be made with these keys (an Azure endpoint is known).</summary>
    public IModelProvider Resolve(ModelConfigContent config, ProviderKeys keys, IEnumerable<object> location)
    {
        var provider = Resolve(config, location);
        ((provider as MeasuredProvider)?.Inner as OpenAiProvider)?.CheckCallable(keys);
        return provider;
    }
}
