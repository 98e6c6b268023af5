using Microsoft.AspNetCore.Http;

namespace EvoAct.Dashboard;

/// <summary>Errors the way each side reads them: JSON under /api, a page elsewhere.</summary>
public static class Respond
{
    static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static bool IsApi(HttpContext ctx) => ctx.Request.Path.StartsWithSegments("/api");

    public static Task Error(HttpContext ctx, string message)
    {
        if (IsApi(ctx))
        {
            ctx.Response.ContentType = "application/json; charset=utf-8";
            return ctx.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(new { error = message }, Relaxed));
        }
        ctx.Response.ContentType = "text/html; charset=utf-8";
        return ctx.Response.WriteAsync(Pages.Html.ErrorPage(ctx.Response.StatusCode == 404 ? "Not found" : $"{ctx.Response.StatusCode}", message));
    }

    public static IResult NotFound(string message) => new ErrorResult(StatusCodes.Status404NotFound, message);
    public static IResult BadRequest(string message) => new ErrorResult(StatusCodes.Status400BadRequest, message);

    sealed class ErrorResult(int status, string message) : IResult
    {
        public Task ExecuteAsync(HttpContext ctx)
        {
            ctx.Response.StatusCode = status;
            return Error(ctx, message);
        }
    }
}
