using System.Net;
using System.Text.Json;
using EvoAct.Cluster.Configuration;

namespace EvoAct.Dashboard.Tests;

/// <summary>`/api` of a dashboard served in this process over the fixture's journal, checked against what `status`, `top` and `export` print.</summary>
[Collection(JournalCollection.Name)]
public sealed class ApiTests(JournalFixture journal) : IAsyncLifetime
{
    DashboardServer server = null!;
    readonly HttpClient http = new();

    public async Task InitializeAsync() =>
        server = await DashboardServer.StartAsync(new DashboardOptions(new PersistenceSettings(JournalProvider.Sqlite, ""), journal.Dir, Port: 0));

    public async Task DisposeAsync()
    {
        http.Dispose();
        await server.DisposeAsync();
    }

    async Task<(HttpStatusCode Status, JsonElement Body, string? Type)> Get(string path)
    {
        using var r = await http.GetAsync(server.Url + path);
        var text = await r.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return (r.StatusCode, doc.RootElement.Clone(), r.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Runs_lists_each_run_with_its_best_and_state()
    {
        var (status, body, type) = await Get("/api/runs");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/json", type);
        var runs = body.GetProperty("runs").EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!);
        Assert.Equal(["done", "live"], runs.Keys.Order());
        var done = runs["done"];
        Assert.Equal("finished", done.GetProperty("state").GetString());
        Assert.Equal(30, done.GetProperty("trained").GetInt32());
        Assert.Equal(30, done.GetProperty("max_evaluations").GetInt32());
        var cli = journal.Cli("status", "--run", "done", "--json");
        Assert.Equal(cli.GetProperty("best").GetProperty("fitness").GetDouble(), done.GetProperty("best_fitness").GetDouble());
        Assert.Equal(cli.GetProperty("best").GetProperty("expression").GetString(), done.GetProperty("best_expression").GetString());
        Assert.Equal("live", runs["live"].GetProperty("state").GetString());
        Assert.Equal("regularized", runs["live"].GetProperty("strategy").GetString());
    }

    [Fact]
    public async Task A_run_has_the_keys_and_values_of_status_json()
    {
        var (status, body, _) = await Get("/api/runs/done");
        Assert.Equal(HttpStatusCode.OK, status);
        var cli = journal.Cli("status", "--run", "done", "--json");
        foreach (var p in cli.EnumerateObject())
            Assert.True(JsonElement.DeepEquals(p.Value, body.GetProperty(p.Name)), $"{p.Name}: status --json has {p.Value}, the API {body.GetProperty(p.Name)}");
    }

    [Fact]
    public async Task The_live_run_says_who_trains_what_on_which_device_since_when()
    {
        // Between a settlement and the next hand-out nothing is in flight: look until something is.
        JsonElement[] training = [];
        for (var until = DateTime.UtcNow.AddSeconds(20); training.Length == 0 && DateTime.UtcNow < until; await Task.Delay(100))
            training = (await Get("/api/runs/live")).Body.GetProperty("training").EnumerateArray().ToArray();
        Assert.NotEmpty(training);
        var workers = journal.Cli("export", "--run", "live", "--format", "json").GetProperty("evaluations").EnumerateArray()
            .Select(e => e.GetProperty("worker").GetString()).Where(w => !string.IsNullOrEmpty(w)).ToHashSet();
        foreach (var t in training)
        {
            Assert.Contains(t.GetProperty("worker").GetString(), workers); // the trainer that settles the others
            Assert.Equal("cpu", t.GetProperty("device").GetString());
            var since = t.GetProperty("since").GetDateTime().ToUniversalTime();
            Assert.InRange(since, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddSeconds(5));
        }
        Assert.Empty((await Get("/api/runs/done")).Body.GetProperty("training").EnumerateArray());
    }

    [Fact]
    public async Task Evaluations_are_the_export_rows_paged()
    {
        var export = journal.Cli("export", "--run", "done", "--format", "json").GetProperty("evaluations").EnumerateArray().ToArray();
        var rows = new List<JsonElement>();
        for (int offset = 0; ; offset += 7)
        {
            var (status, body, _) = await Get($"/api/runs/done/evaluations?offset={offset}&limit=7");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(export.Length, body.GetProperty("total").GetInt32());
            var page = body.GetProperty("evaluations").EnumerateArray().ToArray();
            Assert.True(page.Length <= 7);
            rows.AddRange(page);
            if (page.Length < 7) break;
        }
        Assert.Equal(export.Length, rows.Count);
        for (int i = 0; i < export.Length; i++)
            Assert.True(JsonElement.DeepEquals(export[i], rows[i]), $"row {i}: export {export[i]}\nAPI {rows[i]}");
        Assert.Equal(HttpStatusCode.BadRequest, (await Get("/api/runs/done/evaluations?limit=0")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Get("/api/runs/done/evaluations?offset=-1")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Get($"/api/runs/done/evaluations?limit={Api.ApiEndpoints.MaxPage + 1}")).Status);
    }

    [Fact]
    public async Task An_evaluation_has_its_row_lineage_filter_and_code()
    {
        var export = journal.Cli("export", "--run", "done", "--format", "json").GetProperty("evaluations").EnumerateArray()
                            .ToDictionary(e => e.GetProperty("id").GetInt64());
        // The deepest lineage in the run: the chain must follow export's parent_id back to a random genome.
        long Depth(long id) => export[id].GetProperty("parent_id").ValueKind == JsonValueKind.Null ? 0 : 1 + Depth(export[id].GetProperty("parent_id").GetInt64());
        var deepest = export.Keys.MaxBy(Depth);
        Assert.True(Depth(deepest) >= 2, "the fixture's run should have mutated children of children");
        var (status, body, _) = await Get($"/api/runs/done/evaluations/{deepest}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(JsonElement.DeepEquals(export[deepest], body.GetProperty("evaluation")));
        var lineage = body.GetProperty("lineage").EnumerateArray().ToArray();
        Assert.Equal(Depth(deepest), lineage.Length);
        long child = deepest;
        foreach (var step in lineage)
        {
            Assert.Equal(export[child].GetProperty("parent_id").GetInt64(), step.GetProperty("id").GetInt64());
            Assert.Equal(export[child].GetProperty("mutation").GetString(), step.GetProperty("mutation").GetString());
            Assert.Equal(export[step.GetProperty("id").GetInt64()].GetProperty("expression").GetString(), step.GetProperty("expression").GetString());
            child = step.GetProperty("id").GetInt64();
        }
        Assert.Contains("class EvolvedActivation", body.GetProperty("code").GetProperty("pytorch").GetString());
        Assert.Contains("nn.Module<Tensor, Tensor>", body.GetProperty("code").GetProperty("torchsharp").GetString());

        var rejected = export.Values.FirstOrDefault(e => e.GetProperty("status").GetString() == "rejected");
        if (rejected.ValueKind != JsonValueKind.Undefined)
            Assert.StartsWith("rejected: ", (await Get($"/api/runs/done/evaluations/{rejected.GetProperty("id").GetInt64()}")).Body.GetProperty("filter").GetString());
    }

    [Fact]
    public async Task Transfers_give_the_table_1_report()
    {
        var (status, body, _) = await Get("/api/transfers");
        Assert.Equal(HttpStatusCode.OK, status);
        var t = Assert.Single(body.GetProperty("transfers").EnumerateArray());
        Assert.Equal("transfer-done-smoke", t.GetProperty("name").GetString());
        Assert.Equal("done", t.GetProperty("source_run").GetString());
        Assert.Equal(4, t.GetProperty("total").GetInt32());
        Assert.Equal(4, t.GetProperty("done").GetInt32());
        Assert.True(t.GetProperty("finished").GetBoolean());
        var rows = t.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(2, rows.Length);
        Assert.Contains(rows, r => r.GetProperty("activation").GetString() == "relu");
        // The transfer's own CSV report (written by `evoact transfer`) has the same median for relu.
        var relu = File.ReadAllLines(Path.Combine(journal.Dir, "transfer-done-smoke.csv")).Single(l => l.StartsWith("relu,")).Split(',');
        Assert.Equal(double.Parse(relu[3], System.Globalization.CultureInfo.InvariantCulture), rows.Single(r => r.GetProperty("activation").GetString() == "relu").GetProperty("median").GetDouble());
        // The other activation against relu, as the CSV has it; relu itself has no comparison.
        Assert.Equal(JsonValueKind.Null, rows.Single(r => r.GetProperty("activation").GetString() == "relu").GetProperty("vs_reference").ValueKind);
        var found = rows.Single(r => r.GetProperty("activation").GetString() != "relu");
        var vs = found.GetProperty("vs_reference");
        Assert.Equal("relu", vs.GetProperty("reference").GetString());
        var csvRow = File.ReadAllLines(Path.Combine(journal.Dir, "transfer-done-smoke.csv")).Skip(1).Single(l => !l.StartsWith("relu,")).Split(',');
        Assert.Equal(double.Parse(csvRow[^1], System.Globalization.CultureInfo.InvariantCulture), vs.GetProperty("p").GetDouble());
        Assert.True(vs.GetProperty("low").GetDouble() <= vs.GetProperty("median_difference").GetDouble());
    }

    [Theory]
    [InlineData("/api/runs/nope", "no run 'nope'")]
    [InlineData("/api/runs/nope/evaluations", "no run 'nope'")]
    [InlineData("/api/runs/done/evaluations/999999", "no evaluation '999999'")]
    [InlineData("/api/runs/done/evaluations/abc", "no evaluation 'abc'")]
    [InlineData("/api/nothing", "nothing at /api/nothing")]
    public async Task Unknown_runs_ids_and_paths_are_404_with_a_json_error(string path, string message)
    {
        var (status, body, type) = await Get(path);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("application/json", type);
        Assert.Contains(message, body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task It_is_read_only()
    {
        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch })
        {
            using var r = await http.SendAsync(new HttpRequestMessage(method, server.Url + "/api/runs/done"));
            Assert.Equal(HttpStatusCode.MethodNotAllowed, r.StatusCode);
        }
    }

    [Fact]
    public async Task The_event_stream_announces_changes_of_the_live_run()
    {
        using var stream = await http.GetStreamAsync(server.Url + "/api/events");
        using var reader = new StreamReader(stream);
        var versions = new List<long>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (versions.Count < 3)
            {
                var line = await reader.ReadLineAsync(timeout.Token);
                if (line is not null && line.StartsWith("data: ")) versions.Add(long.Parse(line["data: ".Length..]));
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{versions.Count} versions in 30 s (follower at {server.Follower.Version} after {server.Follower.Polls} polls, problem {server.Follower.Problem ?? "none"}); the live run {(journal.Live.HasExited ? "has exited" : "runs")}: {string.Join("\n", journal.Live.Lines.TakeLast(3))}");
        }
        Assert.True(versions[0] < versions[1] && versions[1] < versions[2], string.Join(", ", versions));
    }
}
