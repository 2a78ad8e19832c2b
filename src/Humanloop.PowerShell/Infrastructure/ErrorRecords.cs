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

    public static ErrorRecord InvalidArgument(string errorId, string message, object? target) =>
        new(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, target);

    private static (string ErrorId, ErrorCategory Category, string? RecommendedAction) Classify(Exception exception) => exception switch
    {
        HumanloopApiException api => ((int)api.StatusCode) switch
        {
            401 or 403 => ($"Humanloop.Http.{(int)api.StatusCode}", ErrorCategory.PermissionDenied, "Check the API key: Connect-Humanloop -ApiKey <key>, or $env:HUMANLOOP_API_KEY."),
            404 => ("Humanloop.Http.404", ErrorCategory.ObjectNotFound, "Check the id or name; the object may have been deleted."),
            400 or 422 => ($"Humanloop.Http.{(int)api.StatusCode}", ErrorCategory.InvalidArgument, "Correct the request fields named in the message."),
            408 => ("Humanloop.Http.408", ErrorCategory.OperationTimeout, "Retry later, or raise -TimeoutSec."),
            409 => ("Humanloop.Http.409", ErrorCategory.ResourceExists, "Use the existing object, or choose another name."),
            429 => ("Humanloop.Http.429", ErrorCategory.LimitsExceeded, api.RetryAfter is { } wait ? $"Wait {FormatWait(wait)} before retrying." : "Wait before retrying, or lower the request rate."),
            >= 500 => ($"Humanloop.Http.{(int)api.StatusCode}", ErrorCategory.ConnectionError, "The service failed; retry later."),
            _ => ($"Humanloop.Http.{(int)api.StatusCode}", ErrorCategory.InvalidOperation, null),
        },
        HumanloopStreamException stream => stream.RawText is null
            ? ("Humanloop.Stream.Incomplete", ErrorCategory.InvalidResult, "Run the request again; the chunks already written are partial.")
            : ("Humanloop.Stream.Malformed", ErrorCategory.InvalidData, "The server sent something that is not a completion chunk; see the raw text in the message."),
        HumanloopTimeoutException => ("Humanloop.Timeout", ErrorCategory.OperationTimeout, "Retry, or raise -TimeoutSec."),
        HumanloopConnectionException => ("Humanloop.Connection.Failed", ErrorCategory.ConnectionError, "Check the base URI, the network and any proxy."),
        HumanloopResponseException => ("Humanloop.Response.Invalid", ErrorCategory.InvalidResult, "Check that the base URI points at a Humanloop v4 API."),
        HumanloopRecordingException { Request: not null } => ("Humanloop.Recording.NoMatch", ErrorCategory.ObjectNotFound, "Record it with Start-HumanloopRecording -Mode Auto, or ignore fields that change from run to run (-IgnoreField)."),
        HumanloopRecordingException => ("Humanloop.Recording.FixtureUnavailable", ErrorCategory.ReadError, "Check the fixture path, or record it first with -Mode Record or Auto."),
        HumanloopInputException or ArgumentException => ("Humanloop.Input.Invalid", ErrorCategory.InvalidArgument, null),
        _ => ("Humanloop.Unexpected", ErrorCategory.NotSpecified, null),
    };

    private static string DetailsMessage(Exception exception)
    {
        var message = new StringBuilder(exception.Message);
        switch (exception)
        {
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

    private static string Scrub(string text, HumanloopApiKey? apiKey) =>
        apiKey is null ? text : Http.Redactor.Scrub(text, apiKey);
}
