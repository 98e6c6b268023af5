using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace EvoAct.Dashboard;

/// <summary>
/// The token a dashboard beyond loopback requires, on every request (pages, charts, the API and the
/// event stream). A browser gives it once as ?token=T and then carries it in a cookie; scripts send
/// "Authorization: Bearer T". Compared in constant time.
/// </summary>
public sealed class TokenCheck(string token)
{
    public const string Cookie = "evoact-token";
    readonly byte[] expected = Encoding.UTF8.GetBytes(token);

    bool Matches(string? given) => given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), expected);

    public async Task InvokeAsync(HttpContext ctx, RequestDelegate next)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        var bearer = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : null;
        string? query = ctx.Request.Query["token"];
        if (Matches(query))
            ctx.Response.Cookies.Append(Cookie, query!, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
        else if (!Matches(bearer) && !Matches(ctx.Request.Cookies[Cookie]))
        {
            ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await Respond.Error(ctx, "this dashboard needs its token: open it as /?token=T, or send 'Authorization: Bearer T'");
            return;
        }
        await next(ctx);
    }
}
