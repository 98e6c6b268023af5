using System.CommandLine;
using EvoAct.Cluster.Configuration;
using EvoAct.Search.Fingerprints;
using EvoAct.Training.Activations;
using EvoAct.Training.Data;
using EvoAct.Training.Trainer;
using EvoAct.Cluster.ReadSide;

namespace EvoAct.Cli.Commands;

/// <summary>`evoact eval EXPR [--preset P] [--set key=value]... [--test] [--json]`: one fitness evaluation.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var expression = new Argument<string>("activation") { Description = $"An expression, or a baseline: {string.Join(", ", Activation.Baselines)}" };
        var test = new Option<bool>("--test") { Description = "Also report test-set accuracy (never used by the search)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var config = new ConfigOptions();
        var command = new Command("eval", "Train the child network with an activation and report its validation accuracy") { expression, test, json };
        config.AddTo(command);
        command.SetAction(r => Run(r.GetValue(expression)!, r.GetValue(config.Preset) ?? "default (cpu-proxy)", config.Load(r), r.GetValue(test), r.GetValue(json)));
        return command;
    }

    static int Run(string text, string preset, ConfigReader config, bool test, bool json)
    {
        var activation = Activation.Parse(text);
        var settings = TrainingConfig.Read(config);
        var filter = new CandidateFilter(SearchConfig.Filter(config));

        EvaluationResult result;
        if (activation.Expression is not null && filter.Check(activation.Expression) is { } rejection)
            result = new EvaluationResult(Outcome.Rejected, 0, double.NaN, null, 0, null, 0, 0, rejection.Name());
        else
        {
            try
            {
                result = ProgressDisplay.Run($"eval {activation.Canonical}", p => ChildTrainer.Evaluate(activation, settings, test, p));
            }
            catch (DatasetException e)
            {
                throw new UsageException(e.Message);
            }
        }

        if (json) WriteJson(activation, preset, result);
        else WriteText(activation, preset, result);
        return 0;
    }

    static void WriteText(Activation activation, string preset, EvaluationResult r)
    {
        Console.WriteLine($"activation           {activation.Canonical}");
        Console.WriteLine($"preset               {preset}");
        Console.WriteLine($"outcome              {OutcomeName(r.Outcome)}{(r.Reason is null ? "" : $" ({r.Reason})")}");
        if (r.Outcome == Outcome.Rejected) return;
        Console.WriteLine($"validation accuracy  {r.ValidationAccuracy:F4}");
        Console.WriteLine($"validation loss      {r.ValidationLoss:F4}");
        if (r.TestAccuracy is { } t) Console.WriteLine($"test accuracy        {t:F4}");
        Console.WriteLine($"steps                {r.Steps}");
        Console.WriteLine($"time                 {r.Seconds:F1} s");
        Console.WriteLine($"images per second    {r.ImagesPerSecond:F0}");
    }

    static void WriteJson(Activation activation, string preset, EvaluationResult r) => JsonOutput.Write(w =>
    {
        w.WriteString("expression", activation.Canonical);
        w.WriteString("preset", preset);
        w.WriteString("outcome", OutcomeName(r.Outcome));
        if (r.Reason is null) w.WriteNull("reason"); else w.WriteString("reason", r.Reason);
        w.Number("validation_accuracy", r.Outcome == Outcome.Rejected ? null : r.ValidationAccuracy);
        w.Number("validation_loss", r.ValidationLoss);
        w.Number("test_accuracy", r.TestAccuracy);
        w.WriteNumber("steps", r.Steps);
        w.WriteNumber("seconds", Math.Round(r.Seconds, 3));
        w.WriteNumber("images_per_second", Math.Round(r.ImagesPerSecond, 1));
    });

    public static string OutcomeName(Outcome o) => o switch { Outcome.Ok => "ok", Outcome.Diverged => "diverged", _ => "rejected" };
}
