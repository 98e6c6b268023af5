using EvoAct.Search.Strategies;

namespace EvoAct.Cluster.Tables;

/// <summary>
/// What one replayed search did, judged by the table's true fitness (the mean over its seeds, not the
/// one noisy training the search saw): the best true fitness among the functions it had trained after
/// each training, when it first trained one of the table's top 1% and top 0.1%, how many of its
/// proposals were free, and the true fitness of what it would report as its best.
/// </summary>
public sealed record SearchReplay(
    string Strategy, ulong Seed, int Trainings, int Proposals, int Free, IReadOnlyList<double> BestTrueFitness,
    int? TrainingsToTop1, int? TrainingsToTop01, long? StepsToTop1, double? ReturnedTrueFitness, double Seconds)
{
    public double FreeShare => Proposals == 0 ? 0 : (double)Free / Proposals;

    /// <summary>
    /// Folds a replay's history (in the order the coordinator entered it). A candidate costs
    /// <paramref name="seedsPerCandidate"/> trainings of <paramref name="stepsPerTraining"/> steps each,
    /// whatever its outcome; a diverged or failed one finds nothing.
    /// </summary>
    public static SearchReplay From(BenchmarkTable table, string strategy, ulong seed, IEnumerable<Evaluation> history, Evaluation? best,
                                    int seedsPerCandidate, double seconds)
    {
        double top1 = table.TopThreshold(0.01), top01 = table.TopThreshold(0.001);
        var curve = new List<double>();
        int trainings = 0, proposals = 0, free = 0;
        int? toTop1 = null, toTop01 = null;
        double bestTrue = double.NaN;
        foreach (var e in history)
        {
            proposals++;
            if (!e.Trained) { free++; continue; }
            // The candidate's result is known once all its trainings are done: the last of them finds it.
            for (int i = 1; i < seedsPerCandidate; i++, trainings++) curve.Add(bestTrue);
            if (e.Status == EvaluationStatus.Completed && table.FindFingerprint(e.Proposal.Fingerprint)?.TrueFitness is { } t && !(t <= bestTrue))
                bestTrue = t;
            trainings++;
            curve.Add(bestTrue);
            if (toTop1 is null && bestTrue >= top1) toTop1 = trainings;
            if (toTop01 is null && bestTrue >= top01) toTop01 = trainings;
        }
        double? returned = best is null ? null : table.FindFingerprint(best.Proposal.Fingerprint)?.TrueFitness;
        return new SearchReplay(strategy, seed, trainings, proposals, free, curve, toTop1, toTop01,
                                toTop1 is { } n ? (long)n * table.StepsPerTraining : null, returned, seconds);
    }
}
