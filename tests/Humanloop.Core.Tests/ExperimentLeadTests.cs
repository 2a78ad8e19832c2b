using Xunit;

namespace Humanloop.Tests;

public class ExperimentLeadTests
{
    private static ExperimentConfig Config(string name, double? mean, int trials) => new() { Id = "config_" + name, DisplayName = name, Mean = mean, TrialsCount = trials };

    [Fact]
    public void An_experiment_without_trials_has_no_leader_whatever_the_prior_means_say()
    {
        var experiment = new Experiment { Configs = [Config("concise", 0.5, 0), Config("friendly", 0.5, 0)] };

        Assert.Null(experiment.Leading);
        Assert.Equal(0, experiment.TrialsCount);
    }

    [Fact]
    public void The_leader_is_the_best_mean_among_the_configs_that_ran_a_trial()
    {
        var experiment = new Experiment { Configs = [Config("untried", 0.9, 0), Config("concise", 0.4, 3), Config("friendly", 0.7, 2)] };

        Assert.Equal("friendly", experiment.Leading!.DisplayName);
        Assert.Equal(5, experiment.TrialsCount);
    }
}
