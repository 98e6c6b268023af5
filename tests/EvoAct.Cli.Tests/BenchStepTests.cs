using System.Globalization;
using System.Text.Json;

namespace EvoAct.Cli.Tests;

/// <summary>`evoact bench step`: the measurement behind scripts/bench-trainer.sh (its figures, not timed here).</summary>
[Collection(SerialCollection.Name)]
public sealed class BenchStepTests
{
    static readonly string[] Tiny = ["--model", "proxy-resnet", "--batch", "4", "--size", "8", "--in-channels", "1", "--threads", "1"];

    [Fact]
    public void Interleaves_several_activations_and_reports_each_ones_ratio_to_the_first()
    {
        var r = EvoactProcess.Run(TimeSpan.FromSeconds(60), ["bench", "step", .. Tiny, "--steps", "3", "--warmup", "1",
                                                              "--activation", "relu", "--activation", "x * sigmoid(beta * x)"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(["relu", "x * sigmoid(beta * x)"], results.Select(e => e.GetProperty("activation").GetString()));
        foreach (var e in results)
        {
            Assert.True(e.GetProperty("median_step_seconds").GetDouble() > 0);
            Assert.Equal("retain", e.GetProperty("host_memory").GetString());
        }
        Assert.False(results[0].TryGetProperty("median_ratio_to_first", out _));
        Assert.True(results[1].GetProperty("median_ratio_to_first").GetDouble() > 0);
    }

    [Fact]
    public void Compiled_and_composed_kernels_run_side_by_side_and_say_which_they_are()
    {
        var r = EvoactProcess.Run(TimeSpan.FromSeconds(60), ["bench", "step", .. Tiny, "--steps", "2", "--warmup", "1",
                                                              "--activation", "relu", "--activation", "mix(sin(x), x)", "--activation", "composed:mix(sin(x), x)"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(["torch", "compiled", "composed"], results.Select(e => e.GetProperty("kernels").GetString()));
        Assert.Equal("mix(sin(x), x)", results[2].GetProperty("activation").GetString());
    }

    [Fact]
    public void The_vector_width_pairs_with_the_activations_and_is_reported()
    {
        var r = EvoactProcess.Run(TimeSpan.FromSeconds(60), ["bench", "step", .. Tiny, "--steps", "2", "--warmup", "1",
                                                              "--activation", "relu", "--activation", "mix(sin(x), x)", "--activation", "mix(sin(x), x)",
                                                              "--vector-bits", "256", "--vector-bits", "256", "--vector-bits", "256"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToArray();
        Assert.All(results, e => Assert.Equal(256, e.GetProperty("vector_bits").GetInt32()));
        var mismatched = EvoactProcess.Run(["bench", "step", .. Tiny, "--activation", "relu", "--activation", "silu", "--activation", "swish",
                                            "--vector-bits", "256", "--vector-bits", "256"]);
        Assert.Equal(2, mismatched.ExitCode);
        Assert.Contains("--vector-bits", Assert.Single(mismatched.StderrLines));
    }

    [Fact]
    public void Activation_times_each_activation_alone_over_the_models_activation_calls()
    {
        string[] args = ["bench", "activation", "--model", "proxy-resnet", "--batch", "4", "--size", "8", "--in-channels", "1", "--threads", "1", "--rounds", "3",
                         "--activation", "relu", "--activation", "swish", "--activation", "cos(x) - x"];
        var r = EvoactProcess.Run(TimeSpan.FromSeconds(60), args);
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        int calls = root.GetProperty("calls").GetInt32();
        Assert.True(calls >= 3, r.Stdout);   // the stem's and two per block at least
        var results = root.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(["torch", "compiled", "compiled"], results.Select(e => e.GetProperty("path").GetString()));
        Assert.All(results, e => Assert.True(e.GetProperty("forward_ms").GetDouble() > 0 && e.GetProperty("backward_ms").GetDouble() > 0, r.Stdout));
        Assert.Equal(1.0, results[0].GetProperty("median_ratio_to_first").GetDouble());

        // --tiny: the same calls on 2xCx2x2 inputs, so the elements are 8 per channel of each call.
        var tiny = EvoactProcess.Run(TimeSpan.FromSeconds(60), [.. args, "--tiny"]);
        Assert.True(tiny.ExitCode == 0, tiny.ToString());
        using var tinyDoc = JsonDocument.Parse(tiny.Stdout);
        Assert.Equal(calls, tinyDoc.RootElement.GetProperty("calls").GetInt32());
        Assert.True(tinyDoc.RootElement.GetProperty("tiny").GetBoolean());
        Assert.True(tinyDoc.RootElement.GetProperty("elements").GetInt64() < root.GetProperty("elements").GetInt64());
        Assert.Equal(0, tinyDoc.RootElement.GetProperty("elements").GetInt64() % 8);

        foreach (var (option, value) in new[] { ("--rounds", "1"), ("--activation", "sin(") })
        {
            var bad = EvoactProcess.Run(["bench", "activation", option, value]);
            Assert.Equal(2, bad.ExitCode);
            Assert.Single(bad.StderrLines);
        }
    }

    [Fact]
    public void Genomes_prints_a_fixed_sample_of_filter_passing_expressions()
    {
        var a = EvoactProcess.Run(["bench", "genomes", "--count", "5", "--seed", "11"]);
        var b = EvoactProcess.Run(["bench", "genomes", "--count", "5", "--seed", "11"]);
        var c = EvoactProcess.Run(["bench", "genomes", "--count", "5", "--seed", "12"]);
        Assert.True(a.ExitCode == 0, a.ToString());
        var lines = a.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.Equal(a.Stdout, b.Stdout);
        Assert.NotEqual(a.Stdout, c.Stdout);
        foreach (var line in lines)
        {
            var e = EvoAct.Search.Expressions.ExpressionParser.Parse(line);
            Assert.Null(EvoAct.Search.Fingerprints.CandidateFilter.Default.Check(e));
        }
    }

    [Fact]
    public void Lockstep_runs_one_step_per_input_line_and_prints_its_seconds()
    {
        var r = EvoactProcess.RunWithInput(TimeSpan.FromSeconds(60), "step\nstep\nstep\n",
                                           ["bench", "step", .. Tiny, "--activation", "swish", "--host-memory", "release", "--lockstep"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.True(double.Parse(l, CultureInfo.InvariantCulture) > 0, l));
    }

    [Theory]
    [InlineData("--host-memory", "keep", "--host-memory")]
    [InlineData("--memory-format", "nhwc", "--memory-format")]
    [InlineData("--vector-bits", "128", "--vector-bits")]
    [InlineData("--vector-bits", "1024", "--vector-bits")]
    public void A_bad_option_value_is_one_line_and_exit_code_2(string option, string value, string named)
    {
        var r = EvoactProcess.Run(["bench", "step", .. Tiny, option, value]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(named, Assert.Single(r.StderrLines));
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void Lockstep_with_two_activations_is_refused()
    {
        var r = EvoactProcess.Run(["bench", "step", .. Tiny, "--activation", "relu", "--activation", "silu", "--lockstep"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--lockstep", Assert.Single(r.StderrLines));
    }
}
