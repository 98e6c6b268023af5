using EvoAct.Search.Strategies;

namespace EvoAct.Cluster.Tables;

/// <summary>
/// What one replayed search did, judged by the table's true fitness (the mean over its seeds, not the
/// one noisy training the search saw). Compute is counted in full trainings: a candidate costs its
/// seeds times the share of the budget it reached (a candidate stopped at rung 0.25 costs a quarter),
/// so strategies with and without rungs compare at equal training steps. BestTrueFitness[k - 1] is the
/// best true fitness among the functions completed once k trainings' worth had been spent. A parent
/// check costs its seeds like a candidate and finds nothing new; the function a search returns is its
/// best by the mean over the seeds it saw (a parent check's included), as its leaderboard ranks them.
/// </summary>
public sealed record SearchReplay(
    string Strategy, ulong Seed, int Trainings, int Proposals, int Free, IReadOnlyList<double> BestTrueFitness,
    int? TrainingsToTop1, int? TrainingsToTop01, long? StepsToTop1, double? ReturnedTrueFitness, double Seconds, double Spent = 0)
{
    public double FreeShare => Proposals == 0 ? 0 : (double)Free / Proposals;

    /// <summary>
    /// Folds a replay's history (in the order the coordinator entered it), up to <paramref name="budget"/>
    /// trainings' worth (all of it when null). A diverged or failed candidate finds nothing.
    /// </summary>
    public static SearchReplay From(BenchmarkTable table, string strategy, ulong seed, IEnumerable<Evaluation> history, Evaluation? best,
                                    int seedsPerCandidate, double seconds, int? budget = null, int parentCheckSeeds = 0)
    {
        double top1 = table.TopThreshold(0.01), top01 = table.TopThreshold(0.001);
        var curve = new List<double>();
        int trainings = 0, proposals = 0, free = 0;
        double spent = 0, bestTrue = double.NaN;
        double? spentAtTop1 = null;
        Evaluation? returned;
        // Per function seen, as the leaderboard scores it: its best completed evaluation, and the sum
        // and count of its parent checks' scores.
        var seen = new Dictionary<string, (Evaluation Best, double ChecksSum, int ChecksSeeds)>();
        foreach (var e in history)
        {
            if (budget is { } b && spent >= b) break;
            proposals++;
            if (!e.Trained) { free++; continue; }
            bool check = e.Proposal.Kind == ProposalKind.ParentCheck;
            int seeds = check ? parentCheckSeeds : seedsPerCandidate;
            trainings += seeds;
            double before = bestTrue, spentBefore = spent;
            spent += seeds * e.Fraction;
            if (e.Status == EvaluationStatus.Completed && table.FindFingerprint(e.Proposal.Fingerprint)?.TrueFitness is { } t && !(t <= bestTrue))
                bestTrue = t;
            // The functions it would report, with the sum and count of their seeds' scores (parent checks included).
            if (e.Status == EvaluationStatus.Completed && e.Fitness is { } f && e.Proposal.Kind != ProposalKind.FinalCheck)
            {
                var fp = e.Proposal.Fingerprint;
                var known = seen.GetValueOrDefault(fp);
                if (check) { if (known.Best is not null) seen[fp] = (known.Best, known.ChecksSum + f * seeds, known.ChecksSeeds + seeds); }
                else if (known.Best is null || f > known.Best.Fitness) seen[fp] = (e, known.ChecksSum, known.ChecksSeeds);
            }
            // The candidate's result is known once all its trainings are done: the last of them finds it.
            int last = (int)Math.Floor(spent + 1e-9);
            for (int k = (int)Math.Floor(spentBefore + 1e-9) + 1; k <= last && (budget is null || k <= budget); k++)
                curve.Add(k == last ? bestTrue : before);
            if (spentAtTop1 is null && bestTrue >= top1) spentAtTop1 = spent;
        }
        // Its best by the mean over its seeds; the earliest of equals.
        returned = seen.Values.OrderByDescending(v => (v.Best.Fitness!.Value * seedsPerCandidate + v.ChecksSum) / (seedsPerCandidate + v.ChecksSeeds))
                       .ThenBy(v => v.Best.Id).Select(v => v.Best).FirstOrDefault();
        int? First(double threshold) { int i = curve.FindIndex(v => v >= threshold); return i < 0 ? null : i + 1; }
        // Without a budget (a whole history), what the search would report is its own best; with one, its best within it.
        var reported = budget is null && parentCheckSeeds == 0 ? best ?? returned : returned;
        double? returnedTrue = reported is null ? null : table.FindFingerprint(reported.Proposal.Fingerprint)?.TrueFitness;
        return new SearchReplay(strategy, seed, trainings, proposals, free, curve, First(top1), First(top01),
                                spentAtTop1 is { } s ? (long)Math.Round(s * table.StepsPerTraining) : null, returnedTrue, seconds, spent);
    }
}
