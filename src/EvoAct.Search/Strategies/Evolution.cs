using EvoAct.Search.Fingerprints;
using EvoAct.Search.Genomes;
using EvoAct.Search.Mutation;

namespace EvoAct.Search.Strategies;

/// <summary>
/// Regularized (aging) evolution, Real et al. (2019), as an event-sourced state machine, asynchronous:
/// whenever a worker is free, <see cref="Decide"/> proposes a child from the population as it stands,
/// and <see cref="Settle"/> enters each result when it arrives. No generations.
/// <code>
/// population: queue of P individuals (the first P are random genomes that pass the filter)
/// propose:    sample S with replacement; parent = fittest of the sample; child = mutate(parent)
///             (parent check: a parent on its first score trains again first, and competes with its mean)
/// settle:     append the child on the right; remove the oldest (aging) | the worst of its sample (tournament)
/// </code>
/// Decide is pure (it draws from a copy of the generator); Apply and Settle change state, and are
/// exactly what recovery replays from persisted events. Random search (StrategyKind.Random) proposes only random genomes.
/// Exhaustive search proposes every genome of the space in <see cref="SearchSpace.Enumerate"/>'s order,
/// and trains one genome per fingerprint: its "generator state" is the position in that order.
/// The history of every evaluation is kept unless keepHistory is false (the coordinator's copy: the
/// journal holds the history, and the coordinator only needs counts, the best and <see cref="Capture"/>).
/// </summary>
public sealed class Evolution
{
    readonly SearchSpace space;
    Mutator mutator;
    readonly CandidateFilter filter;
    EvolutionSettings settings;

    readonly LinkedList<Individual> population = new();
    readonly List<Evaluation> history = new();
    readonly Dictionary<long, Proposal> inFlight = new();
    readonly Dictionary<string, double> fitnessByFingerprint = new();
    readonly Dictionary<EvaluationStatus, int> counts = new();
    readonly bool keepHistory;
    Evaluation? best;
    // Filter verdicts and fingerprints of genomes seen before: children repeat often, and probing is
    // the bulk of a decision's cost. Derived data, so not persisted; bounded like AutoML-Zero's cache.
    readonly Dictionary<Genome, (Rejection? Rejection, string Fingerprint)> probed = new();
    const int ProbedCapacity = 100_000;
    ulong rngState;
    long nextId = 1;
    int initialProposed, freeInARow;

    public Evolution(SearchSpace space, MutationSettings mutation, FilterSettings filter, EvolutionSettings settings, bool keepHistory = true)
    {
        (this.space, this.settings, this.keepHistory) = (space, settings, keepHistory);
        mutator = new Mutator(space, mutation);
        this.filter = new CandidateFilter(filter);
        rngState = settings.Strategy == StrategyKind.Exhaustive ? 0 : settings.Seed;
        promotion = settings.Fidelity is { } f ? new Promotion(f) : null;
        spaceSize = space.Size;
    }

    readonly System.Numerics.BigInteger spaceSize;
    // Multi-fidelity: the rung each candidate in flight trains towards (absent: the first), and the rule.
    readonly Dictionary<long, int> rungOf = new();
    Promotion? promotion;
    // Exhaustive: the fingerprints of the filter-passing genomes before position seenUpTo. A pure
    // function of the position, so derived (like probed), neither persisted nor replayed.
    readonly HashSet<string> seenFingerprints = new();
    ulong seenUpTo;
    // Final check: the best distinct functions by single score, kept as results settle (at most
    // FinalCheck.Top, fittest first, the earliest of equals), so the coordinator needs no history to
    // choose what to re-evaluate; and how many of them have had their re-evaluation proposed.
    readonly List<Evaluation> leaders = new();
    int finalCheckProposed;
    // Parent check: the functions re-evaluated so far. Their cached fitness is the mean over all their
    // seeds (-infinity when the check failed), and a member that is a deduplicated copy of one is
    // checked already: a second check would repeat the first's training seeds.
    readonly HashSet<string> checkedFingerprints = new();

    public EvolutionSettings Settings => settings;

    /// <summary>What a resumed run may change without mixing incomparable results.</summary>
    public void Reconfigure(MutationSettings mutation, int maxEvaluations)
    {
        mutator = new Mutator(space, mutation);
        settings = settings with { MaxEvaluations = maxEvaluations };
    }
    public IReadOnlyCollection<Individual> Population => population;
    public IReadOnlyList<Evaluation> History => keepHistory ? history
        : throw new InvalidOperationException("this Evolution keeps no history (the coordinator's); fold the run's events for it");
    public IReadOnlyCollection<Proposal> InFlight => inFlight.Values;
    public int Trained { get; private set; }
    /// <summary>Completed evaluations, one per distinct function (fingerprint), fittest first; ties by id. Re-evaluations are not candidates: they are not among them.</summary>
    public IEnumerable<Evaluation> BestDistinct() => History
        .Where(e => e.Status == EvaluationStatus.Completed && e.Fitness is not null && !IsRecheck(e.Proposal.Kind))
        .GroupBy(e => e.Proposal.Fingerprint).Select(g => g.MaxBy(e => e.Fitness)!)
        .OrderByDescending(e => e.Fitness).ThenBy(e => e.Id);

    public int Count(EvaluationStatus status) => counts.GetValueOrDefault(status);

    /// <summary>The proposal being trained under this id, or null (never proposed, or already settled).</summary>
    public Proposal? InFlightProposal(long id) => inFlight.GetValueOrDefault(id);

    /// <summary>The rung (index into the fidelity's rungs) an in-flight candidate trains towards.</summary>
    public int RungOf(long id) => rungOf.GetValueOrDefault(id);

    /// <summary>Whether a candidate reaching this rung with this score would go on (the coordinator's question; changes nothing).</summary>
    public bool WouldPromote(int rung, double? score) => promotion?.WouldPromote(rung, score)
        ?? throw new InvalidOperationException("this run has no fidelity rungs");

    /// <summary>
    /// Enters a candidate's score at a rung short of the full budget, with the decision taken on it
    /// (<see cref="WouldPromote"/> when it arrived, replayed as recorded). Promoted, it trains on
    /// towards the next rung; stopped, it settles as <see cref="EvaluationStatus.Stopped"/> with that
    /// rung's score and stays out of the population (only full-budget results compete). Returns the
    /// stopped evaluation, or null. A rung for a candidate not in flight, or not its current rung, is ignored.
    /// </summary>
    public Evaluation? ReachRung(long id, int rung, double? score, bool promoted, string? worker = null, double seconds = 0)
    {
        var f = settings.Fidelity ?? throw new InvalidOperationException("this run has no fidelity rungs");
        if (!inFlight.TryGetValue(id, out var p) || rung != RungOf(id) || rung >= f.Rungs.Count - 1) return null;
        promotion!.Record(rung, score);
        if (promoted)
        {
            rungOf[id] = rung + 1;
            return null;
        }
        inFlight.Remove(id);
        rungOf.Remove(id);
        Trained++;
        string reason = score is { } s
            ? $"stopped at {f.Rungs[rung]} of the budget: {s:F4} is not in the top {f.Keep:P0} of that rung"
            : $"stopped at {f.Rungs[rung]} of the budget: no score";
        return Enter(new Evaluation(p, EvaluationStatus.Stopped, score, reason, worker, seconds, f.Rungs[rung]));
    }

    /// <summary>The fittest completed or deduplicated evaluation; the earliest of equals.</summary>
    public Evaluation? Best => best;

    /// <summary>Every training budgeted is done or running: propose nothing more (but the final check).</summary>
    public bool BudgetSpent => Trained + inFlight.Count >= settings.MaxEvaluations;
    /// <summary>Nothing more will be proposed and every training has settled (an exhausted space still waits for its running trainings), the final check's too.</summary>
    public bool Finished => inFlight.Count == 0 && SearchDone && FinalCheckProposed >= FinalCheckTotal;
    /// <summary>Every budgeted training has settled, or the space is exhausted: what is left is the final check.</summary>
    public bool SearchDone => Trained >= settings.MaxEvaluations || Exhausted;

    /// <summary>The final check: re-evaluations proposed so far, and how many it has (0 when off).</summary>
    public int FinalCheckProposed => finalCheckProposed;
    public int FinalCheckTotal => settings.FinalCheck is { } c ? Math.Min(c.Top, leaders.Count) : 0;

    /// <summary>
    /// The leaderboard of distinct functions, ranked by the mean over every seed where a final check
    /// re-evaluated them (those first), else by their single score (<see cref="BestDistinct"/>'s order).
    /// </summary>
    public IReadOnlyList<RankedFunction> Ranked()
    {
        // A final check re-evaluates a leader's evaluation; a parent check, a population member, which
        // may be a deduplicated evaluation of the function: so parent checks go with the function.
        var finalChecks = History.Where(e => e.Proposal.Kind == ProposalKind.FinalCheck && e.Proposal.ParentId is not null)
                                 .GroupBy(e => e.Proposal.ParentId!.Value).ToDictionary(g => g.Key, g => g.First());
        var parentChecks = History.Where(e => e.Proposal.Kind == ProposalKind.ParentCheck)
                                  .GroupBy(e => e.Proposal.Fingerprint).ToDictionary(g => g.Key, g => g.ToArray());
        var all = BestDistinct().Select(e =>
        {
            var rechecks = parentChecks.GetValueOrDefault(e.Proposal.Fingerprint, []).ToList();
            if (finalChecks.TryGetValue(e.Id, out var f)) rechecks.Add(f);
            double sum = e.Fitness!.Value * settings.SeedsPerCandidate;
            int seeds = settings.SeedsPerCandidate;
            bool complete = true;
            foreach (var r in rechecks)
            {
                int k = SeedsOf(r.Proposal.Kind);
                if (r.Status == EvaluationStatus.Completed) sum += r.Fitness!.Value * k;
                else complete = false;
                seeds += k;
            }
            return new RankedFunction(e, complete ? sum / seeds : null, seeds, rechecks);
        }).ToArray();
        return all.Where(f => f.Checked).OrderByDescending(f => f.Mean ?? double.NegativeInfinity).ThenBy(f => f.Evaluation.Id)
                  .Concat(all.Where(f => !f.Checked).OrderByDescending(f => f.Mean ?? double.NegativeInfinity).ThenBy(f => f.Evaluation.Id)).ToArray();
    }

    /// <summary>A proposal that re-evaluates a function already trained (not a candidate of its own).</summary>
    public static bool IsRecheck(ProposalKind kind) => kind is ProposalKind.FinalCheck or ProposalKind.ParentCheck;

    /// <summary>How many trainings (seeds) a proposal of this kind gets.</summary>
    public int SeedsOf(ProposalKind kind) => kind switch
    {
        ProposalKind.FinalCheck => settings.FinalCheck?.Seeds ?? 0,
        ProposalKind.ParentCheck => settings.ParentCheckSeeds,
        _ => settings.SeedsPerCandidate,
    };
    /// <summary>So many proposals in a row were free (rejected or already known) that the space is used up.</summary>
    /// <summary>Exhaustive: genomes of the space proposed so far, and how many it has; null for the other strategies.</summary>
    public (ulong Proposed, System.Numerics.BigInteger Of)? Enumeration => settings.Strategy == StrategyKind.Exhaustive ? (rngState, spaceSize) : null;

    public bool Exhausted => settings.Strategy == StrategyKind.Exhaustive ? rngState >= spaceSize : freeInARow >= settings.MaxFreeProposals;

    /// <summary>Silent redraws of a rejected random genome before it is proposed as rejected (a space the filter rejects entirely must not hang Decide).</summary>
    public const int MaxRedraws = 100;

    /// <summary>The next proposal, or null when the budget is spent. Does not change state: pass the result to Apply.</summary>
    public Proposal? Decide()
    {
        if (BudgetSpent || Exhausted) return DecideFinalCheck();
        if (settings.Strategy == StrategyKind.Exhaustive) return DecideExhaustive();
        var rng = new Rng(rngState);
        for (int redraws = 0; ; redraws++)
        {
            bool initial = initialProposed < settings.PopulationSize || population.Count == 0 || settings.Strategy == StrategyKind.Random;
            Genome genome;
            Individual? parent = null;
            MutationRecord? mutation = null;
            long[] sample = [];
            if (initial)
            {
                genome = space.Random(rng);
            }
            else
            {
                var members = population.ToArray();
                sample = new long[settings.SampleSize];
                for (int i = 0; i < sample.Length; i++)
                {
                    var pick = members[rng.Next(members.Length)];
                    sample[i] = pick.Id;
                    if (parent is null || pick.Fitness > parent.Fitness) parent = pick;
                }
                // A winner on its first score may be lucky: it trains again before it breeds (unless a
                // check of it is already training: asynchronous workers do not wait for it).
                var parentFingerprint = parent!.Evaluation.Proposal.Fingerprint;
                if (settings.ParentCheckSeeds > 0 && !parent.ParentChecked && double.IsFinite(parent.Fitness) && !checkedFingerprints.Contains(parentFingerprint)
                    && !inFlight.Values.Any(q => q.Kind == ProposalKind.ParentCheck && q.Fingerprint == parentFingerprint))
                {
                    var checkOf = parent.Evaluation.Proposal;
                    return new Proposal(nextId, checkOf.Genome, checkOf.Expression, checkOf.Fingerprint, parent.Id, null, sample,
                                        ProposalKind.ParentCheck, null, null, rng.State);
                }
                var mutant = mutator.Mutate(parent!.Genome, rng);
                (genome, mutation) = (mutant.Child, mutant.Mutation);
            }

            var (rejection, fingerprint) = Probe(genome);
            // The initial population holds only genomes that pass the filter: redraw, silently (up to a
            // bound; then propose it as rejected, a free proposal, so a space with nothing that passes is exhausted).
            if (initial && rejection is not null && redraws < MaxRedraws) continue;
            // Identity mutations are deliberate re-evaluations (noisy fitness): never deduplicated.
            bool known = settings.Deduplicate && mutation?.Kind != MutationKind.Identity
                         && fitnessByFingerprint.TryGetValue(fingerprint, out _);
            var kind = rejection is not null ? ProposalKind.Rejected : known ? ProposalKind.Deduplicated : ProposalKind.Train;
            return new Proposal(nextId, genome, genome.ToExpression(), fingerprint, parent?.Id, mutation, sample, kind, rejection,
                                known ? fitnessByFingerprint[fingerprint] : null, rng.State);
        }
    }

    /// <summary>
    /// The genome at the current position. Deduplicated when an earlier genome of the enumeration has
    /// its fingerprint, whether that one has settled, failed or is still training: one training per
    /// distinct function (with the earlier one's fitness, if it has one).
    /// </summary>
    Proposal DecideExhaustive()
    {
        ulong position = rngState;
        for (; seenUpTo < position; seenUpTo++)
            if (Probe(space.At(seenUpTo)) is (null, var earlier)) seenFingerprints.Add(earlier);
        var genome = space.At(position);
        var (rejection, fingerprint) = Probe(genome);
        bool known = settings.Deduplicate && rejection is null && seenFingerprints.Contains(fingerprint);
        var kind = rejection is not null ? ProposalKind.Rejected : known ? ProposalKind.Deduplicated : ProposalKind.Train;
        return new Proposal(nextId, genome, genome.ToExpression(), fingerprint, null, null, [], kind, rejection,
                            known && fitnessByFingerprint.TryGetValue(fingerprint, out var f) ? f : null, position + 1);
    }

    /// <summary>
    /// Once every budgeted training has settled: the next leader's re-evaluation (same genome, new
    /// seeds; its parent is the evaluation it checks), fittest first. Draws nothing.
    /// </summary>
    Proposal? DecideFinalCheck()
    {
        if (!SearchDone || inFlight.Values.Any(p => p.Kind != ProposalKind.FinalCheck) || finalCheckProposed >= FinalCheckTotal) return null;
        var leader = leaders[finalCheckProposed];
        var p = leader.Proposal;
        return new Proposal(nextId, p.Genome, p.Expression, p.Fingerprint, leader.Id, null, [], ProposalKind.FinalCheck, null, null, rngState);
    }

    (Rejection?, string) Probe(Genome genome)
    {
        if (probed.TryGetValue(genome, out var known)) return known;
        if (probed.Count >= ProbedCapacity) probed.Clear();
        var expr = genome.ToExpr();
        return probed[genome] = filter.Probe(expr);
    }

    /// <summary>The state without the history, for a snapshot.</summary>
    public EvolutionMemento Capture() => new(
        population.ToArray(), inFlight.Values.OrderBy(p => p.Id).ToArray(), new Dictionary<string, double>(fitnessByFingerprint),
        new Dictionary<EvaluationStatus, int>(counts), best, rngState, nextId, initialProposed, freeInARow, Trained,
        promotion?.Scores.Select(r => (IReadOnlyList<double>)r.ToArray()).ToArray(), new Dictionary<long, int>(rungOf),
        leaders.ToArray(), finalCheckProposed, checkedFingerprints.ToArray());

    /// <summary>Takes a captured state, into a new Evolution built from the same plan; one without history (it would be incomplete).</summary>
    public void Restore(EvolutionMemento m)
    {
        if (keepHistory) throw new InvalidOperationException("an Evolution that keeps its history is restored from events, not from a memento");
        if (nextId != 1 || population.Count > 0 || inFlight.Count > 0) throw new InvalidOperationException("restore into a new Evolution");
        foreach (var i in m.Population) population.AddLast(i);
        foreach (var p in m.InFlight) inFlight[p.Id] = p;
        foreach (var (k, v) in m.FitnessByFingerprint) fitnessByFingerprint[k] = v;
        foreach (var (k, v) in m.Counts) counts[k] = v;
        (best, rngState, nextId, initialProposed, freeInARow, Trained) = (m.Best, m.RngState, m.NextId, m.InitialProposed, m.FreeInARow, m.Trained);
        if (settings.Fidelity is { } f) promotion = new Promotion(f, m.RungScores);
        foreach (var (k, v) in m.Rungs ?? new Dictionary<long, int>()) rungOf[k] = v;
        leaders.AddRange(m.Leaders ?? []);
        finalCheckProposed = m.FinalCheckProposed;
        checkedFingerprints.UnionWith(m.CheckedFingerprints ?? []);
    }

    /// <summary>Enters a proposal: a Train one goes in flight; a free one is settled at once.</summary>
    public Evaluation? Apply(Proposal p)
    {
        rngState = p.RngState;
        nextId = Math.Max(nextId, p.Id + 1);
        if (p.ParentId is null && p.Kind != ProposalKind.Rejected && initialProposed < settings.PopulationSize) initialProposed++;
        switch (p.Kind)
        {
            case ProposalKind.Train or ProposalKind.ParentCheck:
                inFlight[p.Id] = p;
                freeInARow = 0;
                return null;
            case ProposalKind.FinalCheck:
                inFlight[p.Id] = p;
                finalCheckProposed++;
                return null;
            case ProposalKind.Rejected:
                freeInARow++;
                return Enter(new Evaluation(p, EvaluationStatus.Rejected, null, p.Rejection?.Name()));
            default:
                freeInARow++;
                return Enter(new Evaluation(p, EvaluationStatus.Deduplicated, p.CachedFitness, "same fingerprint as an earlier evaluation"));
        }
    }

    /// <summary>
    /// Enters a worker's result. Idempotent: a result for an id that is not in flight (a late
    /// duplicate after a re-dispatch) is ignored and returns null.
    /// </summary>
    public Evaluation? Settle(long id, EvaluationStatus status, double? fitness, string? reason, string? worker = null, double seconds = 0)
    {
        if (!inFlight.Remove(id, out var p)) return null;
        rungOf.Remove(id);
        // A completed result without a usable fitness (a buggy or hostile worker) must not crash the run.
        if (status == EvaluationStatus.Completed && !(fitness is { } f && double.IsFinite(f)))
            (status, fitness, reason) = (EvaluationStatus.Failed, null, "completed without a finite fitness");
        var e = new Evaluation(p, status, status == EvaluationStatus.Completed ? fitness : null, reason, worker, seconds);
        if (p.Kind == ProposalKind.FinalCheck)
        {
            // Outside the budget, the counts, the population, the best and the cache: it only re-ranks (Ranked).
            if (keepHistory) history.Add(e);
            return e;
        }
        Trained++;
        if (p.Kind == ProposalKind.ParentCheck)
        {
            CheckParent(e);
            return e;
        }
        return Enter(e);
    }

    /// <summary>
    /// A parent check settled: a training like any other (counted), and the member it re-evaluated, if
    /// still alive, competes with the mean of all its seeds from now on (with the worst fitness, or not
    /// at all, per on-failure, if the check failed). The best and the final check's leaders stay by single score.
    /// </summary>
    void CheckParent(Evaluation e)
    {
        if (keepHistory) history.Add(e);
        counts[e.Status] = counts.GetValueOrDefault(e.Status) + 1;
        var fingerprint = e.Proposal.Fingerprint;
        checkedFingerprints.Add(fingerprint);
        // The checked member's first score (if it aged out while its check trained, the function's cached one).
        var member = population.FirstOrDefault(i => i.Id == e.Proposal.ParentId);
        double? mean = null;
        if (e.Status == EvaluationStatus.Completed && (member?.Fitness ?? fitnessByFingerprint.GetValueOrDefault(fingerprint, double.NaN)) is var single && double.IsFinite(single))
        {
            int first = settings.SeedsPerCandidate, again = settings.ParentCheckSeeds;
            mean = (single * first + e.Fitness!.Value * again) / (first + again);
        }
        // Copies of the function proposed from now on are deduplicated to this (a failed check: to a failure),
        // and every member that is the function (the checked one, copies that entered while it trained) takes it.
        fitnessByFingerprint[fingerprint] = mean ?? double.NegativeInfinity;
        for (var node = population.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.Evaluation.Proposal.Fingerprint == fingerprint && !node.Value.ParentChecked)
            {
                if (mean is { } m) node.Value = node.Value with { Fitness = m, ParentChecked = true };
                else if (settings.OnFailure == FailurePolicy.Worst) node.Value = node.Value with { Fitness = double.NegativeInfinity, ParentChecked = true };
                else population.Remove(node);
            }
            node = next;
        }
    }

    /// <summary>Keeps the top distinct functions by single score as they settle: a fingerprint's best, fittest first, the earliest of equals.</summary>
    void NoteLeader(Evaluation e)
    {
        if (settings.FinalCheck is not { } check || e.Status != EvaluationStatus.Completed) return;
        int same = leaders.FindIndex(l => l.Proposal.Fingerprint == e.Proposal.Fingerprint);
        if (same >= 0)
        {
            if (e.Fitness <= leaders[same].Fitness) return;
            leaders.RemoveAt(same);
        }
        int at = leaders.FindIndex(l => e.Fitness > l.Fitness);
        leaders.Insert(at < 0 ? leaders.Count : at, e);
        if (leaders.Count > check.Top) leaders.RemoveAt(leaders.Count - 1);
    }

    Evaluation Enter(Evaluation e)
    {
        if (keepHistory) history.Add(e);
        counts[e.Status] = counts.GetValueOrDefault(e.Status) + 1;
        if (e.Fitness is { } f && double.IsFinite(f) && e.Status is EvaluationStatus.Completed or EvaluationStatus.Deduplicated && (best is null || f > best.Fitness)) best = e;
        // (A checked function keeps the mean over its seeds: a retraining with the run's seed repeats its first score.)
        if (e.Status == EvaluationStatus.Completed && !checkedFingerprints.Contains(e.Proposal.Fingerprint)) fitnessByFingerprint[e.Proposal.Fingerprint] = e.Fitness!.Value;
        NoteLeader(e);
        // A stopped candidate's score is a rung's, not comparable with full-budget fitness: it neither
        // competes nor is cached for deduplication (an equivalent child trains, and is likely stopped early again).
        if (e.Status == EvaluationStatus.Stopped) return e;
        double? competing = e.Fitness is { } fit && !double.IsNegativeInfinity(fit) ? fit   // -infinity: a copy of a function whose parent check failed
                            : settings.OnFailure == FailurePolicy.Worst ? double.NegativeInfinity : null;
        if (competing is null) return e;
        // A function already checked competes with its checked fitness, however this evaluation scored.
        bool isChecked = checkedFingerprints.Contains(e.Proposal.Fingerprint);
        if (isChecked && e.Status == EvaluationStatus.Completed)
            competing = fitnessByFingerprint[e.Proposal.Fingerprint] is var m && !double.IsNegativeInfinity(m) ? m
                        : settings.OnFailure == FailurePolicy.Worst ? double.NegativeInfinity : null;
        if (competing is null) return e;
        population.AddLast(new Individual(e, competing.Value, isChecked));
        if (population.Count > settings.PopulationSize)
        {
            if (settings.Strategy == StrategyKind.Tournament) population.Remove(WorstOfSample(e.Proposal.Sample));
            else population.RemoveFirst(); // aging: the oldest goes, however fit
        }
        return e;
    }

    /// <summary>Non-aging evolution: the worst of the child's sample still alive, else the worst of all.</summary>
    Individual WorstOfSample(IReadOnlyList<long> sample)
    {
        var alive = population.Where(i => sample.Contains(i.Id)).ToList();
        return (alive.Count > 0 ? alive : population.ToList()).MinBy(i => i.Fitness)!;
    }
}
