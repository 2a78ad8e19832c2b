using System.Net;
using System.Security;
using Humanloop.Http;
using Humanloop.Tests.Support;
using Xunit;
using static Humanloop.Tests.Support.TestClients;

namespace Humanloop.Tests;

public class SettingsTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(variable => variable.Name == name).Value;

    private static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (var character in text)
        {
            secure.AppendChar(character);
        }

        secure.MakeReadOnly();
        return secure;
    }

    private static HumanloopSettingException Rejects(HumanloopSettingsLayer call, HumanloopSettingsLayer? connection = null, Func<string, string?>? environment = null) =>
        Assert.Throws<HumanloopSettingException>(() => HumanloopSettings.Resolve(call, connection, environment ?? NoEnvironment));

    [Fact]
    public void Nothing_given_means_every_default()
    {
        var settings = HumanloopSettings.Resolve(new HumanloopSettingsLayer(), null, NoEnvironment);

        Assert.Null(settings.ApiKey.Value);
        Assert.Equal(SettingSource.Default, settings.ApiKey.Source);
        Assert.Equal("https://api.humanloop.com/v4/", settings.BaseUri.Value.ToString());
        Assert.Equal((2, SettingSource.Default), (settings.MaxRetries.Value, settings.MaxRetries.Source));
        Assert.Equal(TimeSpan.FromSeconds(300), settings.Timeout.Value);
        Assert.Equal(TimeSpan.FromSeconds(100), settings.StreamIdleTimeout.Value);
        Assert.Null(settings.StreamTimeout.Value);
        Assert.Null(settings.Proxy.Value);
        Assert.False(settings.AllowUnencryptedAuthentication.Value);
        Assert.Null(settings.Recording.Value);
        Assert.False(settings.ReplaysOffline);
    }

    [Fact]
    public void Each_setting_comes_from_the_parameter_then_the_connection_then_the_environment()
    {
        var environment = Environment(
            (HumanloopSettings.ApiKeyVariable, "hl_from_environment_0001"),
            (HumanloopSettings.BaseUrlVariable, "http://127.0.0.1:3/v4"),
            (HumanloopSettings.MaxRetriesVariable, " 3 "));
        var connection = new HumanloopSettingsLayer { ApiKey = Secure("hl_from_connection_0002"), BaseUri = new Uri("http://127.0.0.1:2"), Timeout = TimeSpan.FromSeconds(20) };
        var call = new HumanloopSettingsLayer { ApiKey = Secure("hl_from_parameter_0003"), Timeout = TimeSpan.FromSeconds(10) };

        var all = HumanloopSettings.Resolve(call, connection, environment);
        var withoutCall = HumanloopSettings.Resolve(new HumanloopSettingsLayer(), connection, environment);
        var environmentOnly = HumanloopSettings.Resolve(new HumanloopSettingsLayer(), null, environment);

        Assert.Equal(("****0003", SettingSource.Parameter), (all.ApiKey.Value!.Masked, all.ApiKey.Source));
        Assert.Equal(("****0002", SettingSource.Connection), (withoutCall.ApiKey.Value!.Masked, withoutCall.ApiKey.Source));
        Assert.Equal(("****0001", SettingSource.Environment), (environmentOnly.ApiKey.Value!.Masked, environmentOnly.ApiKey.Source));
        Assert.Equal(("http://127.0.0.1:2/v4/", SettingSource.Connection), (all.BaseUri.Value.ToString(), all.BaseUri.Source));
        Assert.Equal(("http://127.0.0.1:3/v4/", SettingSource.Environment), (environmentOnly.BaseUri.Value.ToString(), environmentOnly.BaseUri.Source));
        Assert.Equal((3, SettingSource.Environment), (all.MaxRetries.Value, all.MaxRetries.Source));
        Assert.Equal((TimeSpan.FromSeconds(10), SettingSource.Parameter), (all.Timeout.Value, all.Timeout.Source));
        Assert.Equal((TimeSpan.FromSeconds(20), SettingSource.Connection), (withoutCall.Timeout.Value, withoutCall.Timeout.Source));
        Assert.Equal(SettingSource.Default, environmentOnly.Timeout.Source);
    }

    [Fact]
    public void A_call_can_take_back_what_its_connection_allowed()
    {
        var connection = new HumanloopSettingsLayer { BaseUri = new Uri("http://humanloop.example/v4"), AllowUnencryptedAuthentication = true };

        Assert.True(HumanloopSettings.Resolve(new HumanloopSettingsLayer(), connection, NoEnvironment).AllowUnencryptedAuthentication.Value);
        var error = Rejects(new HumanloopSettingsLayer { AllowUnencryptedAuthentication = false }, connection);

        Assert.Equal(HumanloopSettingProblem.Unencrypted, error.Problem);
    }

    [Theory]
    [InlineData(HumanloopSettings.MaxRetriesVariable, "lots", HumanloopSettingName.MaxRetries, HumanloopSettingProblem.Unreadable)]
    [InlineData(HumanloopSettings.MaxRetriesVariable, "11", HumanloopSettingName.MaxRetries, HumanloopSettingProblem.OutOfRange)]
    [InlineData(HumanloopSettings.BaseUrlVariable, "not a uri", HumanloopSettingName.BaseUri, HumanloopSettingProblem.Unreadable)]
    [InlineData(HumanloopSettings.BaseUrlVariable, "ftp://example.com/v4", HumanloopSettingName.BaseUri, HumanloopSettingProblem.NotHttp)]
    [InlineData(HumanloopSettings.BaseUrlVariable, "http://humanloop.example/v4", HumanloopSettingName.BaseUri, HumanloopSettingProblem.Unencrypted)]
    public void An_unusable_environment_variable_is_named_with_its_value(string variable, string value, HumanloopSettingName setting, HumanloopSettingProblem problem)
    {
        var error = Rejects(new HumanloopSettingsLayer(), environment: Environment((variable, value)));

        Assert.Equal(setting, error.Setting);
        Assert.Equal(SettingSource.Environment, error.ValueSource);
        Assert.Equal(variable, error.EnvironmentVariable);
        Assert.Equal(value, error.Value);
        Assert.Equal(problem, error.Problem);
        Assert.Equal(setting.ToString(), error.ParamName);
        Assert.StartsWith($"The {variable} environment variable holds '{value}'; it ", error.Message);
        Assert.EndsWith(error.Reason, error.Message);
    }

    [Fact]
    public void A_key_from_the_environment_that_a_header_cannot_carry_is_rejected_without_repeating_it()
    {
        var error = Rejects(new HumanloopSettingsLayer(), environment: Environment((HumanloopSettings.ApiKeyVariable, "hl_secret\nkey")));

        Assert.Equal((HumanloopSettingName.ApiKey, SettingSource.Environment, HumanloopSettingProblem.Unreadable), (error.Setting, error.ValueSource, error.Problem));
        Assert.Null(error.Value);
        Assert.DoesNotContain("hl_secret", error.Message);
    }

    [Fact]
    public void Each_call_and_connection_problem_carries_its_setting_source_and_value()
    {
        var notHttp = Rejects(new HumanloopSettingsLayer { BaseUri = new Uri("ftp://example.com/v4") });
        var unencrypted = Rejects(new HumanloopSettingsLayer(), new HumanloopSettingsLayer { BaseUri = new Uri("http://humanloop.example/v4") });
        var retries = Rejects(new HumanloopSettingsLayer { MaxRetries = -1 });
        var timeout = Rejects(new HumanloopSettingsLayer(), new HumanloopSettingsLayer { StreamIdleTimeout = TimeSpan.Zero });
        var total = Rejects(new HumanloopSettingsLayer { StreamTimeout = TimeSpan.FromDays(30) });
        var proxy = Rejects(new HumanloopSettingsLayer(), new HumanloopSettingsLayer { Proxy = new Uri("socks5://proxy.example:1080") });
        var credential = Rejects(new HumanloopSettingsLayer(), new HumanloopSettingsLayer { ProxyCredential = new NetworkCredential("user", "pass") });

        Assert.Equal((HumanloopSettingName.BaseUri, SettingSource.Parameter, "ftp://example.com/v4", HumanloopSettingProblem.NotHttp), (notHttp.Setting, notHttp.ValueSource, notHttp.Value, notHttp.Problem));
        Assert.Equal((HumanloopSettingName.BaseUri, SettingSource.Connection, "http://humanloop.example/v4", HumanloopSettingProblem.Unencrypted), (unencrypted.Setting, unencrypted.ValueSource, unencrypted.Value, unencrypted.Problem));
        Assert.Equal((HumanloopSettingName.MaxRetries, SettingSource.Parameter, "-1", HumanloopSettingProblem.OutOfRange), (retries.Setting, retries.ValueSource, retries.Value, retries.Problem));
        Assert.Equal((HumanloopSettingName.StreamIdleTimeout, SettingSource.Connection, HumanloopSettingProblem.OutOfRange), (timeout.Setting, timeout.ValueSource, timeout.Problem));
        Assert.Equal((HumanloopSettingName.StreamTimeout, SettingSource.Parameter, HumanloopSettingProblem.OutOfRange), (total.Setting, total.ValueSource, total.Problem));
        Assert.Equal((HumanloopSettingName.Proxy, SettingSource.Connection, "socks5://proxy.example:1080", HumanloopSettingProblem.NotHttp), (proxy.Setting, proxy.ValueSource, proxy.Value, proxy.Problem));
        Assert.Equal((HumanloopSettingName.ProxyCredential, SettingSource.Connection, HumanloopSettingProblem.NeedsProxy), (credential.Setting, credential.ValueSource, credential.Problem));
        Assert.Null(credential.Value);
        Assert.Null(notHttp.EnvironmentVariable);
    }

    [Fact]
    public void Core_messages_name_no_powershell_parameter()
    {
        var errors = new[]
        {
            Rejects(new HumanloopSettingsLayer { BaseUri = new Uri("http://humanloop.example/v4") }),
            Rejects(new HumanloopSettingsLayer { ProxyCredential = new NetworkCredential("user", "pass") }),
            Rejects(new HumanloopSettingsLayer { MaxRetries = 11 }),
        };

        Assert.All(errors, error => Assert.DoesNotMatch(@"(^|\s)-[A-Z]", error.Message));
    }

    [Fact]
    public void A_missing_key_is_required_only_when_calls_are_sent()
    {
        var settings = HumanloopSettings.Resolve(new HumanloopSettingsLayer(), null, NoEnvironment);

        var error = Assert.Throws<HumanloopSettingException>(settings.RequireApiKey);
        Assert.Equal((HumanloopSettingName.ApiKey, HumanloopSettingProblem.Missing), (error.Setting, error.Problem));
        Assert.Throws<HumanloopSettingException>(() => settings.RequireApiKey(RecordingMode.Auto));
        settings.RequireApiKey(RecordingMode.Replay);
        HumanloopSettings.Resolve(new HumanloopSettingsLayer { ApiKey = Secure("hl_key_0004") }, null, NoEnvironment).RequireApiKey();
    }

    [Fact]
    public void The_options_made_from_the_settings_carry_every_value()
    {
        var settings = HumanloopSettings.Resolve(
            new HumanloopSettingsLayer { ApiKey = Secure(Key), StreamTimeout = TimeSpan.FromSeconds(30) },
            new HumanloopSettingsLayer { BaseUri = new Uri("http://127.0.0.1:5080"), Proxy = new Uri("http://proxy.example:3128"), ProxyCredential = new NetworkCredential("user", "pass"), MaxRetries = 4 },
            NoEnvironment);

        var options = settings.ToOptions(null, "Tests");

        Assert.Equal("http://127.0.0.1:5080/v4/", options.BaseUri.ToString());
        Assert.Same(settings.ApiKey.Value, options.ApiKey);
        Assert.Equal(4, options.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(30), options.StreamTimeout);
        Assert.Equal(new Uri("http://proxy.example:3128"), options.Proxy);
        Assert.Equal("user", options.ProxyCredential!.UserName);
        Assert.Equal("Tests", options.ApplicationId);
        Assert.Equal("http://127.0.0.1:5080/v4/", new HumanloopClient(options).BaseUri.ToString());
    }

    [Fact]
    public async Task A_client_whose_recording_replays_needs_no_key_and_sends_no_key_header()
    {
        using var scratch = new RecordingScratch();
        var fixture = scratch.PathOf("replay.json");
        using (var recorder = RecordingScratch.Open(fixture, RecordingMode.Record, new ScriptedHandler().ThenRespond(HttpStatusCode.OK, RecordingScratch.Success)))
        {
            await RecordingScratch.Client(recorder).CompleteAsync(RecordingScratch.Deployed());
            recorder.Save();
        }

        using var replay = RecordingScratch.Open(fixture, RecordingMode.Replay);
        var settings = HumanloopSettings.Resolve(new HumanloopSettingsLayer { Recording = replay }, null, NoEnvironment);
        settings.RequireApiKey();
        var options = settings.ToOptions(null, null);
        var pipeline = new HttpPipeline(options);
        using var request = pipeline.BuildRequest(HttpMethod.Post, new Uri(pipeline.Root, "completion-deployed"), null, streaming: false);

        Assert.True(settings.ReplaysOffline);
        Assert.Null(options.ApiKey);
        Assert.False(request.Headers.Contains("X-API-KEY"));
        Assert.Equal("A limerick about AI.", (await new HumanloopClient(options).CompleteAsync(RecordingScratch.Deployed())).Output);
    }

    [Fact]
    public void A_client_without_a_key_whose_transport_sends_is_refused()
    {
        using var scratch = new RecordingScratch();
        using var record = RecordingScratch.Open(scratch.PathOf("record.json"), RecordingMode.Record, new ScriptedHandler());
        var options = Options(new ScriptedHandler());
        options.ApiKey = null;

        var direct = Assert.Throws<HumanloopSettingException>(() => new HumanloopClient(options));
        options.Transport = record;
        var recording = Assert.Throws<HumanloopSettingException>(() => new HumanloopClient(options));

        Assert.Equal(HumanloopSettingProblem.Missing, direct.Problem);
        Assert.Equal(HumanloopSettingProblem.Missing, recording.Problem);
    }

    [Fact]
    public async Task A_timeout_says_which_setting_ran_out_and_names_no_parameter()
    {
        var client = Create(new ScriptedHandler().ThenHang(), maxRetries: 0, configure: options => options.Timeout = TimeSpan.FromMilliseconds(50));

        var error = await Assert.ThrowsAsync<HumanloopTimeoutException>(() => client.CompleteAsync(new CompletionDeployedRequest()));

        Assert.Equal(HumanloopSettingName.Timeout, error.Setting);
        Assert.Equal(TimeSpan.FromMilliseconds(50), error.Limit);
        Assert.DoesNotContain("-TimeoutSec", error.Message);
    }

    [Fact]
    public void A_key_scrubs_itself_from_text()
    {
        var key = new HumanloopApiKey(Key);

        Assert.Equal("echo ****cdef twice ****cdef", key.Scrub($"echo {Key} twice {Key}"));
        Assert.Equal("nothing here", key.Scrub("nothing here"));
    }

    [Fact]
    public void The_layer_never_shows_its_values()
    {
        var layer = new HumanloopSettingsLayer { ApiKey = Secure(Key), ProxyCredential = new NetworkCredential("user", "proxy-pass") };

        Assert.DoesNotContain("proxy-pass", layer.ToString());
        Assert.DoesNotContain("user", layer.ToString());
    }
}
