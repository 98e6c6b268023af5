using EvoAct.Search;
using EvoAct.Search.Expressions;
using EvoAct.Search.Fingerprints;
using EvoAct.Training.Activations;
using EvoAct.Training.Trainer;

namespace EvoAct.Cluster.Transfer;

/// <summary>
/// What `evoact fidelity` trains: a set of activations, each with S seeds on the proxy and on the
/// target, as one journaled transfer plan (so it resumes as a transfer does).
/// </summary>
public static class FidelityStudy
{
    /// <summary>The activations the paper reports (its Table 2 list), Swish first.</summary>
    public static IReadOnlyList<string> PaperActivations { get; } = ActivationList.Parse(
    [
        "x * sigmoid(beta * x)", "max(x, sigmoid(x))", "cos(x) - x", "min(x, sin(x))",
        "atan(x)^2 - x", "max(x, tanh(x))", "sinc(x) + x", "x * asinh(x)^2",
    ]);

    /// <summary>The baselines beside them.</summary>
    public static IReadOnlyList<string> Baselines { get; } = ["relu", "silu", "gelu", "elu", "softplus", "leaky_relu"];

    public static string DefaultName(string proxyPreset, string targetPreset) => $"fidelity-{proxyPreset}-{targetPreset}";

    /// <summary>
    /// The paper's 8, the baselines, and <paramref name="random"/> random genomes of the space that
    /// the filter passes, each a function none before it computes (by fingerprint); drawn from
    /// <paramref name="seed"/>, so the same options give the same set and a study resumes.
    /// </summary>
    public static IReadOnlyList<string> DefaultSet(SearchSpace space, CandidateFilter filter, int random, ulong seed)
    {
        var set = PaperActivations.Concat(Baselines).ToList();
        var seen = PaperActivations.Select(a => Fingerprint.Of(ExpressionParser.Parse(a))).ToHashSet();
        var rng = new Rng(seed);
        while (set.Count < PaperActivations.Count + Baselines.Count + random)
        {
            var e = filter.RandomPassing(space, rng).ToExpr();
            if (seen.Add(Fingerprint.Of(e))) set.Add(ExpressionPrinter.Print(e));
        }
        return set;
    }

    /// <summary>
    /// Seed by seed, each activation on the proxy and then on the target: a study stopped half-way
    /// has every activation at its first seeds, which already ranks them.
    /// </summary>
    public static TransferPlan Plan(string name, string proxyPreset, TrainerSettings proxy, string targetPreset, TrainerSettings target,
                                    IReadOnlyList<string> activations, int seeds)
    {
        var jobs = new List<TransferJob>();
        for (int seed = 0; seed < seeds; seed++)
            foreach (var a in activations)
            {
                jobs.Add(new TransferJob(jobs.Count, a, seed, OnProxy: true));
                jobs.Add(new TransferJob(jobs.Count, a, seed));
            }
        return new TransferPlan(name, targetPreset, jobs, target, proxy, proxyPreset);
    }
}
