using System.Text.RegularExpressions;
using Humanloop.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Humanloop.Server.Tests;

/// <summary>
/// Every operation (method and path) of the 2024-07-12 OpenAPI snapshot has a route on the server, read from the
/// running server's endpoint data source; and every /v4 route is an operation of the spec or a documented extension.
/// </summary>
public sealed partial class SpecCoverageTests(InMemoryServerFixture fixture) : IClassFixture<InMemoryServerFixture>
{
    private const string SpecFile = "humanloop-v4-openapi.2024-07-12.d40b5e7.yml";

    /// <summary>Routes beyond the spec, as docs/server.md ("Extensions beyond v4") lists them.</summary>
    private static readonly string[] Extensions = ["GET /experiments/{}"];

    [GeneratedRegex(@"^  ""?(/[^"":]*)""?:\s*$")]
    private static partial Regex PathLine();

    [GeneratedRegex(@"^    (get|put|post|delete|patch|head|options|trace):\s*$")]
    private static partial Regex MethodLine();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Parameter();

    /// <summary>
    /// The spec sits beside the repository (<c>../shared/spec</c>), where tests/node reads it too; <c>HUMANLOOP_SPEC_PATH</c>
    /// names another copy.
    /// </summary>
    private static string SpecPath()
    {
        if (Environment.GetEnvironmentVariable("HUMANLOOP_SPEC_PATH") is { Length: > 0 } configured)
        {
            return configured;
        }

        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "HumanloopPS.sln")))
        {
            folder = folder.Parent;
        }

        Assert.True(folder is not null, $"No HumanloopPS.sln above {AppContext.BaseDirectory}: cannot find the repository root");
        return Path.GetFullPath(Path.Combine(folder!.FullName, "..", "shared", "spec", SpecFile));
    }

    /// <summary>
    /// The operations of the spec as "METHOD /path" with parameters written <c>{}</c>. The snapshot is YAML as FastAPI's
    /// generator writes it: paths two spaces in under <c>paths:</c>, their methods four.
    /// </summary>
    private static SortedSet<string> SpecOperations()
    {
        var path = SpecPath();
        Assert.True(File.Exists(path), $"The OpenAPI snapshot is missing: {path} (set HUMANLOOP_SPEC_PATH to another copy)");
        var operations = new SortedSet<string>(StringComparer.Ordinal);
        var inPaths = false;
        string? current = null;
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]))
            {
                inPaths = line.TrimEnd() == "paths:";
                current = null;
                continue;
            }

            if (!inPaths)
            {
                continue;
            }

            if (PathLine().Match(line) is { Success: true } pathMatch)
            {
                current = Normalize(pathMatch.Groups[1].Value);
            }
            else if (current is not null && MethodLine().Match(line) is { Success: true } methodMatch)
            {
                operations.Add($"{methodMatch.Groups[1].Value.ToUpperInvariant()} {current}");
            }
        }

        return operations;
    }

    private static string Normalize(string path) => Parameter().Replace(path, "{}");

    /// <summary>The server's /v4 routes as "METHOD /path", from its endpoint data source (what routing matches against).</summary>
    private SortedSet<string> ServedOperations()
    {
        var routes = new SortedSet<string>(StringComparer.Ordinal);
        var endpoints = fixture.Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        foreach (var endpoint in endpoints)
        {
            var path = "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
            {
                RoutePatternLiteralPart literal => literal.Content,
                RoutePatternParameterPart => "{}",
                RoutePatternSeparatorPart separator => separator.Content,
                _ => throw new InvalidOperationException($"Unexpected route part {part}"),
            }))));
            if (!path.StartsWith("/v4/", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var method in endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["*"])
            {
                routes.Add($"{method} {path["/v4".Length..]}");
            }
        }

        return routes;
    }

    [Fact]
    public void The_spec_is_read_whole()
    {
        // 47 paths and 68 operations in the 2024-07-12 snapshot: a reader that missed some would hide unserved ones.
        var operations = SpecOperations();
        Assert.Equal(68, operations.Count);
        Assert.Contains("POST /completion", operations);
        Assert.Contains("DELETE /projects/{}/deployed-config/{}", operations);
        Assert.Contains("GET /sessions", operations);
    }

    [Fact]
    public void Every_operation_of_the_spec_is_served()
    {
        var missing = SpecOperations().Except(ServedOperations()).ToList();
        Assert.True(missing.Count == 0, "Operations of the spec with no server route:\n" + string.Join('\n', missing));
    }

    [Fact]
    public void Every_route_is_an_operation_of_the_spec_or_a_documented_extension()
    {
        var extra = ServedOperations().Except(SpecOperations()).Except(Extensions).ToList();
        Assert.True(extra.Count == 0, "Routes the spec does not have (document them in docs/server.md and list them here):\n" + string.Join('\n', extra));
    }
}
