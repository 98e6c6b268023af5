using System.CommandLine;
using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.Transfer;
using EvoAct.Training.Activations;

namespace EvoAct.Cli.Commands;

/// <summary>
/// `evoact fidelity [--proxy cpu-proxy] [--target transfer-cpu-fmnist] [--seeds 2] [--random 10]`:
/// does the search's fitness predict what a user cares about? Trains a set of activations with S
/// seeds on the proxy (validation accuracy, as the search scores them) and on the target (test
/// accuracy), journaled and resumable like a transfer, and reports the rank agreement, the noise and
/// the cost in Markdown, CSV and a scatter plot.
/// </summary>
public static class FidelityCommand
{
    public static Command Create()
    {
        var proxy = new Option<string>("--proxy") { Description = "The preset the search scores with", DefaultValueFactory = _ => "cpu-proxy" };
        var target = new Option<string>("--target") { Description = "The preset it should predict", DefaultValueFactory = _ => "transfer-cpu-fmnist" };
        var seeds = new Option<int>("--seeds") { Description = "Seeds per activation on each", DefaultValueFactory = _ => 2 };
        var random = new Option<int>("--random") { Description = "Random filter-passing genomes of the search space added to the set", DefaultValueFactory = _ => 10 };
        var randomSeed = new Option<ulong>("--random-seed") { Description = "Seed of those genomes", DefaultValueFactory = _ => 1 };
        var activations = new Option<string[]>("--activations")
        {
            Description = "Train these instead of the default set (the paper's 8, relu, silu, gelu, elu, softplus, leaky_relu): baselines or expressions, repeated or ';'-separated",
            AllowMultipleArgumentsPerToken = false,
        };
        var name = new Option<string?>("--name") { Description = "Name of this study (default fidelity-PROXY-TARGET); the same name resumes it" };
        var file = new Option<string?>("--config") { Description = "A HOCON file layered over both presets" };
        var sets = new Option<string[]>("--set") { Description = "key=value overrides for both, e.g. --set trainers.slots=2 (repeatable)", AllowMultipleArgumentsPerToken = false };
        var data = new Option<string?>("--data") { Description = "Directory of the journal (default: evoact.run.data)" };
        var devices = new RunOptions().Devices;
        var port = TransferCommand.PortOption();
        var command = new Command("fidelity", "Measure how well a proxy preset's fitness ranks activations as a target preset's test accuracy does")
            { proxy, target, seeds, random, randomSeed, activations, name, file, sets, data, devices, port };
        command.SetAction(r =>
        {
            if (r.GetValue(seeds) < 1) throw new UsageException("--seeds: must be at least 1");
            if (r.GetValue(random) < 0) throw new UsageException("--random: must be 0 or more");
            string proxyPreset = r.GetValue(proxy)!, targetPreset = r.GetValue(target)!;
            ConfigReader Layers(string preset, string option)
            {
                try
                {
                    return new ConfigReader(EvoActConfig.Load(preset, r.GetValue(file), r.GetValue(sets) ?? []));
                }
                catch (ConfigException e) when (e.Key == "--preset")
                {
                    throw new UsageException($"{option}: {e.Reason}");
                }
            }
            var targetConfig = Layers(targetPreset, "--target");
            var proxyTraining = TrainingConfig.Read(Layers(proxyPreset, "--proxy"));
            var targetTraining = TrainingConfig.Read(targetConfig);
            var s = RunSettings.Read(targetConfig, r.GetValue(data));
            if (r.GetValue(devices) is { } list) s = s with { Trainers = s.Trainers.WithDevices(RunOptions.ParseDevices(list)) };

            IReadOnlyList<string> set;
            try
            {
                set = r.GetValue(activations) is { Length: > 0 } chosen ? ActivationList.Parse(chosen)
                    : FidelityStudy.DefaultSet(SearchConfig.SearchSpace(targetConfig), new Search.Fingerprints.CandidateFilter(SearchConfig.Filter(targetConfig)),
                                               r.GetValue(random), r.GetValue(randomSeed));
            }
            catch (FormatException e)
            {
                throw new UsageException($"--activations: {e.Message}");
            }
            if (set.Count < 3) throw new UsageException($"--activations: a rank correlation needs at least 3 activations, not {set.Count}");
            var studyName = TransferCommand.CheckName(r.GetValue(name) ?? FidelityStudy.DefaultName(proxyPreset, targetPreset));
            var plan = FidelityStudy.Plan(studyName, proxyPreset, proxyTraining, targetPreset, targetTraining, set, r.GetValue(seeds));

            // A study stopped half-way already ranks what it has (jobs run seed by seed): its report then
            // goes to STEM-partial.*, saying how much is done, and the complete one replaces nothing.
            void Write(TransferProgress p, string stem)
            {
                var summary = FidelityReport.Summarize(plan, p.Results.ToDictionary(d => d.Job));
                var markdown = FidelityReport.Markdown(plan, summary);
                if (!p.Finished) markdown = TransferCommand.PartialHeader(p, "study") + markdown;
                TransferCommand.Report(Path.Combine(s.DataDirectory, stem), markdown, FidelityReport.Csv(plan, summary),
                                       file => Plots.FidelityPlot.Write(file + ".png", plan, summary));
            }
            var final = TransferCommand.Host(s, studyName, plan,
                $"{set.Count} activations x {r.GetValue(seeds)} seeds on {proxyPreset} ({proxyTraining.Model}) and {targetPreset} ({targetTraining.Model})",
                TransferCommand.Serve(r, port, targetConfig), stopped => Write(stopped, studyName + "-partial"));
            if (final is null) return 0;
            if (!final.Finished) return 1;
            Write(final, studyName);
            TransferCommand.RemovePartial(Path.Combine(s.DataDirectory, studyName));
            return 0;
        });
        return command;
    }
}
