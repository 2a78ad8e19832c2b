namespace Humanloop.Server.Storage;

/// <summary>
/// A lookup found no such record. Storage knows nothing of HTTP: <see cref="Http.ApiErrorMiddleware"/>
/// turns this into a 404 whose detail is the message, so the message is written for the API's caller.
/// </summary>
internal sealed class RecordNotFoundException(string message) : Exception(message)
{
    public static RecordNotFoundException For(string kind, string id) => new($"{kind} {id} not found");
}

/// <summary>A write would break a uniqueness rule (a project name taken); the API answers 409 with the message.</summary>
internal sealed class RecordConflictException(string message) : Exception(message);
