using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using EvoAct.Cluster.Configuration;
using EvoAct.Training.Activations;
using EvoAct.Training.Activations.Compiler;
using EvoAct.Training.Models;
using EvoAct.Training.Trainer;
using static TorchSharp.torch;
using EvoAct.Cluster.ReadSide;

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
        bench.Subcommands.Add(BenchActivationCommand.Create());
        bench.Subcommands.Add(Rss());
        bench.Subcommands.Add(Coordinator());
        bench.Subcommands.Add(Genomes());
        bench.Subcommands.Add(BenchSearchCommand.Create());
        return bench;
    }

    /// <summary>Random filter-passing genomes of the paper's space, one expression per line: the benchmark's fixed sample.</summary>
    static Command Genomes()
    {
        var count = new Option<int>("--count") { DefaultValueFactory = _ => 20 };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 2026 };
        var command = new Command("genomes", "Random filter-passing genomes of the paper's K = 2 space, one expression per line") { count, seed };
        command.SetAction(r =>
        {
            if (r.GetValue(count) < 1) throw new UsageException("--count: expected at least 1");
            var rng = new Search.Rng(r.GetValue(seed));
            for (int i = 0; i < r.GetValue(count); i++) Console.Out.WriteLine(RandomCandidate(rng).Text);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Training-step throughput of a model on random data: no data loading, just the network. With
    /// several --activation, one network per activation is trained in the same process and their
    /// steps alternate, so that the machine's drift hits every contender alike; each reports its
    /// median, and median_ratio_to_first is the median over steps of its step time over the first's.
    /// </summary>
    static Command Step()
    {
        var activation = new Option<string[]>("--activation") { DefaultValueFactory = _ => ["relu"], AllowMultipleArgumentsPerToken = false,
                                                                Description = "activation (repeat it to interleave several in one process); " +
                                                                              "'composed:EXPR' runs EXPR as one torch op per node instead of compiled" };
        var model = new Option<string>("--model") { DefaultValueFactory = _ => "resnet20" };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 128 };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { DefaultValueFactory = _ => 3 };
        var channels = new Option<int>("--in-channels") { DefaultValueFactory = _ => 3 };
        var size = new Option<int>("--size") { DefaultValueFactory = _ => 32 };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => Environment.ProcessorCount };
        var memoryFormat = new Option<string[]>("--memory-format") { DefaultValueFactory = _ => [MemoryFormat.Contiguous], AllowMultipleArgumentsPerToken = false,
                                                                     Description = "contiguous or channels-last (as evoact.training.memory-format); repeated, it pairs with the activations" };
        var vectorBits = new Option<int[]>("--vector-bits") { DefaultValueFactory = _ => [CompiledActivation.NativeVectorBits], AllowMultipleArgumentsPerToken = false,
                                                             Description = "width of the compiled activations' loops, 256 or 512 (default: the widest this CPU runs natively); " +
                                                                           "repeated, it pairs with the activations" };
        var hostMemory = new Option<string>("--host-memory") { DefaultValueFactory = _ => HostMemory.Retain,
                                                               Description = "retain or release (as evoact.training.host-memory)" };
        var lockstep = new Option<bool>("--lockstep")
        {
            Description = "one network; run one step per line read from stdin and print its seconds (scripts/bench/lockstep.py " +
                          "alternates two such processes step by step, so that the machine's drift hits both alike)",
        };
        var command = new Command("step", "Images per second of SGD training steps on random data") { activation, model, batch, steps, warmup, channels, size, threads, memoryFormat, vectorBits, hostMemory, lockstep };
        // The proxy network's depth, width and stem stride come from the config (default: the cpu-proxy preset's).
        var config = new ConfigOptions();
        config.AddTo(command);
        command.SetAction(r =>
        {
            var trainer = TrainingConfig.Read(config.Load(r));
            set_num_threads(r.GetValue(threads));
            var hostMode = r.GetValue(hostMemory)!;
            if (!HostMemory.IsValid(hostMode))
                throw new UsageException($"--host-memory: expected {HostMemory.Retain} or {HostMemory.Release}, got '{hostMode}'");
            HostMemory.Apply(hostMode);
            var actTexts = r.GetValue(activation)!;
            var formatTexts = r.GetValue(memoryFormat)!;
            var widths = r.GetValue(vectorBits)!;
            int count = Math.Max(actTexts.Length, Math.Max(formatTexts.Length, widths.Length));
            if ((actTexts.Length != count && actTexts.Length != 1) || (formatTexts.Length != count && formatTexts.Length != 1) || (widths.Length != count && widths.Length != 1))
                throw new UsageException("--activation, --memory-format and --vector-bits: give one, or as many of each (they pair up)");
            foreach (var bits in widths)
                if (bits != CompiledActivation.NativeVectorBits && (bits is not (256 or 512) || bits > CompiledActivation.NativeVectorBits))
                    throw new UsageException($"--vector-bits: expected 256 or 512, at most the {CompiledActivation.NativeVectorBits} bits this CPU runs natively, got {bits}");
            int Bits(int k) => widths[Math.Min(k, widths.Length - 1)];
            const string ComposedPrefix = "composed:";
            string ActText(int k) => actTexts[Math.Min(k, actTexts.Length - 1)];
            var acts = Enumerable.Range(0, count).Select(k => Activation.Parse(ActText(k).StartsWith(ComposedPrefix) ? ActText(k)[ComposedPrefix.Length..] : ActText(k))).ToArray();
            var kernels = Enumerable.Range(0, count).Select(k => ActText(k).StartsWith(ComposedPrefix) ? ActivationKernels.Composed : ActivationKernels.Compiled).ToArray();
            var formats = Enumerable.Range(0, count).Select(k => formatTexts[Math.Min(k, formatTexts.Length - 1)]).ToArray();
            foreach (var f in formats)
                if (!MemoryFormat.IsValid(f)) throw new UsageException($"--memory-format: expected {MemoryFormat.Contiguous} or {MemoryFormat.ChannelsLast}, got '{f}'");
            var spec = ModelCatalog.Find(r.GetValue(model)!, trainer.ProxyBlocks, trainer.ProxyWidth, trainer.ProxyStemStride)
                       ?? throw new UsageException($"--model: unknown model '{r.GetValue(model)}'");
            int n = r.GetValue(batch), inC = r.GetValue(channels), hw = r.GetValue(size);
            var nets = acts.Select((a, k) =>
            {
                // A network's activations compile when it is built, at the width set then.
                if (Bits(k) != CompiledActivation.VectorBits) CompiledActivation.VectorBits = Bits(k);
                return spec.Build(inC, 10, a.FactoryWith(kernels[k]), 0);
            }).ToArray();
            for (int k = 0; k < count; k++) { MemoryFormat.Apply(nets[k], formats[k]); nets[k].train(); }
            var opts = nets.Select(net => optim.SGD(net.parameters(), 0.01, momentum: 0.9, weight_decay: 5e-4)).ToArray();
            using var x0 = randn(n, inC, hw, hw);
            var xs = formats.Select(f => MemoryFormat.Input(x0, f)).ToArray();
            using var y = randint(0, 10, [n]);
            double Step(int k)
            {
                var clock = Stopwatch.StartNew();
                using (var scope = NewDisposeScope())
                {
                    opts[k].zero_grad();
                    var loss = nn.functional.cross_entropy(nets[k].call(xs[k]), y);
                    loss.backward();
                    opts[k].step();
                }
                return clock.Elapsed.TotalSeconds;
            }
            if (r.GetValue(lockstep))
            {
                if (nets.Length != 1) throw new UsageException("--lockstep: give one --activation");
                // The driver holds the other process still while this one steps, and the reverse.
                for (string? line; (line = Console.In.ReadLine()) is not null;)
                    Console.Out.WriteLine(Step(0).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                return 0;
            }
            var times = acts.Select(_ => new List<double>()).ToArray();
            for (int i = 0; i < r.GetValue(warmup) + r.GetValue(steps); i++)
                for (int k = 0; k < nets.Length; k++)
                {
                    double seconds = Step(k);
                    if (i >= r.GetValue(warmup)) times[k].Add(seconds);
                }
            foreach (var o in opts) o.Dispose();
            foreach (var net in nets) net.Dispose();
            foreach (var t in xs) t.Dispose();

            static double Median(IEnumerable<double> v) { var s = v.Order().ToArray(); return s[s.Length / 2]; }
            void Result(Utf8JsonWriter w, int k)
            {
                double median = Median(times[k]);
                w.WriteString("framework", "evoact-torchsharp");
                w.WriteString("model", spec.Name);
                w.WriteString("activation", acts[k].Canonical);
                w.WriteString("kernels", acts[k].Baseline is null ? kernels[k] : "torch");
                w.WriteNumber("batch", n);
                w.WriteNumber("threads", get_num_threads());
                w.WriteString("memory_format", formats[k]);
                w.WriteNumber("vector_bits", Bits(k));
                w.WriteString("host_memory", hostMode);
                w.WriteNumber("median_step_seconds", median);
                w.WriteNumber("images_per_second", n / median);
                if (k > 0) w.WriteNumber("median_ratio_to_first", Median(times[k].Zip(times[0], (a, b) => a / b)));
            }
            JsonOutput.Write(w =>
            {
                if (acts.Length == 1) { Result(w, 0); return; }
                w.WriteStartArray("results");
                for (int k = 0; k < acts.Length; k++) { w.WriteStartObject(); Result(w, k); w.WriteEndObject(); }
                w.WriteEndArray();
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
        var random = new Option<ulong?>("--random-genomes")
        {
            Description = "evaluate a different random filter-passing genome of the paper's space each time, drawn with this seed (instead of --activation)",
        };
        var config = new ConfigOptions();
        var command = new Command("rss", "RSS after each of N consecutive evaluations in one process") { evaluations, activation, random };
        config.AddTo(command);
        command.SetAction(r =>
        {
            var settings = TrainingConfig.Read(config.Load(r));
            var act = Activation.Parse(r.GetValue(activation)!);
            var genomes = r.GetValue(random) is { } seed ? new Search.Rng(seed) : null;
            var rss = new List<long>();
            for (int i = 0; i < r.GetValue(evaluations); i++)
            {
                if (genomes is not null) act = RandomCandidate(genomes);
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

    /// <summary>A random genome of the paper's space that the degeneracy filter passes.</summary>
    internal static Activation RandomCandidate(Search.Rng rng)
    {
        var e = Search.Fingerprints.CandidateFilter.Default.RandomPassing(Search.SearchSpace.Paper, rng).ToExpr();
        return new Activation(Search.Expressions.ExpressionPrinter.Print(e), e, null);
    }

    /// <summary>VmRSS from /proc (Environment.WorkingSet is the same number, but say where it comes from).</summary>
    static long CurrentRss()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmRSS:"));
        return line is null ? Environment.WorkingSet : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
