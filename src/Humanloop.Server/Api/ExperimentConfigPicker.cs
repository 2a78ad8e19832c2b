using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Api;

/// <summary>Samples one active config of an experiment, with the statistics its sampler needs.</summary>
internal sealed class ExperimentConfigPicker(ExperimentStore experiments, ModelConfigStore configs, ExperimentSampler sampler)
{
    /// <summary>Picks <paramref name="count"/> configs (one per sample), reading the statistics once.</summary>
    public IReadOnlyList<ModelConfigRecord> Pick(ExperimentRecord experiment, int count, IEnumerable<object> location)
    {
        var active = experiments.Configs(experiment.Id).Where(c => c.Active).Select(c => c.ConfigId).ToList();
        if (active.Count == 0)
        {
            throw ValidationErrors.Single(location, $"Experiment {experiment.Id} has no active model configs to sample from");
        }

        var stats = experiments.Stats(experiment);
        var chosen = new List<ModelConfigRecord>(count);
        for (var i = 0; i < count; i++)
        {
            chosen.Add(configs.GetRequired(sampler.Choose(active, stats, experiment.PositiveLabels.Count > 0)));
        }

        return chosen;
    }
}
