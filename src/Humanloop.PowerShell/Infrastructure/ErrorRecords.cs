using System;
using System.Globalization;
using System.Management.Automation;
using System.Net;
using System.Text;

namespace Humanloop.PowerShell.Infrastructure;

/// <summary>
/// The one place where client failures become ErrorRecords: a stable ErrorId, a category that follows
/// the HTTP status, the input as TargetObject, and the server's own words in ErrorDetails.
/// </summary>
internal static class ErrorRecords
{
    private const int MaxRawTextInDetails = 500;

    public static ErrorRecord From(Exception exception, object? target, HumanloopApiKey? apiKey)
    {
        var (errorId, category, recommendedAction) = Classify(exception);
        var record = new ErrorRecord(exception, errorId, category, target)
        {
            ErrorDetails = new ErrorDetails(Scrub(DetailsMessage(exception), apiKey))
            {
                RecommendedAction = recommendedAction,
            },
        };
        return record;
    }

    /// <summary>
    /// A setting that cannot be used, worded with the names a PowerShell user types (-BaseUri,
    /// $env:HUMANLOOP_BASE_URL, Connect-Humanloop); the core's exception, with its data, is the inner one.
    /// </summary>
    public static ErrorRecord FromSetting(HumanloopSettingException exception, object? target, SettingContext context)
    {
        var worded = new ArgumentException(WordSetting(exception, context), exception);
        return exception.Problem == HumanloopSettingProblem.Missing && exception.Setting == HumanloopSettingName.ApiKey
            ? new ErrorRecord(worded, "Humanloop.Connection.NoApiKey", ErrorCategory.AuthenticationError, target)
            : new ErrorRecord(worded, "Humanloop.Connection.InvalidSetting", ErrorCategory.InvalidArgument, target);
    }

    public static ErrorRecord InvalidArgument(string errorId, string message, object? target) =>
        new(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, target);

    /// <summary>The terminating error of an invalid invocation; <paramref name="message"/> names the parameters.</summary>
    public static ErrorRecord InvalidParameters(string message) => InvalidArgument("Humanloop.Input.InvalidParameters", message, null);

    /// <summary>A lookup by name or label that found nothing: ObjectNotFound, about <paramref name="target"/>.</summary>
    public static ErrorRecord NotFound(string errorId, string message, object? target) =>
        new(new ItemNotFoundException(message), errorId, ErrorCategory.ObjectNotFound, target);

    /// <summary>A failure outside the client (a fixture file, a setting of the module itself), with its own ErrorId.</summary>
    public static ErrorRecord Of(Exception exception, string errorId, ErrorCategory category, object? target) =>
        new(exception, errorId, category, target);

    /// <summary>A defect: something no input explains. Ends the command.</summary>
    public static ErrorRecord Unexpected(Exception exception) => new(exception, "Humanloop.Unexpected", ErrorCategory.NotSpecified, null);

    private static (string ErrorId, ErrorCategory Category, string? RecommendedAction) Classify(Exception exception) => exception switch
    {
        HumanloopApiException api => ((int)api.StatusCode) switch
        {
            401 or 403 => ($"Humanloop.Http.{(int)api.StatusCode}", ErrorCategory.PermissionDenied, "Check the API key: Connect-Humanloop -ApiKey <key>, or $env:HUMANLOOP_API_KEY."),
            404 when api.NotAV4Endpoint => ("Humanloop.Http.404", ErrorCategory.InvalidArgument, "Check -BaseUri (or $env:HUMANLOOP_BASE_URL): it should be the v4 API root, such as http://127.0.0.1:5080/v4."),
            404 => ("Humanloop.Http.404", ErrorCategory.ObjectNotFound, "Check the id or name; the object may have been deleted."),
            413 => ("Humanloop.Http.413", ErrorCategory.LimitsExceeded, "Send less in one request."),
            400 or 422 => ($"Humanloop.Http.{(int)api.StatusCode}", ErrorCategory.InvalidArgument, "Correct the request fields named in the message."),
            408 => ("Humanloop.Http.408", ErrorCategory.OperationTimeout, "Retry later, or raise -TimeoutSec."),
            409 => ("Humanloop.Http.409", ErrorCategory.ResourceExists, "Use the existing object, or choose another name."),
            429 => ("Humanloop.Http.429", ErrorCategory.LimitsExceeded, api.RetryAfter is { } wait ? $"Wait {FormatWait(wait)} before retrying." : "Wait before retrying, or lower the request rate."),
            >= 500 => ($"Humanloop.Http.{(int)api.StatusCode}", ErrorCategory.ConnectionError, "The service failed; retry later."),
            _ => ($"Humanloop.Http.{(int)api.StatusCode}", ErrorCategory.InvalidOperation, null),
        },
        HumanloopStreamException { ServerError: not null } => ("Humanloop.Stream.ServerError", ErrorCategory.ConnectionError, "The server or its model provider failed mid-stream; retry later. The chunks already written are partial."),
        HumanloopStreamException stream => stream.RawText is null
            ? ("Humanloop.Stream.Incomplete", ErrorCategory.InvalidResult, "Run the request again; the chunks already written are partial.")
            : ("Humanloop.Stream.Malformed", ErrorCategory.InvalidData, "The server sent something that is not a completion chunk; see the raw text in the message."),
        HumanloopTimeoutException timeout => ("Humanloop.Timeout", ErrorCategory.OperationTimeout, $"Retry, or raise -{ParameterOf(timeout.Setting ?? HumanloopSettingName.Timeout)}."),
        HumanloopConnectionException { Problem: HumanloopConnectionProblem.Tls } => ("Humanloop.Connection.Tls", ErrorCategory.ConnectionError, "Use http:// in -BaseUri for a plain-HTTP server (the local server is one), or check the server's TLS certificate."),
        HumanloopConnectionException { Problem: HumanloopConnectionProblem.BodyTooLarge } => ("Humanloop.Connection.BodyTooLarge", ErrorCategory.LimitsExceeded, "Send less in one request."),
        HumanloopConnectionException => ("Humanloop.Connection.Failed", ErrorCategory.ConnectionError, "Check the base URI, the network and any proxy."),
        HumanloopResponseException => ("Humanloop.Response.Invalid", ErrorCategory.InvalidResult, "Check that the base URI points at a Humanloop v4 API."),
        HumanloopRecordingException { Request: not null } recording => ("Humanloop.Recording.NoMatch", ErrorCategory.ObjectNotFound, recording.Fix switch
        {
            HumanloopRecordingFix.Record => "Record it first: Start-HumanloopRecording -Mode Auto (or -Mode Record).",
            HumanloopRecordingFix.AllowRepeatsOrRecord => "If the code may send it more often than when it was recorded, pass -AllowRepeats to Start-HumanloopRecording; otherwise record it again.",
            _ => "Record it with Start-HumanloopRecording -Mode Auto, or ignore fields that change from run to run (-IgnoreField).",
        }),
        HumanloopRecordingException => ("Humanloop.Recording.FixtureUnavailable", ErrorCategory.ReadError, "Check the fixture path, or record it first with -Mode Record or Auto."),
        HumanloopInputException or ArgumentException => ("Humanloop.Input.Invalid", ErrorCategory.InvalidArgument, null),
        _ => ("Humanloop.Unexpected", ErrorCategory.NotSpecified, null),
    };

    private static string WordSetting(HumanloopSettingException exception, SettingContext context)
    {
        var parameter = "-" + ParameterOf(exception.Setting);
        if (exception.Problem == HumanloopSettingProblem.Missing && exception.Setting == HumanloopSettingName.ApiKey)
        {
            return context == SettingContext.Connect
                ? $"Connect-Humanloop needs a key: pass -ApiKey, or set the {HumanloopSettings.ApiKeyVariable} environment variable."
                : $"No Humanloop API key was found. Run Connect-Humanloop -ApiKey <key>, set the {HumanloopSettings.ApiKeyVariable} environment variable, or pass -ApiKey to this command. "
                    + "Connections are per runspace, so ForEach-Object -Parallel, jobs and new runspaces do not see the one made outside them: "
                    + "run Connect-Humanloop inside the runspace, or pass the connection in: $conn = Connect-Humanloop -ApiKey <key> -PassThru, then -Connection $using:conn.";
        }

        // Connect-Humanloop's own parameters are the connection's values.
        var origin = exception.ValueSource switch
        {
            SettingSource.Parameter => parameter,
            SettingSource.Connection when context == SettingContext.Connect => parameter,
            SettingSource.Connection => $"The connection's {parameter} (Connect-Humanloop)",
            SettingSource.Environment => $"The {exception.EnvironmentVariable} environment variable",
            _ => $"The default {parameter}",
        };
        var message = exception.Value is null ? $"{origin} {exception.Reason}" : $"{origin} holds '{exception.Value}'; it {exception.Reason}";
        return exception.Problem switch
        {
            HumanloopSettingProblem.Unencrypted => message + " Use https://, or pass -AllowUnencryptedAuthentication if the network is trusted.",
            HumanloopSettingProblem.NeedsProxy => message + " Pass -Proxy with it.",
            _ => message,
        };
    }

    private static string ParameterOf(HumanloopSettingName setting) => setting switch
    {
        HumanloopSettingName.Timeout => "TimeoutSec",
        HumanloopSettingName.StreamIdleTimeout => "StreamIdleTimeoutSec",
        HumanloopSettingName.StreamTimeout => "StreamTimeoutSec",
        HumanloopSettingName.Recording => "RecordingPath",
        _ => setting.ToString(),
    };

    private static string DetailsMessage(Exception exception)
    {
        // A missing recording's fix is the recommended action, in this module's own parameter names; it is not said twice.
        var message = new StringBuilder(exception is HumanloopRecordingException { Problem: { } problem } ? problem : exception.Message);
        switch (exception)
        {
            case HumanloopTimeoutException { Setting: HumanloopSettingName.Timeout }:
                message.Append(" Raise -TimeoutSec if the model needs longer.");
                break;
            case HumanloopApiException { Detail.ValidationErrors.Count: > 1 } api:
                message.Clear().Append($"The server answered {(int)api.StatusCode} {api.ReasonPhrase}:");
                foreach (var error in api.Detail.ValidationErrors)
                {
                    message.AppendLine().Append("  ").Append(error.Location).Append(": ").Append(error.Message);
                }

                break;
            case HumanloopStreamException { RawText: { Length: > 0 } raw }:
                message.AppendLine().Append("Raw text: ").Append(raw.Length > MaxRawTextInDetails ? raw.Substring(0, MaxRawTextInDetails) + "…" : raw);
                break;
            case HumanloopResponseException { RawBody: { Length: > 0 } body }:
                message.AppendLine().Append("Body: ").Append(body.Length > MaxRawTextInDetails ? body.Substring(0, MaxRawTextInDetails) + "…" : body);
                break;
        }

        if (exception is HumanloopException { Attempts: > 1 } counted)
        {
            message.AppendLine().Append($"(after {counted.Attempts} attempts)");
        }

        return message.ToString();
    }

    private static string FormatWait(TimeSpan wait) => wait.TotalSeconds < 120
        ? wait.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s"
        : wait.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture) + " min";

    private static string Scrub(string text, HumanloopApiKey? apiKey) => apiKey is null ? text : apiKey.Scrub(text);
}

/// <summary>Where a setting error arose, which decides how its origin is named.</summary>
internal enum SettingContext
{
    /// <summary>A call: its parameters, the runspace's connection, the environment.</summary>
    Call,

    /// <summary>Connect-Humanloop, whose parameters become the connection.</summary>
    Connect,
}
