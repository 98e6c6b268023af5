using System.Text.RegularExpressions;

namespace EvoAct.Cli.Tests;

/// <summary>`evoact transfer` as a process: real (tiny) trainings on the smoke setup, kill -9 and resume.</summary>
[Collection(SerialCollection.Name)]
public sealed class TransferCommandTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("evoact-transfer").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string[] Transfer(int runs) =>
        ["transfer", "--data", dir, "--run", "src", "--preset", "smoke", "--top", "1", "--include", "relu", "--runs", runs.ToString(),
         "--set", "training.steps=400"];

    [Fact]
    public void Transfer_reports_a_table_and_resumes_after_kill_9()
    {
        var source = EvoactProcess.Run(TimeSpan.FromSeconds(90), "run", "--data", dir, "--run", "src", "--set", "trainers.kind=fake",
            "--set", "trainers.fake-delay=1ms", "--set", "evolution.population-size=8", "--set", "evolution.sample-size=2", "--set", "evolution.max-evaluations=20");
        Assert.True(source.ExitCode == 0, source.ToString());

        using (var first = EvoactProcess.Start(Transfer(3)))
        {
            first.WaitForLine(l => l.StartsWith("starting transfer transfer-src-smoke: 2 activations x 3 runs"), TimeSpan.FromSeconds(60));
            first.WaitForLine(l => Regex.IsMatch(l, @"^\[[1-5]/6\] jobs done"), TimeSpan.FromSeconds(120));
            first.KillHard();
        }

        var resumed = EvoactProcess.Run(TimeSpan.FromSeconds(180), Transfer(3));
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var k = int.Parse(Regex.Match(resumed.Stdout, @"resuming transfer transfer-src-smoke at job (\d)/6").Groups[1].Value);
        Assert.InRange(k, 1, 6);
        // relu is in the table, so the other activation is compared with it
        Assert.Contains("| activation | proxy-resnet (synthetic) | min-max | runs | failed | vs relu (95% interval) | p |", resumed.Stdout);
        Assert.Matches(@"\| relu \| \d+\.\d \| \d+\.\d-\d+\.\d \| 3 \| 0 \| reference \| - \|", resumed.Stdout);
        Assert.Matches(@"\| [-+]?\d\.\d\d \([-+]?\d\.\d\d to [-+]?\d\.\d\d\) \| [01]\.\d{3} \|", resumed.Stdout);

        var csv = File.ReadAllLines(Path.Combine(dir, "transfer-src-smoke.csv"));
        Assert.Equal("activation,model,dataset,median_test_accuracy,min_test_accuracy,max_test_accuracy,runs,failed,test_accuracies," +
                     "reference,median_difference,difference_low,difference_high,p_value", csv[0]);
        Assert.Equal(3, csv.Length); // header + 2 activations
        Assert.True(File.Exists(Path.Combine(dir, "transfer-src-smoke.md")));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(dir, "transfer-src-smoke.png"))[..4]); // the strip plot

        // Same transfer asked with other seeds: refused, nothing written.
        var other = EvoactProcess.Run(TimeSpan.FromSeconds(60), Transfer(2));
        Assert.Equal(2, other.ExitCode);
        Assert.Contains("refusing to resume transfer", other.Stderr);
    }

    [Fact]
    public void A_transfer_stopped_half_way_writes_a_partial_table_of_every_activation_and_the_complete_one_replaces_it()
    {
        var source = EvoactProcess.Run(TimeSpan.FromSeconds(90), "run", "--data", dir, "--run", "src", "--set", "trainers.kind=fake",
            "--set", "trainers.fake-delay=1ms", "--set", "evolution.population-size=8", "--set", "evolution.sample-size=2", "--set", "evolution.max-evaluations=20");
        Assert.True(source.ExitCode == 0, source.ToString());
        string[] args = ["transfer", "--data", dir, "--run", "src", "--preset", "smoke", "--top", "1", "--include", "relu", "--runs", "4",
                         "--set", "trainers.kind=fake", "--set", "trainers.fake-delay=300ms", "--set", "trainers.slots=1"];
        using (var transfer = EvoactProcess.Start(args))
        {
            transfer.WaitForLine(l => Regex.IsMatch(l, @"^\[[2-6]/8\] jobs done"), TimeSpan.FromSeconds(120));
            transfer.Signal("TERM");
            Assert.Equal(0, transfer.WaitForExit(TimeSpan.FromSeconds(60)));
            Assert.Contains(transfer.Lines, l => l == "stopped; run the same command to resume");
        }
        var partial = File.ReadAllText(Path.Combine(dir, "transfer-src-smoke-partial.md"));
        var done = int.Parse(Regex.Match(partial, @"^\*\*Partial: (\d+) of 8 jobs done\*\*").Groups[1].Value);
        Assert.InRange(done, 2, 7);
        // Jobs went out seed by seed: both activations have runs, as many or one apart.
        var runs = File.ReadAllLines(Path.Combine(dir, "transfer-src-smoke-partial.csv")).Skip(1)
            .Select(l => int.Parse(Regex.Match(l, @",proxy-resnet,synthetic,[^,]*,[^,]*,[^,]*,(\d+),").Groups[1].Value)).ToArray();
        Assert.Equal(2, runs.Length);
        Assert.True(runs.Min() >= 1 && runs.Max() - runs.Min() <= 1, string.Join(" ", runs));
        Assert.True(File.Exists(Path.Combine(dir, "transfer-src-smoke-partial.png")));
        Assert.False(File.Exists(Path.Combine(dir, "transfer-src-smoke.md")));

        var finished = EvoactProcess.Run(TimeSpan.FromSeconds(120), args);
        Assert.True(finished.ExitCode == 0, finished.ToString());
        Assert.DoesNotContain("Partial", File.ReadAllText(Path.Combine(dir, "transfer-src-smoke.md")));
        Assert.False(File.Exists(Path.Combine(dir, "transfer-src-smoke-partial.md")));
        Assert.False(File.Exists(Path.Combine(dir, "transfer-src-smoke-partial.csv")));
        Assert.False(File.Exists(Path.Combine(dir, "transfer-src-smoke-partial.png")));
        Assert.True(File.Exists(Path.Combine(dir, "transfer-src-smoke.png")));
    }

    [Fact]
    public void Unknown_baseline_or_missing_preset_exits_2()
    {
        var r = EvoactProcess.Run("transfer", "--data", dir, "--run", "src", "--preset", "smoke", "--include", "relu,mish");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("unknown baseline 'mish'", r.Stderr);
        Assert.Equal(2, EvoactProcess.Run("transfer", "--data", dir, "--run", "src").ExitCode);
    }

    [Fact]
    public void Include_takes_expressions_beside_baselines()
    {
        var source = EvoactProcess.Run(TimeSpan.FromSeconds(90), "run", "--data", dir, "--run", "src", "--set", "trainers.kind=fake",
            "--set", "trainers.fake-delay=1ms", "--set", "evolution.population-size=8", "--set", "evolution.sample-size=2", "--set", "evolution.max-evaluations=10");
        Assert.True(source.ExitCode == 0, source.ToString());
        var r = EvoactProcess.Run(TimeSpan.FromMinutes(2), "transfer", "--data", dir, "--run", "src", "--preset", "smoke", "--top", "0",
                                  "--include", "relu", "--include", "max(x, sigmoid(x)); cos(x) - x", "--runs", "1", "--name", "inc");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("3 activations x 1 runs", r.Stdout);
        var csv = File.ReadAllText(Path.Combine(dir, "inc.csv"));
        Assert.Contains("max(x, sigmoid(x))", csv);
        Assert.Contains("cos(x) - x", csv);
        var bad = EvoactProcess.Run("transfer", "--data", dir, "--run", "src", "--preset", "smoke", "--include", "max(x");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--include: 'max(x' is neither a baseline", bad.Stderr);
    }
}
