using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using EvoAct.Cluster.Config;
using EvoAct.Training.Activations;
using EvoAct.Training.Models;
using EvoAct.Training.Trainer;
using static TorchSharp.torch;

namespace EvoAct.Cli.Commands;

/// <summary>
/// `evoact bench ...`: measurements behind scripts/bench-*.sh. Each prints one JSON object, so the
/// scripts can put EvoAct's figures beside PyTorch's and compute ratios in one run.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measurements used by scripts/bench-*.sh (JSON output)");
        bench.Subcommands.Add(Step());
        bench.Subcommands.Add(Rss());
        bench.Subcommands.Add(Coordinator());
        return bench;
    }

    /// <summary>Training-step throughput of a model on random data: no data loading, just the network.</summary>
    static Command Step()
    {
        var activation = new Option<string>("--activation") { DefaultValueFactory = _ => "relu" };
        var model = new Option<string>("--model") { DefaultValueFactory = _ => "resnet20" };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 128 };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { DefaultValueFactory = _ => 3 };
        var channels = new Option<int>("--in-channels") { DefaultValueFactory = _ => 3 };
        var size = new Option<int>("--size") { DefaultValueFactory = _ => 32 };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("step", "Images per second of SGD training steps on random data") { activation, model, batch, steps, warmup, channels, size, threads };
        command.SetAction(r =>
        {
            set_num_threads(r.GetValue(threads));
            var act = Activation.Parse(r.GetValue(activation)!);
            var spec = ModelCatalog.Find(r.GetValue(model)!) ?? throw new UsageException($"--model: unknown model '{r.GetValue(model)}'");
            int n = r.GetValue(batch), inC = r.GetValue(channels), hw = r.GetValue(size);
            using var net = spec.Build(inC, 10, act.Factory, 0);
            net.train();
            using var opt = optim.SGD(net.parameters(), 0.01, momentum: 0.9, weight_decay: 5e-4);
            using var x = randn(n, inC, hw, hw);
            using var y = randint(0, 10, [n]);
            var times = new List<double>();
            for (int i = 0; i < r.GetValue(warmup) + r.GetValue(steps); i++)
            {
                var clock = Stopwatch.StartNew();
                using (var scope = NewDisposeScope())
                {
                    opt.zero_grad();
                    var loss = nn.functional.cross_entropy(net.call(x), y);
                    loss.backward();
                    opt.step();
                }
                if (i >= r.GetValue(warmup)) times.Add(clock.Elapsed.TotalSeconds);
            }
            times.Sort();
            double median = times[times.Count / 2];
            JsonOutput.Write(w =>
            {
                w.WriteString("framework", "evoact-torchsharp");
                w.WriteString("model", spec.Name);
                w.WriteString("activation", act.Canonical);
                w.WriteNumber("batch", n);
                w.WriteNumber("threads", get_num_threads());
                w.WriteNumber("median_step_seconds", median);
                w.WriteNumber("images_per_second", n / median);
            });
            return 0;
        });
        return command;
    }

    /// <summary>Resident set size after each of N consecutive evaluations in one process.</summary>
    static Command Rss()
    {
        var evaluations = new Option<int>("--evaluations") { DefaultValueFactory = _ => 50 };
        var activation = new Option<string>("--activation") { DefaultValueFactory = _ => "x * sigmoid(beta * x)" };
        var config = new ConfigOptions();
        var command = new Command("rss", "RSS after each of N consecutive evaluations in one process") { evaluations, activation };
        config.AddTo(command);
        command.SetAction(r =>
        {
            var settings = TrainingConfig.Read(config.Load(r));
            var act = Activation.Parse(r.GetValue(activation)!);
            var rss = new List<long>();
            for (int i = 0; i < r.GetValue(evaluations); i++)
            {
                ChildTrainer.Evaluate(act, settings with { Seed = (ulong)i });
                GC.Collect();
                GC.WaitForPendingFinalizers();
                rss.Add(CurrentRss());
                Console.Error.WriteLine($"evaluation {i + 1}: RSS {rss[^1] / 1048576.0:F1} MiB");
            }
            JsonOutput.Write(w =>
            {
                w.WriteStartArray("rss_bytes");
                foreach (var v in rss) w.WriteNumberValue(v);
                w.WriteEndArray();
                w.WriteNumber("after_5th", rss[Math.Min(4, rss.Count - 1)]);
                w.WriteNumber("last", rss[^1]);
                w.WriteNumber("growth_after_5th", (double)rss[^1] / rss[Math.Min(4, rss.Count - 1)] - 1);
            });
            return 0;
        });
        return command;
    }

    /// <summary>Coordinator throughput and dispatch latency with instant fake trainers, on the configured journal.</summary>
    static Command Coordinator()
    {
        var options = new RunOptions();
        var trainers = new Option<int>("--trainers") { DefaultValueFactory = _ => 8 };
        var command = new Command("coordinator", "Evaluations per second and dispatch latency of the population actor with instant trainers") { trainers };
        options.AddTo(command);
        command.SetAction(r =>
        {
            var s = options.Load(r);
            var result = Cluster.Hosting.CoordinatorBenchmark.RunAsync(s, r.GetValue(trainers)).GetAwaiter().GetResult();
            JsonOutput.Write(w =>
            {
                w.WriteNumber("evaluations", result.Evaluations);
                w.WriteNumber("trainers", result.Trainers);
                w.WriteNumber("warmup_share", Cluster.Hosting.CoordinatorBenchmark.WarmupShare);
                foreach (var (name, phase) in new[] { ("whole", result.Whole), ("steady", result.Steady) })
                {
                    w.WriteStartObject(name);
                    w.WriteNumber("evaluations", phase.Evaluations);
                    w.WriteNumber("seconds", phase.Seconds);
                    w.WriteNumber("evaluations_per_second", phase.EvaluationsPerSecond);
                    w.WriteNumber("dispatch_p50_ms", phase.P50Ms);
                    w.WriteNumber("dispatch_p99_ms", phase.P99Ms);
                    w.WriteNumber("cpu_ms_per_evaluation", phase.CpuMsPerEvaluation);
                    w.WriteNumber("allocated_kb_per_evaluation", phase.AllocatedKbPerEvaluation);
                    w.WriteNumber("gc_pause_ms", phase.GcPauseMs);
                    w.WriteNumber("gen2_collections", phase.Gen2Collections);
                    w.WriteEndObject();
                }
            });
            return 0;
        });
        return command;
    }

    /// <summary>VmRSS from /proc (Environment.WorkingSet is the same number, but say where it comes from).</summary>
    static long CurrentRss()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmRSS:"));
        return line is null ? Environment.WorkingSet : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
