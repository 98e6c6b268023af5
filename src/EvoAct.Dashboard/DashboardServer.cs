using System.Globalization;
using System.Net;
using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.ReadSide;
using EvoAct.Dashboard.Api;
using EvoAct.Dashboard.Charts;
using EvoAct.Dashboard.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EvoAct.Dashboard;

/// <summary>
/// The dashboard: a read-only web app over every run and transfer in one journal, live. Pages are
/// HTML rendered on the server with SVG charts; each page's live part is re-fetched when the journal
/// changes, announced over Server-Sent Events (/api/events). Only GET is served.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    readonly WebApplication app;
    public JournalFollower Follower { get; }
    /// <summary>The address it serves, e.g. http://127.0.0.1:8080 (the port chosen, where 0 was asked).</summary>
    public string Url { get; }

    DashboardServer(WebApplication app, JournalFollower follower, string url) => (this.app, Follower, Url) = (app, follower, url);

    /// <summary>Starts serving; bad options, a port in use or a journal that cannot be read are a <see cref="BadInputException"/>.</summary>
    public static async Task<DashboardServer> StartAsync(DashboardOptions options)
    {
        var ip = options.Validate();
        var follower = new JournalFollower(options.Persistence, options.DataDirectory, options.PollInterval);
        try
        {
            await follower.PollAsync(); // the first page shows what exists; a journal that cannot be read says so now
        }
        catch (Exception e) when (e is not BadInputException)
        {
            await follower.DisposeAsync();
            throw new BadInputException($"the dashboard cannot read the journal: {e.GetBaseException().Message}");
        }
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        // The CLI owns Ctrl-C and SIGTERM (it stops a run first): the host must not.
        builder.Services.AddSingleton<IHostLifetime, NoSignals>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(3));
        builder.WebHost.ConfigureKestrel(k => k.Listen(ip, options.Port));
        var app = builder.Build();
        app.Use(async (ctx, next) =>
        {
            if (!HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method))
            {
                ctx.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                await Respond.Error(ctx, "the dashboard is read-only: only GET is served");
                return;
            }
            ctx.Response.Headers["X-Content-Type-Options"] = "nosniff";
            ctx.Response.Headers["Referrer-Policy"] = "no-referrer";
            await next(ctx);
        });
        if (!string.IsNullOrEmpty(options.Token)) app.Use(new TokenCheck(options.Token).InvokeAsync);
        MapPages(app, follower);
        ApiEndpoints.Map(app, follower);
        app.MapGet("/api/events", (HttpContext ctx) => Events(ctx, follower, app.Lifetime.ApplicationStopping));
        app.MapFallback((HttpContext ctx) => Respond.NotFound($"nothing at {ctx.Request.Path}"));
        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            await follower.DisposeAsync();
            throw new BadInputException(e.InnerException is not null && e.InnerException.GetType().Name == "AddressInUseException" || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
                ? $"{options.PortOption}: {options.Port} on {options.Host} is already in use"
                : $"--host/{options.PortOption}: cannot serve on {options.Host}:{options.Port}: {e.GetBaseException().Message}");
        }
        follower.Start();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DashboardServer(app, follower, address);
    }

    static void MapPages(WebApplication app, JournalFollower follower)
    {
        // Each page: the whole document, or with ?fragment=1 only its live part (what the script swaps in).
        // A live part of null: what the page shows is not there (404 with the message).
        IResult Page(HttpContext ctx, string title, Func<string?> live, string? missing = null)
        {
            long version = follower.Version; // read first: a change while rendering makes the page fetch again
            if (live() is not { } html) return Respond.NotFound(missing!);
            bool fragment = ctx.Request.Query["fragment"] == "1";
            var path = ctx.Request.Path + QueryWithout(ctx.Request.Query, "fragment", "token");
            var text = fragment ? html : Html.Page(title, html, path + (path.Contains('?') ? "&" : "?") + "fragment=1", follower.Problem, version);
            ctx.Response.Headers.CacheControl = "no-store";
            return Results.Content(text, "text/html; charset=utf-8");
        }

        app.MapGet("/", (HttpContext ctx) => Page(ctx, "Runs", () => RunsPage.Live(follower, DateTime.UtcNow)));
        app.MapGet("/transfers", (HttpContext ctx) => Page(ctx, "Transfers", () => TransfersPage.Live(follower, DateTime.UtcNow)));
        app.MapGet("/runs/{run}", (HttpContext ctx, string run) => follower.Run(run) is not { } r
            ? Respond.NotFound($"no run '{run}' in this journal")
            : Page(ctx, run, () => { lock (follower.Gate) return RunPage.Live(r, DateTime.UtcNow); }));
        app.MapGet("/runs/{run}/evaluations", (HttpContext ctx, string run, string? page) => follower.Run(run) is not { } r
            ? Respond.NotFound($"no run '{run}' in this journal")
            : Page(ctx, $"{run}: evaluations", () => { lock (follower.Gate) return EvaluationsPage.Live(r, int.TryParse(page, out var p) ? p : 1); }));
        app.MapGet("/runs/{run}/evaluations/{id}", (HttpContext ctx, string run, string id) =>
        {
            if (follower.Run(run) is not { } r) return Respond.NotFound($"no run '{run}' in this journal");
            if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return Respond.NotFound($"run '{run}' has no evaluation '{id}'");
            return Page(ctx, $"{run} #{n}", () => { lock (follower.Gate) return EvaluationDetail.Of(r, n) is { } d ? EvaluationPage.Live(r, d) : null; },
                        $"run '{run}' has no evaluation #{n}");
        });
        app.MapGet("/charts/compare", (HttpContext ctx) =>
        {
            var names = ctx.Request.Query["run"].Where(n => n is not null).Select(n => n!).ToArray();
            var runs = names.Select(follower.Run).Where(r => r is not null).Select(r => r!).Take(8).ToArray();
            string svg;
            lock (follower.Gate) svg = RunCharts.Compare(runs);
            ctx.Response.Headers.CacheControl = "no-store";
            return Results.Content(svg, "image/svg+xml; charset=utf-8");
        });
        app.MapGet("/static/{file}", (HttpContext ctx, string file) => StaticFile(ctx, file));
    }

    static string QueryWithout(IQueryCollection query, params string[] drop)
    {
        var kept = query.Where(q => !drop.Contains(q.Key)).SelectMany(q => q.Value.Select(v => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(v ?? "")}")).ToArray();
        return kept.Length == 0 ? "" : "?" + string.Join("&", kept);
    }

    static IResult StaticFile(HttpContext ctx, string file)
    {
        var type = Path.GetExtension(file) switch { ".css" => "text/css; charset=utf-8", ".js" => "text/javascript; charset=utf-8", _ => null };
        using var stream = type is null ? null : typeof(DashboardServer).Assembly.GetManifestResourceStream($"web/{file}");
        if (stream is null) return Respond.NotFound($"nothing at {ctx.Request.Path}");
        using var reader = new StreamReader(stream);
        return Results.Content(reader.ReadToEnd(), type);
    }

    /// <summary>Server-Sent Events: the journal's version each time it changes, and a comment every 15 s to keep proxies from closing the stream.</summary>
    static async Task Events(HttpContext ctx, JournalFollower follower, CancellationToken stopping)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
        var ct = both.Token;
        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-store";
        long version = follower.Version;
        try
        {
            await ctx.Response.WriteAsync($"retry: 2000\ndata: {version}\n\n", ct);
            await ctx.Response.Body.FlushAsync(ct);
            while (!ct.IsCancellationRequested)
            {
                var change = follower.WaitForChangeAsync(version, ct);
                if (await Task.WhenAny(change, Task.Delay(TimeSpan.FromSeconds(15), ct)) == change)
                {
                    await change;
                    version = follower.Version;
                    await ctx.Response.WriteAsync($"data: {version}\n\n", ct);
                }
                else await ctx.Response.WriteAsync(": keep-alive\n\n", ct);
                await ctx.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) { } // the page closed, or the server is stopping
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        await Follower.DisposeAsync();
    }

    sealed class NoSignals : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
