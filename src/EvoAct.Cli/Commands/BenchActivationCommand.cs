using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using EvoAct.Cluster.Configuration;
using EvoAct.Training.Activations;
using EvoAct.Training.Models;
using EvoAct.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace EvoAct.Cli.Commands;

/// <summary>
/// `evoact bench activation`: what an activation costs by itself, apart from the network around it.
/// The model's activation calls are recorded once (their input shapes, in order); then each
/// activation runs forward (training) and backward over exactly those shapes, alone, the activations
/// alternating round by round. `bench step` gives what a step pays in the network; this gives the
/// kernels' own share (inputs hot in cache), and with --tiny the fixed cost per call (the same
/// number of calls on 2x16x2x2 inputs: dispatch, autograd, allocation). The difference between a
/// step's extra time and the kernels' is what the activation costs the rest of the step (memory).
/// </summary>
public static class BenchActivationCommand
{
    public static Command Create()
    {
        var activation = new Option<string[]>("--activation") { DefaultValueFactory = _ => ["relu"], AllowMultipleArgumentsPerToken = false,
                                                                Description = "activation (repeat it; the first is the reference of the ratios)" };
        var model = new Option<string>("--model") { DefaultValueFactory = _ => "proxy-resnet" };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 128 };
        var channels = new Option<int>("--in-channels") { DefaultValueFactory = _ => 1 };
        var size = new Option<int>("--size") { DefaultValueFactory = _ => 28 };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => Environment.ProcessorCount };
        var rounds = new Option<int>("--rounds") { DefaultValueFactory = _ => 40 };
        var tiny = new Option<bool>("--tiny") { Description = "the same calls on 2x16x2x2 inputs: the fixed cost per call" };
        var command = new Command("activation", "Forward and backward time of activations alone, over a model's activation shapes") { activation, model, batch, channels, size, threads, rounds, tiny };
        var config = new ConfigOptions();
        config.AddTo(command);
        command.SetAction(r =>
        {
            var trainer = TrainingConfig.Read(config.Load(r));
            if (r.GetValue(threads) < 1) throw new UsageException("--threads: expected at least 1");
            if (r.GetValue(rounds) < 3) throw new UsageException("--rounds: expected at least 3");
            set_num_threads(r.GetValue(threads));
            HostMemory.Apply(HostMemory.Retain);
            var acts = r.GetValue(activation)!.Select(Activation.Parse).ToArray();
            var spec = ModelCatalog.Find(r.GetValue(model)!, trainer.ProxyBlocks, trainer.ProxyWidth, trainer.ProxyStemStride)
                       ?? throw new UsageException($"--model: unknown model '{r.GetValue(model)}'");
            var shapes = r.GetValue(tiny) ? Calls(spec, r.GetValue(channels), r.GetValue(size)).Select(s => new long[] { 2, s[1], 2, 2 }).ToArray()
                                           : Calls(spec, r.GetValue(channels), r.GetValue(size), r.GetValue(batch));
            // One module per call and activation (a module's betas have its call's channels), one input per call.
            var modules = acts.Select(a => shapes.Select(s => a.Factory((int)s[1])).ToArray()).ToArray();
            var inputs = shapes.Select(s => randn(s)).ToArray();
            var forward = acts.Select(_ => new List<double>()).ToArray();
            var backward = acts.Select(_ => new List<double>()).ToArray();
            const int warmup = 3;
            for (int round = 0; round < warmup + r.GetValue(rounds); round++)
                for (int k = 0; k < acts.Length; k++)
                {
                    double f = 0, b = 0;
                    using (var scope = NewDisposeScope())
                        for (int c = 0; c < shapes.Length; c++)
                        {
                            // Not a leaf (as in a network, where a batch norm's output comes in), and a fresh
                            // copy per call, since relu runs in place.
                            var leaf = inputs[c].detach().requires_grad_(true);
                            var x = leaf * 1f;
                            var clock = Stopwatch.StartNew();
                            var y = modules[k][c].call(x);
                            f += clock.Elapsed.TotalMilliseconds;
                            var g = inputs[c];
                            clock.Restart();
                            // Backward of the activation alone: autograd.grad stops at x, so nothing below it runs.
                            torch.autograd.grad([y], [x], [g]);
                            b += clock.Elapsed.TotalMilliseconds;
                        }
                    if (round < warmup) continue;
                    forward[k].Add(f);
                    backward[k].Add(b);
                }
            foreach (var m in modules.SelectMany(ms => ms)) m.Dispose();
            foreach (var t in inputs) t.Dispose();
            static double Median(IEnumerable<double> v) => Search.Statistics.TwoSample.Median(v.ToArray());
            JsonOutput.Write(w =>
            {
                w.WriteString("model", spec.Name);
                w.WriteNumber("calls", shapes.Length);
                w.WriteNumber("elements", shapes.Sum(s => s.Aggregate(1L, (p, d) => p * d)));
                w.WriteNumber("threads", get_num_threads());
                w.WriteBoolean("tiny", r.GetValue(tiny));
                w.WriteNumber("rounds", r.GetValue(rounds));
                w.WriteStartArray("results");
                for (int k = 0; k < acts.Length; k++)
                {
                    w.WriteStartObject();
                    w.WriteString("activation", acts[k].Canonical);
                    w.WriteString("path", modules[k][0] is ActivationModule am ? am.Path.ToString().ToLowerInvariant() : "torch");
                    w.WriteNumber("forward_ms", Median(forward[k]));
                    w.WriteNumber("backward_ms", Median(backward[k]));
                    w.WriteNumber("total_ms", Median(forward[k].Zip(backward[k], (f, b) => f + b)));
                    w.WriteNumber("median_ratio_to_first", Median(forward[k].Zip(backward[k], (f, b) => f + b).Zip(forward[0].Zip(backward[0], (f, b) => f + b), (a, b) => a / b)));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            return 0;
        });
        return command;
    }

    /// <summary>The input shapes of the model's activation calls in one forward pass, in order.</summary>
    static long[][] Calls(ModelSpec spec, int inChannels, int size, int batch = 2)
    {
        var calls = new List<long[]>();
        using var net = spec.Build(inChannels, 10, c => new ShapeRecorder(calls), 0);
        net.eval();
        using (no_grad())
        using (var x = randn(batch, inChannels, size, size))
            net.call(x).Dispose();
        return calls.ToArray();
    }

    /// <summary>An identity activation that writes down the shape of what it is given.</summary>
    sealed class ShapeRecorder(List<long[]> calls) : nn.Module<Tensor, Tensor>("ShapeRecorder")
    {
        public override Tensor forward(Tensor input)
        {
            calls.Add(input.shape);
            return input.alias();
        }
    }
}
