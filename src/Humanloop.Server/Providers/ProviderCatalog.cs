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
            $"provider '{config.Provider}' is not served by the local server; only mock, openai and openai_azure are served locally",
            "value_error.provider"),
    };
}
