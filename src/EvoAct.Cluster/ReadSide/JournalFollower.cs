using Akka.Actor;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.Hosting;
using EvoAct.Cluster.Persistence;
using EvoAct.Cluster.Transfer;
using EvoAct.Search.Strategies;

namespace EvoAct.Cluster.ReadSide;

/// <summary>One point of a run's fitness over time: a trained evaluation, with the best so far and the population's median after it.</summary>
public readonly record struct FitnessPoint(int Training, long Id, EvaluationStatus Status, double? Fitness, double? Best, double? PopulationMedian, DateTime At);

/// <summary>A run as the follower knows it: the fold of its events so far (the same fold as status), and what the fold forgets.</summary>
public sealed class FollowedRun(string name)
{
    public string Name { get; } = name;
    public RunState State { get; } = new();
    public DateTime LastActivity { get; internal set; }
    public long SequenceNr { get; internal set; }
    public List<FitnessPoint> Series { get; } = new();
    public List<RunReconfigured> Reconfigurations { get; } = new();
    public bool Finished => State.Evolution!.Finished;
}

/// <summary>A transfer: its plan and the jobs done so far.</summary>
public sealed class FollowedTransfer(string name)
{
    public string Name { get; } = name;
    public TransferPlan? Plan { get; internal set; }
    public DateTime StartedAt { get; internal set; }
    public DateTime LastActivity { get; internal set; }
    public long SequenceNr { get; internal set; }
    public Dictionary<int, TransferJobDone> Done { get; } = new();
    public bool Finished => Plan is not null && Done.Count >= Plan.Jobs.Count;
}

/// <summary>
/// Follows every run and transfer in a journal while processes write it: polls the read journal
/// (Akka.Persistence.Query, as `status` reads it) every interval for new persistence ids and each
/// one's new events, and folds them. Readers take <see cref="Gate"/> while they look at a run, so
/// they never see a fold half done. A journal that does not exist yet (SQLite) is waited for, not
/// created; one that fails is retried each interval, its reason in <see cref="Problem"/>.
/// </summary>
public sealed class JournalFollower : IAsyncDisposable
{
    readonly PersistenceSettings persistence;
    readonly string dataDirectory;
    readonly TimeSpan interval;
    readonly CancellationTokenSource stop = new();
    readonly Dictionary<string, FollowedRun> runs = new();        // by persistence id
    readonly Dictionary<string, FollowedRun> runsByName = new();
    readonly Dictionary<string, FollowedTransfer> transfers = new();
    readonly HashSet<string> others = new();
    ActorSystem? system;
    SqlReadJournal? journal;
    Task? loop;
    TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // One poll at a time: two would fold the same events twice.
    readonly SemaphoreSlim polling = new(1, 1);

    public object Gate { get; } = new();
    /// <summary>Bumped whenever anything changed; with <see cref="WaitForChangeAsync"/>, what live pages wait on.</summary>
    public long Version { get; private set; }
    /// <summary>Why the journal cannot be read right now, or null.</summary>
    public string? Problem { get; private set; }
    /// <summary>How many polls have completed (a stuck follower shows here).</summary>
    public long Polls { get; private set; }

    public JournalFollower(PersistenceSettings persistence, string dataDirectory, TimeSpan interval) =>
        (this.persistence, this.dataDirectory, this.interval) = (persistence, dataDirectory, interval);

    public IReadOnlyList<FollowedRun> Runs { get { lock (Gate) return runs.Values.OrderBy(r => r.State.StartedAt).ToArray(); } }
    public IReadOnlyList<FollowedTransfer> Transfers { get { lock (Gate) return transfers.Values.OrderBy(t => t.StartedAt).ToArray(); } }
    public FollowedRun? Run(string name) { lock (Gate) return runsByName.GetValueOrDefault(name); }
    public FollowedTransfer? Transfer(string name) { lock (Gate) return transfers.GetValueOrDefault(name); }

    public void Start() => loop ??= Task.Run(() => LoopAsync(stop.Token));

    /// <summary>Completes when something changes after <paramref name="version"/> (at once if it already has).</summary>
    public Task WaitForChangeAsync(long version, CancellationToken ct)
    {
        Task t;
        lock (Gate) t = Version > version ? Task.CompletedTask : changed.Task;
        return t.WaitAsync(ct);
    }

    /// <summary>One poll, for tests and the first page: reads everything new now.</summary>
    public async Task PollAsync()
    {
        await polling.WaitAsync();
        try { await PollOnceAsync(); }
        finally { polling.Release(); }
    }

    async Task PollOnceAsync()
    {
        if (journal is null)
        {
            bool sqlite = persistence.Provider == JournalProvider.Sqlite;
            if (sqlite && !File.Exists(AkkaSetup.SqlitePath(dataDirectory)))
            {
                Problem = null; // no run has written here yet: an empty dashboard, not an error
                return;
            }
            system = ActorSystem.Create("evoact-dashboard", AkkaSetup.Build(persistence, dataDirectory));
            journal = JournalReader.OpenReadJournal(system);
        }
        var ids = await journal.CurrentPersistenceIds().RunAggregate(new List<string>(), (l, id) => { l.Add(id); return l; }, system!.Materializer());
        bool any = false;
        foreach (var id in ids)
        {
            if (others.Contains(id)) continue;
            long from = runs.TryGetValue(id, out var r) ? r.SequenceNr + 1 : transfers.TryGetValue(id, out var t) ? t.SequenceNr + 1 : 0;
            var events = await journal.CurrentEventsByPersistenceId(id, from, long.MaxValue)
                                      .RunAggregate(new List<Akka.Persistence.Query.EventEnvelope>(), (l, e) => { l.Add(e); return l; }, system.Materializer());
            if (events.Count == 0) continue;
            lock (Gate)
            {
                foreach (var env in events) Apply(id, env);
                any = true;
            }
        }
        lock (Gate)
        {
            if (any)
            {
                Version++;
                var done = changed;
                changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                done.SetResult();
            }
        }
        Problem = null;
        Polls++;
    }

    void Apply(string id, Akka.Persistence.Query.EventEnvelope env)
    {
        switch (env.Event)
        {
            case RunStarted s when !runs.ContainsKey(id):
                runs[id] = runsByName[s.Run] = new FollowedRun(s.Run);
                break;
            case TransferStarted when !transfers.ContainsKey(id):
                transfers[id] = new FollowedTransfer(id);
                break;
        }
        if (runs.TryGetValue(id, out var run)) ApplyRun(run, env);
        else if (transfers.TryGetValue(id, out var transfer)) ApplyTransfer(transfer, env);
        else others.Add(id); // a persistence id of something else (or a run whose first event is gone): not ours to show
    }

    static void ApplyRun(FollowedRun run, Akka.Persistence.Query.EventEnvelope env)
    {
        var e = (IRunEvent)env.Event;
        var state = run.State;
        foreach (var one in RunState.OneByOne([e]))
        {
            var settled = state.Apply(one);
            if (one is RunReconfigured re) run.Reconfigurations.Add(re);
            if (settled is { Trained: true })
            {
                var fitness = state.Evolution!.Population.Select(i => i.Fitness).Order().ToArray();
                double? median = fitness.Length == 0 ? null : fitness.Length % 2 == 1 ? fitness[fitness.Length / 2] : (fitness[fitness.Length / 2 - 1] + fitness[fitness.Length / 2]) / 2;
                var at = state.SettledAt.GetValueOrDefault(settled.Id);
                run.Series.Add(new FitnessPoint(run.Series.Count + 1, settled.Id, settled.Status, settled.Fitness, state.Evolution.Best?.Fitness, median, at));
            }
        }
        run.SequenceNr = env.SequenceNr;
        run.LastActivity = e.At;
    }

    static void ApplyTransfer(FollowedTransfer t, Akka.Persistence.Query.EventEnvelope env)
    {
        switch (env.Event)
        {
            case TransferStarted s:
                (t.Plan, t.StartedAt, t.LastActivity) = (s.Plan, s.At, s.At);
                break;
            case TransferJobDone d:
                t.Done[d.Job] = d;
                t.LastActivity = d.At;
                break;
        }
        t.SequenceNr = env.SequenceNr;
    }


    async Task LoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await PollAsync();
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // The journal went away (server restarted, file locked): keep what was read, say why, retry.
                Problem = $"journal unavailable: {e.GetBaseException().Message}";
            }
            try { await Task.Delay(interval, ct); } catch (OperationCanceledException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        if (loop is not null) await loop;
        if (system is not null) await system.Terminate();
    }
}
