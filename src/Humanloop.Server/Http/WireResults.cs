namespace Humanloop.Server.Http;

/// <summary>Results written with <see cref="WireJson"/>; the one place a JSON success body is written.</summary>
internal static class WireResults
{
    public static IResult Json<T>(T value, int statusCode = StatusCodes.Status200OK) => new JsonBodyResult<T>(value, statusCode);

    public static IResult NoContent() => Results.StatusCode(StatusCodes.Status204NoContent);

    /// <summary>A text body (a .prompt file), written in one send like the JSON bodies.</summary>
    public static IResult Text(string text, string contentType) => new TextBodyResult(text, contentType);

    private sealed class TextBodyResult(string text, string contentType) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(text);
            var response = httpContext.Response;
            response.ContentType = contentType;
            response.ContentLength = bytes.Length;
            await response.Body.WriteAsync(bytes, httpContext.RequestAborted);
        }
    }

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
