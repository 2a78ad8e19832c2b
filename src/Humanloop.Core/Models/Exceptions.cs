using System;
using System.Collections.Generic;
using System.Net;

namespace Humanloop;

/// <summary>The base of every error the Humanloop client raises.</summary>
public abstract class HumanloopException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected HumanloopException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>How many HTTP attempts were made before the client gave up (0 when none was sent).</summary>
    public int Attempts { get; internal set; }
}

/// <summary>The server answered with a non-success status.</summary>
public sealed class HumanloopApiException : HumanloopException
{
    /// <summary>Creates the exception from a parsed error response.</summary>
    public HumanloopApiException(HttpStatusCode statusCode, string? reasonPhrase, HumanloopErrorDetail detail, TimeSpan? retryAfter)
        : base(BuildMessage(statusCode, reasonPhrase, detail))
    {
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        Detail = detail;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status the server answered with.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The HTTP reason phrase, when the server sent one.</summary>
    public string? ReasonPhrase { get; }

    /// <summary>What the server said about the failure.</summary>
    public HumanloopErrorDetail Detail { get; }

    /// <summary>How long the server asked the client to wait before retrying, when it said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>
    /// True when the server answered 404 to a GET of a route that names no object (such as <c>projects</c>),
    /// which every v4 API serves: the base URI, not an id, is wrong.
    /// </summary>
    public bool NotAV4Endpoint { get; internal set; }

    private static string BuildMessage(HttpStatusCode statusCode, string? reasonPhrase, HumanloopErrorDetail detail)
    {
        var status = $"{(int)statusCode} {reasonPhrase ?? statusCode.ToString()}".TrimEnd();
        return string.IsNullOrEmpty(detail.Message) ? $"The server answered {status}." : $"The server answered {status}: {detail.Message}";
    }
}

/// <summary>What an error response said, in whichever of the documented shapes it came.</summary>
public sealed class HumanloopErrorDetail
{
    /// <summary>A one-paragraph summary: every validation error, the provider error, or the plain message.</summary>
    public string Message { get; init; } = string.Empty;

    /// <summary>FastAPI-style validation errors (422), each with its location and message.</summary>
    public IReadOnlyList<HumanloopValidationError> ValidationErrors { get; init; } = [];

    /// <summary>A model provider's error (the documented <c>detail</c> object), when that is what failed.</summary>
    public HumanloopProviderError? ProviderError { get; init; }

    /// <summary>The response body as received (truncated when very long), for diagnosis.</summary>
    public string? RawBody { get; init; }

    /// <summary>The response's content type.</summary>
    public string? ContentType { get; init; }
}

/// <summary>One FastAPI validation error: where (<c>loc</c>) and what (<c>msg</c>).</summary>
public sealed class HumanloopValidationError
{
    /// <summary>The location, for example <c>body.inputs.topic</c>.</summary>
    public string Location { get; init; } = string.Empty;

    /// <summary>The message.</summary>
    public string Message { get; init; } = string.Empty;

    /// <summary>The error type, for example <c>value_error.missing</c>.</summary>
    public string? Type { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Location}: {Message}";
}

/// <summary>A model provider's error as relayed by the server.</summary>
public sealed class HumanloopProviderError
{
    /// <summary>The error type, for example <c>unprocessable_entity_error</c>.</summary>
    public string? Type { get; init; }

    /// <summary>The provider's own message.</summary>
    public string? Message { get; init; }

    /// <summary>The provider's status or error code.</summary>
    public string? Code { get; init; }

    /// <summary>Where the error came from, for example <c>OpenAI</c>.</summary>
    public string? Origin { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Origin ?? "provider"}: {Message}";
}

/// <summary>A streamed response ended badly: truncated, malformed or cut off.</summary>
public sealed class HumanloopStreamException : HumanloopException
{
    /// <summary>Creates the exception.</summary>
    public HumanloopStreamException(string message, string? rawText, int chunksDelivered, Exception? innerException = null)
        : base(message, innerException)
    {
        RawText = rawText;
        ChunksDelivered = chunksDelivered;
    }

    /// <summary>The offending event or partial event text, when there was one.</summary>
    public string? RawText { get; }

    /// <summary>How many chunks were handed to the caller before the failure.</summary>
    public int ChunksDelivered { get; }

    /// <summary>The error the server reported in the stream (a provider failing mid-stream); null for a cut or malformed stream.</summary>
    public HumanloopErrorDetail? ServerError { get; init; }
}

/// <summary>The server sent a success status with a body the client cannot read.</summary>
public sealed class HumanloopResponseException : HumanloopException
{
    /// <summary>Creates the exception.</summary>
    public HumanloopResponseException(string message, string? rawBody, Exception? innerException = null)
        : base(message, innerException)
    {
        RawBody = rawBody;
    }

    /// <summary>The body as received (truncated when very long).</summary>
    public string? RawBody { get; }
}

/// <summary>No response, or no streamed event, arrived in time.</summary>
public sealed class HumanloopTimeoutException : HumanloopException
{
    /// <summary>Creates the exception.</summary>
    public HumanloopTimeoutException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>The setting whose limit ran out, when known, so a host can name its own way to raise it.</summary>
    public HumanloopSettingName? Setting { get; init; }

    /// <summary>The limit that ran out, when known.</summary>
    public TimeSpan? Limit { get; init; }
}

/// <summary>The request could not reach the server (DNS, refused or reset connection, TLS).</summary>
public sealed class HumanloopConnectionException : HumanloopException
{
    /// <summary>Creates the exception.</summary>
    public HumanloopConnectionException(string message, Exception? innerException = null, HumanloopConnectionProblem problem = HumanloopConnectionProblem.Unreachable)
        : base(message, innerException)
    {
        Problem = problem;
    }

    /// <summary>What went wrong; only <see cref="HumanloopConnectionProblem.Unreachable"/> is worth another attempt.</summary>
    public HumanloopConnectionProblem Problem { get; }
}

/// <summary>Why a request never got an answer.</summary>
public enum HumanloopConnectionProblem
{
    /// <summary>The server could not be reached or the connection broke: perhaps transient.</summary>
    Unreachable,

    /// <summary>The TLS handshake failed (for example https:// to a plain-HTTP server): the same again fails the same way.</summary>
    Tls,

    /// <summary>The connection closed while a large request body was being sent: the server will not take a body that size.</summary>
    BodyTooLarge,
}

/// <summary>A value given to the client cannot be sent (for example it has no JSON form).</summary>
public sealed class HumanloopInputException : HumanloopException
{
    /// <summary>Creates the exception.</summary>
    public HumanloopInputException(string message, string? path = null)
        : base(message)
    {
        Path = path;
    }

    /// <summary>Where in the input the problem is, when known.</summary>
    public string? Path { get; }
}
