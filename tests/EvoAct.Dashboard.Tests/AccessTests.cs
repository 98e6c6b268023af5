using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using EvoAct.Cli.Tests;
using EvoAct.Cluster.Configuration;

namespace EvoAct.Dashboard.Tests;

/// <summary>Who may look: loopback by default, a token beyond it, checked on every request; and bad input as one line and exit 2.</summary>
[Collection(JournalCollection.Name)]
public sealed class AccessTests(JournalFixture journal)
{
    static readonly PersistenceSettings Sqlite = new(JournalProvider.Sqlite, "");

    [Fact]
    public async Task With_a_token_every_request_needs_it()
    {
        await using var server = await DashboardServer.StartAsync(new DashboardOptions(Sqlite, journal.Dir, Port: 0, Token: "s3cret"));
        using var bare = new HttpClient();
        foreach (var path in new[] { "/", "/runs/done", "/api/runs", "/api/runs/done", "/api/runs/done/evaluations", "/api/transfers", "/api/events", "/static/dashboard.js", "/charts/compare" })
        {
            using var r = await bare.GetAsync(server.Url + path, HttpCompletionOption.ResponseHeadersRead);
            Assert.True(r.StatusCode == HttpStatusCode.Unauthorized, $"{path}: {r.StatusCode}");
        }
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, server.Url + "/api/runs") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "s3cre") } })
            Assert.Equal(HttpStatusCode.Unauthorized, (await bare.SendAsync(wrong)).StatusCode);
        using (var right = new HttpRequestMessage(HttpMethod.Get, server.Url + "/api/runs") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "s3cret") } })
            Assert.Equal(HttpStatusCode.OK, (await bare.SendAsync(right)).StatusCode);

        // A browser: ?token= once, then the cookie it sets.
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies });
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(server.Url + "/?token=s3cret")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(server.Url + "/api/runs/done")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bare.GetAsync(server.Url + "/?token=nope")).StatusCode);
    }

    [Fact]
    public async Task Beyond_loopback_without_a_token_is_refused()
    {
        var e = await Assert.ThrowsAsync<BadInputException>(() => DashboardServer.StartAsync(new DashboardOptions(Sqlite, journal.Dir, "0.0.0.0", 0)));
        Assert.Contains("needs a token", e.Message);
        var r = EvoactProcess.Run(TimeSpan.FromSeconds(60), "dashboard", "--data", journal.Dir, "--host", "0.0.0.0", "--port", "0");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("evoact: --host: serving on 0.0.0.0, beyond this machine, needs a token (--token T or EVOACT_DASHBOARD_TOKEN); or keep 127.0.0.1 and use an SSH tunnel", Assert.Single(r.StderrLines));
        // With one, it serves there.
        await using var server = await DashboardServer.StartAsync(new DashboardOptions(Sqlite, journal.Dir, "0.0.0.0", 0, Token: "t"));
        int port = new Uri(server.Url).Port;
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"http://127.0.0.1:{port}/api/runs")).StatusCode);
    }

    [Fact]
    public void Bad_input_is_one_line_and_exit_2()
    {
        var missing = Path.Combine(journal.Dir, "no-such-dir");
        var r = EvoactProcess.Run(TimeSpan.FromSeconds(60), "dashboard", "--data", missing, "--port", "0");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"evoact: --data: directory '{missing}' does not exist", Assert.Single(r.StderrLines));
        Assert.False(Directory.Exists(missing));

        r = EvoactProcess.Run(TimeSpan.FromSeconds(60), "dashboard", "--data", journal.Dir, "--host", "example.org");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("evoact: --host: 'example.org' is not an IP address", Assert.Single(r.StderrLines));

        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            int port = ((IPEndPoint)taken.LocalEndpoint).Port;
            r = EvoactProcess.Run(TimeSpan.FromSeconds(60), "dashboard", "--data", journal.Dir, "--port", port.ToString());
            Assert.Equal(2, r.ExitCode);
            Assert.Equal($"evoact: --port: {port} on 127.0.0.1 is already in use", Assert.Single(r.StderrLines));
            // A run whose dashboard port is taken stops before it starts: nothing is journaled.
            r = EvoactProcess.Run(TimeSpan.FromSeconds(60), [.. JournalFixture.RunArgs(journal.Dir, "never", 10, "1ms"), "--dashboard-port", port.ToString()]);
            Assert.Equal(2, r.ExitCode);
            Assert.Equal($"evoact: --dashboard-port: {port} on 127.0.0.1 is already in use", Assert.Single(r.StderrLines));
            Assert.DoesNotContain("starting run", r.Stdout);
        }
        finally { taken.Stop(); }
        var runs = journal.Cli("status", "--run", "done", "--json");
        Assert.Equal("done", runs.GetProperty("run").GetString());
        var never = EvoactProcess.Run(TimeSpan.FromSeconds(60), "status", "--data", journal.Dir, "--run", "never");
        Assert.Equal(2, never.ExitCode);
    }
}
