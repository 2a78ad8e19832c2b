using System.Text.Json.Nodes;
using Humanloop.Server.Domain;
using Humanloop.Server.Http;
using Humanloop.Server.Storage;

namespace Humanloop.Server.Api;

/// <summary>Deployments of configs and experiments to the fixed environments, and the active config.</summary>
internal static class DeploymentEndpoints
{
    public static void MapDeploymentEndpoints(this IEndpointRouteBuilder v4)
    {
        v4.MapPatch("/projects/{projectId}/deploy-config", async (string projectId, HttpContext context, ProjectStore projects,
            ModelConfigStore configs, ExperimentStore experiments, DeploymentStore deployments, ResponseBuilder responses) =>
        {
            var body = await RequestBody.ReadObjectAsync(context.Request, new ValidationErrors(), context.RequestAborted);
            var configId = body.String("config_id");
            var experimentId = body.String("experiment_id");
            var environments = ReadEnvironments(body);
            if ((configId is null) == (experimentId is null))
            {
                body.Errors.Add(body.At("config_id"), "exactly one of config_id and experiment_id is required", "value_error");
            }

            body.Errors.ThrowIfAny();
            var project = projects.GetRequired(projectId);
            var config = configId is null ? null : configs.GetRequiredInProject(configId, project.Id);
            var experiment = experimentId is null ? null : experiments.GetRequiredInProject(experimentId, project.Id);
            var results = new List<EnvironmentProjectConfigResponse>();
            foreach (var environment in environments)
            {
                var deployment = deployments.Set(project.Id, environment.Id, config?.Id, experiment?.Id);
                results.Add(responses.Deployment(project, environment, deployment));
            }

            projects.Touch(project.Id);
            return WireResults.Json(results);
        });

        // Lists every environment, deployed or not: v4 has no other way to discover environment ids.
        v4.MapGet("/projects/{id}/deployed-configs", (string id, ProjectStore projects, DeploymentStore deployments, ResponseBuilder responses) =>
        {
            var project = projects.GetRequired(id);
            var deployed = deployments.List(project.Id).ToDictionary(d => d.EnvironmentId);
            return WireResults.Json(DeploymentEnvironments.All.Select(e => responses.Deployment(project, e, deployed.GetValueOrDefault(e.Id))).ToList());
        });

        v4.MapDelete("/projects/{projectId}/deployed-config/{environmentId}", (string projectId, string environmentId,
            ProjectStore projects, DeploymentStore deployments) =>
        {
            var project = projects.GetRequired(projectId);
            var environment = DeploymentEnvironments.Find(environmentId) ?? throw ApiException.NotFound("Environment", environmentId);
            deployments.Remove(project.Id, environment.Id);
            return WireResults.Json(new JsonObject());
        });

        v4.MapGet("/projects/{id}/active-config", (string id, HttpContext context, ProjectStore projects, ModelConfigStore configs,
            ExperimentStore experiments, DeploymentResolver resolver, ExperimentConfigPicker picker, ResponseBuilder responses) =>
        {
            var project = projects.GetRequired(id);
            var environment = DeploymentResolver.Environment(context.Request.Query["environment"].FirstOrDefault(), ["query", "environment"]);
            var deployment = resolver.Resolve(project, environment)
                ?? throw ApiException.NotFound($"Project {project.Id} has no active config for environment {environment.Name}");
            if (deployment.ExperimentId is { } experimentId)
            {
                var experiment = experiments.GetRequired(experimentId);
                var config = picker.Pick(experiment, 1, ["query", "environment"])[0];
                var trial = experiments.RecordTrial(experiment.Id, config.Id);
                return WireResults.Json(responses.GetModelConfig(config, experiment.Id, trial.Id, deployment.EnvironmentId));
            }

            return WireResults.Json(responses.GetModelConfig(configs.GetRequired(deployment.ConfigId!), null, null, deployment.EnvironmentId));
        });

        v4.MapDelete("/projects/{id}/active-config", (string id, HttpContext context, ProjectStore projects, DeploymentStore deployments, ResponseBuilder responses) =>
            Deactivate(id, context, projects, deployments, responses, d => d.ConfigId is not null));

        v4.MapDelete("/projects/{id}/active-experiment", (string id, HttpContext context, ProjectStore projects, DeploymentStore deployments, ResponseBuilder responses) =>
            Deactivate(id, context, projects, deployments, responses, d => d.ExperimentId is not null));
    }

    private static IResult Deactivate(string id, HttpContext context, ProjectStore projects, DeploymentStore deployments,
        ResponseBuilder responses, Func<DeploymentRecord, bool> applies)
    {
        var project = projects.GetRequired(id);
        var environment = DeploymentResolver.Environment(context.Request.Query["environment"].FirstOrDefault(), ["query", "environment"]);
        if (deployments.Get(project.Id, environment.Id) is { } deployment && applies(deployment))
        {
            deployments.Remove(project.Id, environment.Id);
            projects.Touch(project.Id);
        }

        return WireResults.Json(responses.Project(projects.GetRequired(id)));
    }

    /// <summary>
    /// <c>environments</c> items name an environment by <c>id</c> or (tolerantly) <c>name</c>; when the
    /// field is absent the default environment is meant.
    /// </summary>
    private static IReadOnlyList<DeploymentEnvironment> ReadEnvironments(FieldReader body)
    {
        var array = body.JsonArray("environments");
        if (array is null)
        {
            return [DeploymentEnvironments.Production];
        }

        var result = new List<DeploymentEnvironment>();
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonObject obj)
            {
                body.Errors.Add(body.At("environments", i), "value is not a valid dict", "type_error.dict");
                continue;
            }

            var item = new FieldReader(obj, body.At("environments", i), body.Errors);
            var key = item.String("id") ?? item.String("name");
            if (key is null)
            {
                item.Errors.Missing(item.At("id"));
                continue;
            }

            var environment = DeploymentEnvironments.Find(key) ?? throw ApiException.NotFound("Environment", key);
            if (!result.Contains(environment))
            {
                result.Add(environment);
            }
        }

        return result;
    }
}
