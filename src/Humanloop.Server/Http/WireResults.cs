namespace Humanloop.Server.Http;

/// <summary>Results written with <see cref="WireJson"/>; the one place a JSON success body is written.</summary>
internal static class WireResults
{
    public static IResult Json<T>(T value, int statusCode = StatusCodes.Status200OK) => new JsonBodyResult<T>(value, statusCode);

    public static IResult NoContent() => Results.StatusCode(StatusCodes.Status204NoContent);

    private sealed class JsonBodyResult<T>(T value, int statusCode) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var bytes = WireJson.SerializeToUtf8(value);
            var response = httpContext.Response;
            response.StatusCode = statusCode;
            response.ContentType = "application/json";
            response.ContentLength = bytes.Length;
            await response.Body.WriteAsync(bytes, httpContext.RequestAborted);
        }
    }
}
