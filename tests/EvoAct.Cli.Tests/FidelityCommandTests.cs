using System.Text.RegularExpressions;

namespace EvoAct.Cli.Tests;

/// <summary>`evoact fidelity` as a process: real (tiny) trainings on the smoke setup as proxy and target, kill -9 and resume.</summary>
[Collection(SerialCollection.Name)]
public sealed class FidelityCommandTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("evoact-fidelity").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string[] Fidelity(int seeds) =>
        ["fidelity", "--data", dir, "--proxy", "smoke", "--target", "smoke", "--seeds", seeds.ToString(),
         "--activations", "relu; cos(x) - x; max(x, sigmoid(x))", "--name", "fs"];

    [Fact]
    public void A_study_reports_rank_agreement_noise_and_cost_and_resumes_after_kill_9()
    {
        using (var first = EvoactProcess.Start(Fidelity(2)))
        {
            first.WaitForLine(l => l.StartsWith("starting fidelity study fs: 3 activations x 2 seeds on smoke"), TimeSpan.FromSeconds(60));
            first.WaitForLine(l => Regex.IsMatch(l, @"^\[([1-9]|1[01])/12\] jobs done"), TimeSpan.FromSeconds(120));
            first.KillHard();
        }

        var resumed = EvoactProcess.Run(TimeSpan.FromSeconds(180), Fidelity(2));
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var k = int.Parse(Regex.Match(resumed.Stdout, @"resuming fidelity study fs at job (\d+)/12").Groups[1].Value);
        Assert.InRange(k, 1, 12);
        Assert.Matches(@"over 3 activations scored on both: \*\*Spearman -?\d\.\d{3}\*\* \(bootstrap 95% -?\d\.\d{3} to -?\d\.\d{3}\)", resumed.Stdout);
        Assert.Matches(@"Cost per evaluation: proxy \d+\.\d s, target \d+\.\d s", resumed.Stdout);
        Assert.Matches(@"\| relu \| 0\.\d{4} ± 0\.\d{4} \| 0\.\d{4} \| 0\.\d{4} ± 0\.\d{4} \| 2/2 \| 0/0 \|", resumed.Stdout);

        var csv = File.ReadAllLines(Path.Combine(dir, "fs.csv"));
        Assert.StartsWith("activation,proxy_preset,target_preset,proxy_mean,proxy_sd,proxy_n", csv[0]);
        Assert.Equal(4, csv.Length); // header + 3 activations
        Assert.True(new FileInfo(Path.Combine(dir, "fs.png")).Length > 10_000);
        Assert.True(File.Exists(Path.Combine(dir, "fs.md")));

        // The same study asked with other seeds: refused, nothing written.
        var other = EvoactProcess.Run(TimeSpan.FromSeconds(60), Fidelity(3));
        Assert.Equal(2, other.ExitCode);
        Assert.Contains("refusing to resume transfer 'fs'", other.Stderr);
    }

    [Fact]
    public void A_study_stopped_half_way_writes_a_partial_report_of_what_it_has()
    {
        string[] args = [.. Fidelity(2), "--set", "trainers.kind=fake", "--set", "trainers.fake-delay=300ms"];
        using (var study = EvoactProcess.Start(args))
        {
            study.WaitForLine(l => Regex.IsMatch(l, @"^\[([6-9]|1[01])/12\] jobs done"), TimeSpan.FromSeconds(120));
            study.Signal("TERM");
            Assert.Equal(0, study.WaitForExit(TimeSpan.FromSeconds(60)));
            Assert.Contains(study.Lines, l => l == "stopped; run the same command to resume");
            Assert.Contains(study.Lines, l => l.StartsWith("wrote ") && l.Contains("fs-partial.md"));
        }
        var partial = File.ReadAllText(Path.Combine(dir, "fs-partial.md"));
        var done = int.Parse(Regex.Match(partial, @"^\*\*Partial: (\d+) of 12 jobs done\*\*").Groups[1].Value);
        Assert.InRange(done, 6, 11);
        Assert.Contains("over 3 activations scored on both", partial); // the first seed of each is done on both presets
        Assert.Equal(4, File.ReadAllLines(Path.Combine(dir, "fs-partial.csv")).Length);
        Assert.True(File.Exists(Path.Combine(dir, "fs-partial.png")));
        Assert.False(File.Exists(Path.Combine(dir, "fs.md")));

        var finished = EvoactProcess.Run(TimeSpan.FromSeconds(120), args);
        Assert.True(finished.ExitCode == 0, finished.ToString());
        Assert.DoesNotContain("Partial", File.ReadAllText(Path.Combine(dir, "fs.md")));
        Assert.False(File.Exists(Path.Combine(dir, "fs-partial.md"))); // stale once the study is complete
    }

    [Theory]
    [InlineData("--proxy", "nope", "--proxy: unknown preset 'nope'")]
    [InlineData("--target", "nope", "--target: unknown preset 'nope'")]
    [InlineData("--seeds", "0", "--seeds: must be at least 1")]
    [InlineData("--activations", "relu; max(x", "--activations: 'max(x' is neither a baseline")]
    [InlineData("--activations", "relu; silu", "--activations: a rank correlation needs at least 3 activations, not 2")]
    public void Bad_options_exit_2_with_one_line(string option, string value, string message)
    {
        var r = EvoactProcess.Run("fidelity", "--data", dir, option, value);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.StartsWith($"evoact: {message}", Assert.Single(r.StderrLines));
        Assert.Empty(Directory.GetFiles(dir));
    }
}
