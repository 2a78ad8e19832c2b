using Humanloop.Server.Storage;

namespace Humanloop.Server.Domain;

/// <summary>
/// Picks an experiment config for each sample. With positive labels and some feedback it uses
/// Thompson sampling over each active config's positive-feedback rate; otherwise uniformly.
/// One process-wide RNG, seedable with <c>--seed</c> so tests are repeatable.
/// </summary>
internal sealed class ExperimentSampler(int? seed)
{
    private readonly Random _random = seed is null ? new Random() : new Random(seed.Value);
    private readonly Lock _gate = new();

    public string Choose(IReadOnlyList<string> activeConfigIds, IReadOnlyList<TrialStats> stats, bool hasPositiveLabels)
    {
        if (activeConfigIds.Count == 0)
        {
            throw new ArgumentException("An experiment needs an active config to sample.", nameof(activeConfigIds));
        }

        var byConfig = stats.ToDictionary(s => s.ConfigId);
        var anyFeedback = activeConfigIds.Any(id => byConfig.TryGetValue(id, out var s) && s.TrialsWithFeedback > 0);
        lock (_gate)
        {
            if (!hasPositiveLabels || !anyFeedback)
            {
                return activeConfigIds[_random.Next(activeConfigIds.Count)];
            }

            string? best = null;
            var bestDraw = double.MinValue;
            foreach (var id in activeConfigIds)
            {
                var s = byConfig.GetValueOrDefault(id);
                var draw = BetaPosterior.From(s?.Positives ?? 0, s?.TrialsWithFeedback ?? 0).Sample(_random);
                if (draw > bestDraw)
                {
                    bestDraw = draw;
                    best = id;
                }
            }

            return best!;
        }
    }
}
