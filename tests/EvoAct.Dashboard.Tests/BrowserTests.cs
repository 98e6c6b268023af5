using System.Text.Json;
using Microsoft.Playwright;
using SkiaSharp;

namespace EvoAct.Dashboard.Tests;

/// <summary>
/// The dashboard that `run --dashboard-port` serves, in Debian's chromium (headless, driven by
/// Playwright): what a user sees, that it updates without a reload, and that the console stays clean.
/// </summary>
[Collection(JournalCollection.Name)]
public sealed class BrowserTests(JournalFixture journal) : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";
    IPlaywright playwright = null!;
    IBrowser browser = null!;
    IPage page = null!;
    readonly List<string> consoleErrors = new();

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: the browser tests need Debian's chromium (scripts/test.sh installs it)");
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        page.Console += (_, m) => { if (m.Type == "error") lock (consoleErrors) consoleErrors.Add(m.Text); };
        page.PageError += (_, e) => { lock (consoleErrors) consoleErrors.Add(e); };
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
    }

    async Task Open(string path)
    {
        var response = await page.GotoAsync(journal.LiveUrl + path);
        Assert.NotNull(response);
        Assert.Equal(200, response!.Status);
    }

    /// <summary>A screenshot with content: many distinct colours, not one background.</summary>
    async Task AssertNotBlank(string what)
    {
        var png = await page.ScreenshotAsync(new() { FullPage = true });
        using var bitmap = SKBitmap.Decode(png);
        var colours = new HashSet<uint>();
        for (int y = 0; y < bitmap.Height; y += 3)
            for (int x = 0; x < bitmap.Width; x += 3)
                colours.Add((uint)bitmap.GetPixel(x, y));
        Assert.True(colours.Count > 20, $"{what}: the screenshot has {colours.Count} colours");
    }

    void AssertNoConsoleErrors()
    {
        lock (consoleErrors) Assert.True(consoleErrors.Count == 0, "console errors: " + string.Join(" | ", consoleErrors));
    }

    [Fact]
    public async Task The_runs_page_lists_both_runs_and_compares_them()
    {
        await Open("/");
        var names = await page.Locator("table.runs tbody tr td:nth-child(2)").AllInnerTextsAsync();
        Assert.Equal(["done", "live"], names.Order());
        Assert.Equal("finished", await page.Locator("table.runs tr", new() { HasText = "done" }).Locator(".state").InnerTextAsync());
        Assert.Equal(2, await page.Locator("#compare-chart svg path[stroke-width='2']").CountAsync());
        await page.Locator("input.compare[value='done']").UncheckAsync();
        await page.WaitForFunctionAsync("() => document.querySelectorAll(\"#compare-chart svg path[stroke-width='2']\").length === 1");
        await AssertNotBlank("runs page");
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task The_trainings_count_rises_without_a_reload()
    {
        await Open("/runs/live");
        int first = int.Parse(await page.Locator("#trainings").InnerTextAsync());
        // A marker on the window: a reload would lose it.
        await page.EvaluateAsync("() => window.__noReload = true");
        await page.WaitForFunctionAsync($"() => parseInt(document.getElementById('trainings').textContent) >= {first + 3}", null, new() { Timeout = 30_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.__noReload === true"), "the page was reloaded");
        Assert.Equal("connection on", await page.Locator("#connection").GetAttributeAsync("class"));
        await AssertNotBlank("run page");
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task The_workers_table_shows_who_trains_what_while_it_trains()
    {
        await Open("/runs/live");
        // A worker's "training now" cell links the candidate it trains; the in-flight table names the worker.
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('table.workers tbody tr td:nth-child(3) a')].length > 0", null, new() { Timeout = 30_000 });
        var worker = (await page.Locator("table.workers tbody tr td:nth-child(1)").AllInnerTextsAsync()).First();
        await page.WaitForFunctionAsync($"() => [...document.querySelectorAll('table.in-flight tbody tr td:nth-child(3)')].some(td => td.textContent === {JsonSerializer.Serialize(worker)})", null, new() { Timeout = 30_000 });
        Assert.Equal("cpu", await page.Locator("table.workers tbody tr td:nth-child(2)").First.InnerTextAsync());
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Clicking_the_best_shows_its_expression_lineage_and_code()
    {
        var best = journal.Cli("status", "--run", "done", "--json").GetProperty("best");
        await Open("/runs/done");
        Assert.Equal("finished", await page.Locator("h1 .state").InnerTextAsync());
        await page.Locator("#best-link").ClickAsync();
        await page.WaitForURLAsync($"**/runs/done/evaluations/{best.GetProperty("id").GetInt64()}");
        Assert.Equal(best.GetProperty("expression").GetString(), await page.Locator("#expression").InnerTextAsync());
        Assert.True(await page.Locator("#lineage").IsVisibleAsync());
        var api = JsonDocument.Parse(await (await page.APIRequest.GetAsync($"{journal.LiveUrl}/api/runs/done/evaluations/{best.GetProperty("id").GetInt64()}")).TextAsync()).RootElement;
        // Every ancestor is listed (the older ones folded), with the evaluation itself on top.
        var ancestors = api.GetProperty("lineage").EnumerateArray().Select(a => $"#{a.GetProperty("id").GetInt64()}").ToArray();
        var listed = (await page.Locator("ol.lineage li:not(.mutation) a").AllInnerTextsAsync()).ToArray();
        Assert.Equal(ancestors, listed);
        Assert.Contains("class EvolvedActivation", await page.Locator("#code-pytorch").InnerTextAsync());
        Assert.Contains("nn.Module<Tensor, Tensor>", await page.Locator("#code-torchsharp").InnerTextAsync());
        Assert.Equal(api.GetProperty("evaluation").GetProperty("fingerprint").GetString(), await page.Locator("#fingerprint").InnerTextAsync());
        await AssertNotBlank("evaluation page");
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Every_page_renders_and_the_finished_run_stays_viewable()
    {
        foreach (var path in new[] { "/runs/done", "/runs/done/evaluations", "/runs/live/evaluations?page=2", "/transfers" })
        {
            await Open(path);
            Assert.True((await page.Locator("main").InnerTextAsync()).Length > 50, path);
            await AssertNotBlank(path);
        }
        Assert.Contains("transfer-done-smoke", await page.Locator("main").InnerTextAsync());
        Assert.Contains("relu", await page.Locator("table.report").InnerTextAsync());
        var missing = await page.GotoAsync(journal.LiveUrl + "/runs/nope");
        Assert.Equal(404, missing!.Status);
        Assert.Contains("no run 'nope'", await page.Locator("main").InnerTextAsync());
        lock (consoleErrors) consoleErrors.RemoveAll(e => e.Contains("404")); // the browser logs the 404 it was asked to load
        AssertNoConsoleErrors();
    }
}
