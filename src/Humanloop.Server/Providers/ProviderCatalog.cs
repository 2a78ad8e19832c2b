using Humanloop.Server.Domain;
using Humanloop.Server.Http;

namespace Humanloop.Server.Providers;

/// <summary>Picks the provider for a config; only mock and the OpenAI-compatible ones run locally.</summary>
internal sealed class ProviderCatalog(MockProvider mock, HttpClient http, OpenAiSettings openAi)
{
    private readonly OpenAiProvider _openAi = new(http, openAi, azure: false);
    private readonly OpenAiProvider _azure = new(http, openAi, azure: true);

    /// <summary>The provider, or a 422 at <paramref name="location"/> naming the providers this server runs.</summary>
    public IModelProvider Resolve(ModelConfigContent config, IEnumerable<object> location) => config.Provider switch
    {
        ProviderNames.Mock => mock,
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
        (provider as OpenAiProvider)?.CheckCallable(keys);
        return provider;
    }
}
