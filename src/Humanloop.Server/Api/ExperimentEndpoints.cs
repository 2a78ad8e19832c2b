using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Api;

/// <summary>The 2024-07-12 Experiments group, plus <c>GET /experiments/{id}</c> as a documented extension.</summary>
internal static class ExperimentEndpoints
{
    public static void MapExperimentEndpoints(this IEndpointRouteBuilder v4)
    {
        v4.MapGet("/projects/{projectId}/experiments", (string projectId, ProjectStore projects, ExperimentStore experiments, ResponseBuilder responses) =>
        {
            var project = projects.GetRequired(projectId);
            return WireResults.Json(experiments.ListByProject(project.Id).Select(responses.Experiment).ToList());
        });

        v4.MapPost("/projects/{projectId}/experiments", async (string projectId, HttpContext context, ProjectStore projects,
            ModelConfigStore configs, ExperimentStore experiments, DeploymentStore deployments, ResponseBuilder responses) =>
        {
            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            var name = body.String("name", required: true);
            // Required by the spec, but clients omitted it in practice: missing means none.
            var positiveLabels = PositiveLabel.ReadList(body, "positive_labels") ?? [];
            var configIds = body.StringList("config_ids") ?? [];
            var setActive = body.Bool("set_active") ?? false;
            body.Errors.ThrowIfAny();

            var project = projects.GetRequired(projectId);
            foreach (var configId in configIds)
            {
                configs.GetRequiredInProject(configId, project.Id);
            }

            var experiment = experiments.Create(project.Id, name!, positiveLabels, configIds.Distinct().ToList());
            if (setActive)
            {
                deployments.Set(project.Id, DeploymentEnvironments.Production.Id, null, experiment.Id);
            }

            projects.Touch(project.Id);
            return WireResults.Json(responses.Experiment(experiment));
        });

        v4.MapGet("/experiments/{id}", (string id, ExperimentStore experiments, ResponseBuilder responses) =>
            WireResults.Json(responses.Experiment(experiments.GetRequired(id))));

        v4.MapPatch("/experiments/{id}", async (string id, HttpContext context, ProjectStore projects, ModelConfigStore configs,
            ExperimentStore experiments, ResponseBuilder responses) =>
        {
            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            var name = body.String("name");
            var positiveLabels = PositiveLabel.ReadList(body, "positive_labels");
            var register = body.StringList("config_ids_to_register") ?? [];
            var deregister = body.StringList("config_ids_to_deregister") ?? [];
            body.Errors.ThrowIfAny();

            var experiment = experiments.GetRequired(id);
            var project = projects.GetRequired(experiment.ProjectId);
            foreach (var configId in register.Concat(deregister))
            {
                configs.GetRequiredInProject(configId, project.Id);
            }

            experiment = experiments.Update(id, name, positiveLabels, register.Distinct().ToList(), deregister.Distinct().ToList());
            return WireResults.Json(responses.Experiment(experiment));
        });

        v4.MapDelete("/experiments/{id}", (string id, ExperimentStore experiments) =>
        {
            if (!experiments.Delete(id))
            {
                throw ApiException.NotFound("Experiment", id);
            }

            return WireResults.NoContent();
        });

        v4.MapGet("/experiments/{id}/model-config", (string id, ExperimentStore experiments, ExperimentConfigPicker picker, ResponseBuilder responses) =>
        {
            var experiment = experiments.GetRequired(id);
            var config = picker.Pick(experiment, 1, ["path", "experiment_id"])[0];
            // Kept, so that a log posted with this trial id (POST /logs) counts as the experiment's trial of this config.
            var trial = experiments.RecordTrial(experiment.Id, config.Id);
            return WireResults.Json(responses.GetModelConfig(config, experiment.Id, trial.Id, null));
        });
    }
}
