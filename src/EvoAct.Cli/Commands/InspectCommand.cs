using System.CommandLine;
using System.Globalization;
using EvoAct.Cluster.Configuration;
using EvoAct.Search.Expressions;
using EvoAct.Search.Fingerprints;
using EvoAct.Cluster.ReadSide;

namespace EvoAct.Cli.Commands;

/// <summary>`evoact inspect EXPR [--at v1,v2,...] [--json]`: what the search would see of a candidate.</summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var expression = new Argument<string>("expression") { Description = "Activation in the paper's notation, e.g. \"x * sigmoid(beta * x)\"" };
        var at = new Option<string>("--at") { Description = "Comma-separated points to evaluate at", DefaultValueFactory = _ => "-3,-2,-1,0,1,2,3" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("inspect", "Canonical form, values and derivatives (beta = 1), fingerprint and filter verdict of an expression")
        {
            expression, at, json,
        };
        command.SetAction(r => Run(r.GetValue(expression)!, ParsePoints(r.GetValue(at)!), r.GetValue(json)));
        return command;
    }

    static int Run(string text, double[] points, bool json)
    {
        var expr = ExpressionParser.Parse(text);
        var filter = new CandidateFilter(SearchConfig.Filter(new ConfigReader(EvoActConfig.Defaults)));
        var duals = points.Select(p => ExpressionEvaluator.Evaluate(expr, p)).ToArray();
        string verdict = filter.Check(expr)?.Name() ?? "ok";
        string canonical = ExpressionPrinter.Print(expr), fingerprint = Fingerprint.Of(expr);

        if (json)
        {
            JsonOutput.Write(w =>
            {
                w.WriteString("canonical", canonical);
                w.Numbers("points", points);
                w.Numbers("values", duals.Select(d => d.Value));
                w.Numbers("gradients", duals.Select(d => d.Derivative));
                w.WriteString("fingerprint", fingerprint);
                w.WriteString("verdict", verdict);
            });
            return 0;
        }

        Console.WriteLine($"canonical    {canonical}");
        Console.WriteLine($"fingerprint  {fingerprint}");
        Console.WriteLine($"verdict      {verdict}");
        Console.WriteLine($"betas        {expr.BetaCount} (per channel, shown at beta = 1)");
        Console.WriteLine();
        Console.WriteLine($"{"x",12} {"f(x)",16} {"df/dx",16}");
        for (int i = 0; i < points.Length; i++)
            Console.WriteLine($"{Fmt(points[i]),12} {Fmt(duals[i].Value),16} {Fmt(duals[i].Derivative),16}");
        return 0;
    }

    internal static double[] ParsePoints(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        // An empty item (1,,2 or a trailing comma) is a typo, not a point to skip.
        if (parts.Any(p => p.Length == 0)) throw new UsageException("--at: expected comma-separated numbers, e.g. --at -2,0,2");
        return parts.Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v : throw new UsageException($"--at: '{p}' is not a finite number")).ToArray();
    }

    static string Fmt(double v) => double.IsFinite(v) ? v.ToString("G8", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);
}
