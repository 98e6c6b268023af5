using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Persistence;
using EvoAct.Search;
using EvoAct.Search.Strategies;
using EvoAct.Search.Fingerprints;
using EvoAct.Search.Mutation;
using EvoAct.Training.Trainer;

namespace EvoAct.Cluster.Tests.Persistence;

/// <summary>
/// The run as the fold of its events: what the population actor applies live, on recovery and what
/// `status` reads. Driven here as the actor would, without actors.
/// </summary>
[Collection(SerializerCollection.Name)]
public class RunStateTests(SerializerFixture serializer)
{
    static readonly DateTime T0 = new(2025, 6, 1, 8, 0, 0, DateTimeKind.Utc);

    static RunPlan Plan(int max = 40, ulong seed = 3, FailurePolicy onFailure = FailurePolicy.Ignore) => new(
        new SearchSpaceSpec(1, ["x", "neg", "abs", "relu", "tanh", "sigmoid"], ["add", "sub", "mul", "max"]),
        new MutationSettings(1, 1, 0.2),
        FilterSettings.Default,
        new EvolutionSettings { PopulationSize = 6, SampleSize = 3, MaxEvaluations = max, Seed = seed, OnFailure = onFailure },
        new TrainerSettings());

    /// <summary>A stable fake fitness (string.GetHashCode is randomised per process).</summary>
    static double Fitness(string expression) => expression.Aggregate(17, (h, c) => (h * 31 + c) % 10007) / 10007.0;

    /// <summary>
    /// Runs as the population actor does: decide, persist the proposal, hand trainings to up to
    /// <paramref name="workers"/> workers, settle their results in random order. Stops after
    /// <paramref name="maxEvents"/> events, possibly with trainings in flight.
    /// </summary>
    static (RunState State, List<IRunEvent> Events) Drive(RunPlan plan, int workers = 3, int maxEvents = int.MaxValue, bool keepHistory = true)
    {
        var state = new RunState(keepHistory);
        var events = new List<IRunEvent>();
        var at = T0;
        void Record(IRunEvent e) { state.Apply(e); events.Add(e); }

        Record(new RunStarted(Schema.Version, "test-run", plan, at));
        var running = new List<Proposal>();
        var rng = new Rng(1234);
        while (events.Count < maxEvents)
        {
            at = at.AddSeconds(1);
            if (running.Count < workers && state.Evolution!.Decide() is { } p)
            {
                Record(RunState.ToEvent(p, at));
                if (p.Kind == ProposalKind.Train) running.Add(p);
                continue;
            }
            if (running.Count == 0) break;
            var done = running[rng.Next(running.Count)];
            running.Remove(done);
            var (status, fitness) = (done.Id % 7) switch
            {
                0 => ("failed", (double?)null),
                3 => ("diverged", null),
                _ => ("completed", Fitness(done.Expression)),
            };
            Record(new EvaluationSettled(Schema.Version, done.Id, status, fitness, status == "completed" ? null : "fake", $"w{done.Id % 3}", done.Id * 0.5, at));
        }
        return (state, events);
    }

    static string Describe(RunState s)
    {
        var ev = s.Evolution!;
        return $"run {s.Run}; started {s.StartedAt:O}; events {s.Events.Count}; trained {ev.Trained}; settings {ev.Settings}; " +
               $"in flight {string.Join(",", ev.InFlight.Select(p => p.Id).Order())}; " +
               $"population {string.Join(",", ev.Population.Select(i => $"{i.Id}={i.Fitness}"))}; " +
               $"history {string.Join(",", ev.History.Select(h => $"{h.Id}:{h.Status}:{h.Fitness}:{h.Reason}:{h.Worker}:{h.Seconds}"))}; " +
               $"proposed {string.Join(",", s.ProposedAt.OrderBy(p => p.Key).Select(p => $"{p.Key}@{p.Value:O}"))}; " +
               $"finished {ev.Finished}";
    }

    /// <summary>What a state without history holds: everything that decides what comes next, and what progress reports.</summary>
    static string DescribeLean(RunState s)
    {
        var ev = s.Evolution!;
        return $"run {s.Run}; started {s.StartedAt:O}; trained {ev.Trained}; settings {ev.Settings}; " +
               $"in flight {string.Join(",", ev.InFlight.Select(p => $"{p.Id}:{p.Expression}").Order())}; " +
               $"population {string.Join(",", ev.Population.Select(i => $"{i.Id}={i.Fitness}:{i.Evaluation.Status}:{i.Evaluation.Reason}:{i.Evaluation.Worker}"))}; " +
               $"counts {string.Join(",", Enum.GetValues<EvaluationStatus>().Select(st => $"{st}={ev.Count(st)}"))}; " +
               $"best {ev.Best?.Id}={ev.Best?.Fitness}; finished {ev.Finished}; exhausted {ev.Exhausted}";
    }

    T RoundTrip<T>(T o) where T : notnull => serializer.RoundTrip(o);

    static List<Proposal> AllProposals(RunState s) =>
        s.Evolution!.History.Select(h => h.Proposal).Concat(s.Evolution.InFlight).OrderBy(p => p.Id).ToList();

    [Fact]
    public void A_proposal_survives_the_event_mapping_and_the_serializer_field_by_field()
    {
        var (state, events) = Drive(Plan(max: 60, onFailure: FailurePolicy.Worst));
        var proposals = AllProposals(state);
        // every shape of proposal occurs
        Assert.Contains(proposals, p => p.ParentId is null);
        Assert.Contains(proposals, p => p.Mutation?.Kind == MutationKind.Unary);
        Assert.Contains(proposals, p => p.Mutation?.Kind == MutationKind.Binary);
        Assert.Contains(proposals, p => p.Mutation?.Kind == MutationKind.Identity);
        Assert.Contains(proposals, p => p.Kind == ProposalKind.Rejected && p.Rejection is not null);
        Assert.Contains(proposals, p => p.Kind == ProposalKind.Deduplicated && p.CachedFitness is not null);
        Assert.Contains(proposals, p => p.RngState > (ulong)long.MaxValue);

        foreach (var p in proposals)
        {
            var at = T0.AddMinutes(p.Id);
            var e = RunState.ToEvent(p, at);
            Assert.Equal((Schema.Version, p.Id, at), (e.SchemaVersion, e.Id, e.At));
            Deep.Equal(p, RunState.ToProposal(e), $"proposal {p.Id}");
            Deep.Equal(p, RunState.ToProposal(RoundTrip(e)), $"proposal {p.Id} after the serializer");
        }
        // and the events the run persisted are exactly these
        Assert.Equal(proposals.Count, events.OfType<CandidateProposed>().Count());
        foreach (var e in events.OfType<CandidateProposed>())
            Deep.Equal(RunState.ToEvent(proposals.Single(p => p.Id == e.Id), e.At), e);
    }

    [Fact]
    public void Event_fields_use_stable_names()
    {
        var (state, _) = Drive(Plan(max: 60));
        var proposals = AllProposals(state);
        var identity = RunState.ToEvent(proposals.First(p => p.Mutation?.Kind == MutationKind.Identity), T0);
        Assert.Equal(("identity", -1, null, null), (identity.MutationKind, identity.MutationSlot, identity.MutationFrom, identity.MutationTo));
        var unary = proposals.First(p => p.Mutation?.Kind == MutationKind.Unary);
        var ue = RunState.ToEvent(unary, T0);
        Assert.Equal(("unary", unary.Mutation!.Slot, unary.Mutation.From, unary.Mutation.To), (ue.MutationKind, ue.MutationSlot, ue.MutationFrom, ue.MutationTo));
        Assert.Equal(unary.Genome.Encode(), ue.Genome);
        Assert.Equal("train", RunState.ToEvent(proposals.First(p => p.Kind == ProposalKind.Train), T0).Kind);
        var random = RunState.ToEvent(proposals.First(p => p.ParentId is null), T0);
        Assert.Equal((null, -1, 0), (random.MutationKind, random.MutationSlot, random.Sample.Length));
        var rejected = RunState.ToEvent(proposals.First(p => p.Kind == ProposalKind.Rejected), T0);
        Assert.Equal("rejected", rejected.Kind);
        Assert.True(Enum.TryParse<Rejection>(rejected.Rejection, out _));
        Assert.Equal("deduplicated", RunState.ToEvent(proposals.First(p => p.Kind == ProposalKind.Deduplicated), T0).Kind);
    }

    [Fact]
    public void Folding_the_persisted_events_again_restores_the_run()
    {
        var (live, events) = Drive(Plan(), maxEvents: 45);
        Assert.NotEmpty(live.Evolution!.InFlight); // interrupted with work in flight

        var recovered = new RunState();
        foreach (var e in events) recovered.Apply(RoundTrip(e));
        Assert.Equal(Describe(live), Describe(recovered));
        Deep.Equal(live.Plan, recovered.Plan);
        Deep.Equal(live.Evolution.Decide(), recovered.Evolution!.Decide());
        Assert.Equal(live.Evolution.Best?.Id, recovered.Evolution.Best?.Id);
    }

    [Fact]
    public void A_resumed_run_goes_on_exactly_as_the_uninterrupted_one()
    {
        // The uninterrupted run with one worker, and the same run stopped after 30 events and recovered.
        var (whole, wholeEvents) = Drive(Plan(), workers: 1);
        var (_, firstPart) = Drive(Plan(), workers: 1, maxEvents: 30);
        var resumed = new RunState();
        resumed.Restore(RoundTrip(new RunSnapshot(Schema.Version, firstPart)));
        Assert.Equal(30, resumed.Events.Count);
        // from here the strategy decides what the uninterrupted run decided, given the same results

        foreach (var e in wholeEvents.Skip(30))
        {
            if (e is CandidateProposed cp) Deep.Equal(RunState.ToProposal(cp), resumed.Evolution!.Decide());
            resumed.Apply(e);
        }
        Assert.Equal(Describe(whole), Describe(resumed));
        Assert.True(resumed.Evolution!.Finished);
    }

    [Fact]
    public void A_snapshot_round_trips_and_goes_on_exactly_as_the_fold_of_its_events()
    {
        var (whole, events) = Drive(Plan(), maxEvents: 60, keepHistory: false);
        const int Durable = 41;
        var lean = new RunState(keepHistory: false);
        foreach (var e in events.Take(Durable)) lean.Apply(e);
        Assert.NotEmpty(lean.Evolution!.InFlight);
        var snapshot = lean.Snapshot(T0);
        Assert.Equal(Schema.Version, snapshot.SchemaVersion);

        var back = RoundTrip(snapshot);
        Deep.Equal(snapshot, back);
        var fromSnapshot = new RunState(keepHistory: false);
        fromSnapshot.Restore(back);
        Assert.Equal(DescribeLean(lean), DescribeLean(fromSnapshot));
        Deep.Equal(lean.Evolution.Decide(), fromSnapshot.Evolution!.Decide());

        // then the later events from the journal bring it to the live state, deciding alike on the way
        foreach (var e in events.Skip(Durable))
        {
            if (e is CandidateProposed cp) Deep.Equal(RunState.ToProposal(cp), fromSnapshot.Evolution.Decide());
            fromSnapshot.Apply(RoundTrip(e));
        }
        Assert.Equal(DescribeLean(whole), DescribeLean(fromSnapshot));
        // and the lean fold agrees with the full one on everything it keeps
        var full = new RunState();
        foreach (var e in events) full.Apply(e);
        Assert.Equal(DescribeLean(full), DescribeLean(fromSnapshot));
    }

    /// <summary>Consecutive proposals merged into batches, by the population actor's own row function.</summary>
    static List<IRunEvent> Batched(IEnumerable<IRunEvent> events) => PopulationActor.Rows(events.ToList()).ToList();

    [Fact]
    public void Proposals_written_in_batches_fold_to_the_same_run_as_one_by_one()
    {
        var (whole, events) = Drive(Plan(max: 60, onFailure: FailurePolicy.Worst));
        var batched = Batched(events);
        Assert.Contains(batched, e => e is CandidatesProposed { Proposals.Count: > 2 });
        Assert.True(batched.Count < events.Count);

        var folded = new RunState();
        foreach (var e in batched) folded.Apply(RoundTrip(e));
        string WithoutEventCount(RunState s) => Describe(s).Replace($"events {s.Events.Count}; ", "");
        Assert.Equal(WithoutEventCount(whole), WithoutEventCount(folded));
        Assert.Equal(batched.Count, folded.Events.Count);
        Deep.Equal(events, RunState.OneByOne(batched).ToList());
        Deep.Equal(whole.Evolution!.Decide(), folded.Evolution!.Decide());
    }

    [Fact]
    public void A_snapshot_holds_the_population_not_the_history()
    {
        var (state, events) = Drive(Plan(max: 400), keepHistory: false);
        Assert.True(state.Evolution!.Finished);
        var snapshot = state.Snapshot(T0);
        Assert.True(snapshot.Population.Count <= 6, $"population of {snapshot.Population.Count}");
        Assert.Empty(snapshot.InFlight);
        int snapshotBytes = serializer.Serializer.ToBinary(snapshot).Length;
        int eventBytes = events.Sum(e => serializer.Serializer.ToBinary(e).Length);
        Assert.True(snapshotBytes * 5 < eventBytes, $"snapshot {snapshotBytes} bytes, events {eventBytes} bytes");
        Assert.Throws<InvalidOperationException>(() => state.Evolution.History);
        Assert.Throws<InvalidOperationException>(() => new RunState().Restore(snapshot)); // a history would be incomplete
    }

    [Fact]
    public void A_reconfigured_run_takes_the_new_budget_and_mutation_settings()
    {
        var (state, events) = Drive(Plan(max: 20));
        Assert.True(state.Evolution!.Finished);
        Assert.Null(state.Evolution.Decide());

        var plan = Plan(max: 25) with { Mutation = new MutationSettings(1, 1, 1.0) };
        var changes = state.Plan!.Changes(plan);
        Assert.Equal(2, changes.Count);
        var reconfigured = RoundTrip(new RunReconfigured(Schema.Version, plan, changes, T0.AddDays(1)));
        Assert.Null(state.Apply(reconfigured));
        Assert.Equal(25, state.Evolution.Settings.MaxEvaluations);
        Assert.Equal(25, state.Plan.Evolution.MaxEvaluations);
        Assert.Equal(1.0, state.Plan.Mutation.IdentityProbability);
        Assert.False(state.Evolution.Finished);
        var next = state.Evolution.Decide()!;
        Assert.Equal(MutationKind.Identity, next.Mutation?.Kind); // identity probability 1

        var recovered = new RunState();
        foreach (var e in events.Append(reconfigured)) recovered.Apply(RoundTrip(e));
        Assert.Equal(Describe(state), Describe(recovered));
        Deep.Equal(next, recovered.Evolution!.Decide());
    }

    [Fact]
    public void Settled_events_return_the_evaluation_and_duplicates_are_ignored()
    {
        var state = new RunState();
        Assert.False(state.Started);
        Assert.Null(state.Apply(new RunStarted(Schema.Version, "r", Plan(), T0)));
        Assert.True(state.Started);
        Assert.Equal(("r", T0), (state.Run, state.StartedAt));
        var p = state.Evolution!.Decide()!;
        Assert.Null(state.Apply(RunState.ToEvent(p, T0.AddSeconds(1))));
        Assert.Equal(T0.AddSeconds(1), state.ProposedAt[p.Id]);

        // trainers report lower case; either case is read
        var e = state.Apply(new EvaluationSettled(Schema.Version, p.Id, "completed", 0.75, null, "w", 2, T0.AddSeconds(2)))!;
        Assert.Equal((p.Id, EvaluationStatus.Completed, 0.75, "w", 2.0), (e.Id, e.Status, e.Fitness, e.Worker, e.Seconds));
        Assert.Null(state.Apply(new EvaluationSettled(Schema.Version, p.Id, "completed", 0.1, null, "w2", 2, T0.AddSeconds(3))));
        Assert.Equal(1, state.Evolution.Trained);
        Assert.Equal(0.75, state.Evolution.Population.Single().Fitness);
        Assert.Equal(4, state.Events.Count); // the journal still holds the duplicate; the fold ignores it
    }

    sealed record Bogus(int SchemaVersion, DateTime At) : IRunEvent;

    [Fact]
    public void An_unknown_event_is_an_error()
    {
        var state = new RunState();
        state.Apply(new RunStarted(Schema.Version, "r", Plan(), T0));
        Assert.Throws<InvalidOperationException>(() => state.Apply(new Bogus(1, T0)));
    }
}
