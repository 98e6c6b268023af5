using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Persistence;
using EvoAct.Search.Strategies;

namespace EvoAct.Cluster.Configuration;

/// <summary>evoact.trainers.kind: real training, or the fake trainers of coordinator tests and benchmarks.</summary>
/// <summary>torch: real training; fake: a synthetic landscape (coordinator tests and benchmarks); table: replayed from a benchmark table.</summary>
public enum TrainerKind { Torch, Fake, Table }

/// <summary>evoact.persistence.provider: where the journal lives.</summary>
public enum JournalProvider { Sqlite, Postgres }

/// <summary>The config's names for its choices: one closed set each.</summary>
public static class ConfigNames
{
    public static readonly ClosedSet<TrainerKind> TrainerKind = new("trainer kind", (Configuration.TrainerKind.Torch, "torch"), (Configuration.TrainerKind.Fake, "fake"), (Configuration.TrainerKind.Table, "table"));
    public static readonly ClosedSet<JournalProvider> Provider = new("persistence provider", (JournalProvider.Sqlite, "sqlite"), (JournalProvider.Postgres, "postgres"));
    public static readonly ClosedSet<StrategyKind> Strategy = new("strategy", (StrategyKind.Regularized, "regularized"), (StrategyKind.Tournament, "tournament"),
        (StrategyKind.Random, "random"), (StrategyKind.Exhaustive, "exhaustive"));
    public static readonly ClosedSet<FailurePolicy> OnFailure = new("on-failure policy", (FailurePolicy.Ignore, "ignore"), (FailurePolicy.Worst, "worst"));
}

/// <summary>
/// This node's trainer slots: one per entry of <paramref name="Devices"/> (the node's, not the run's:
/// evoact.trainers.devices or --devices, else trainers.slots times <paramref name="Device"/>).
/// </summary>
/// <param name="Device">the node's default device (its training.device), for slots beyond the list</param>
/// <param name="Threads">torch threads on this node (its evoact.training.threads; 0: all cores)</param>
/// <param name="Table">kind = table: the table, loaded and checked against the run's space when the config is read.</param>
public sealed record TrainerSlots(TrainerKind Kind, TimeSpan FakeDelay, IReadOnlyList<string> Devices, string Device = "cpu", int Threads = 0,
                                  Tables.BenchmarkTable? Table = null, double TableTimeScale = 0, bool TableTrueFitness = false)
{
    public int Slots => Devices.Count;

    /// <summary>What trainer slot <paramref name="i"/> trains on: its device and this node's threads.</summary>
    public LocalTraining Local(int i) => new(i < Devices.Count ? Devices[i] : Device, Threads);

    /// <summary>One trainer per device of <paramref name="devices"/>.</summary>
    public TrainerSlots WithDevices(IReadOnlyList<string> devices) => this with { Devices = devices };

    /// <summary><paramref name="slots"/> trainers, on this node's default device.</summary>
    public TrainerSlots WithSlots(int slots) => this with { Devices = Enumerable.Repeat(Device, slots).ToArray() };

    /// <summary>What every trainer slot of this kind trains with.</summary>
    public IEvaluator Evaluator() => Kind switch
    {
        TrainerKind.Fake => new FakeEvaluator(FakeDelay),
        TrainerKind.Torch => new TorchEvaluator(),
        TrainerKind.Table => new Tables.TableEvaluator(Table!, TableTimeScale, TableTrueFitness),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null),
    };
}

public sealed record PersistenceSettings(JournalProvider Provider, string ConnectionString);

/// <summary>Everything `evoact run` needs, read and checked before anything starts or is written.</summary>
public sealed record RunSettings(
    string Name, string DataDirectory, int SnapshotEvery, TimeSpan EvaluationTimeout, TimeSpan ProgressInterval,
    RunPlan Plan, TrainerSlots Trainers, PersistenceSettings Persistence)
{
    /// <summary>The user's own akka.* settings (from --config or --set), layered over EvoAct's: TLS, log levels, tuning.</summary>
    public Akka.Configuration.Config UserAkka { get; init; } = Akka.Configuration.Config.Empty;

    /// <summary>How long the coordinator keeps retrying an unavailable journal before the process exits (evoact.run.journal-outage-limit).</summary>
    public TimeSpan JournalOutageLimit { get; init; } = TimeSpan.FromMinutes(10);

    public static RunSettings Read(ConfigReader c, string? dataOverride = null, string? runOverride = null)
    {
        var name = runOverride ?? c.String("evoact.run.name");
        // The name becomes file names (NAME.lock, transfer reports): "." and ".." name directories.
        if (name.Length == 0 || name.All(ch => ch == '.') || name.Any(ch => !(char.IsLetterOrDigit(ch) || ch is '-' or '_' or '.')))
            throw new ConfigException(runOverride is null ? "evoact.run.name" : "--run", $"'{name}' is not a valid run name (letters, digits, - _ .)");
        var plan = new RunPlan(
            SearchSpaceSpec.From(SearchConfig.SearchSpace(c)), SearchConfig.Mutation(c), SearchConfig.Filter(c),
            Evolution(c), TrainingConfig.Read(c));
        var provider = c.Choice("evoact.persistence.provider", ConfigNames.Provider);
        var connection = c.String("evoact.persistence.connection-string");
        if (provider == JournalProvider.Postgres && connection.Length == 0)
            throw new ConfigException("evoact.persistence.connection-string", "required when provider = postgres");
        if (provider == JournalProvider.Postgres) PostgresJournal.Parse(connection);
        return new RunSettings(
            name, dataOverride ?? c.String("evoact.run.data"),
            c.Int("evoact.run.snapshot-every", 1), c.Duration("evoact.run.evaluation-timeout"), c.Duration("evoact.run.progress-interval"),
            plan,
            ReadTrainers(c, plan),
            new PersistenceSettings(provider, connection))
        {
            UserAkka = c.Config.HasPath("akka") ? c.Config.GetValue("akka").AtKey("akka") : Akka.Configuration.Config.Empty,
            JournalOutageLimit = c.Duration("evoact.run.journal-outage-limit"),
        };
    }

    static TrainerSlots ReadTrainers(ConfigReader c, RunPlan plan)
    {
        int count = c.Int("evoact.trainers.slots", 0, 256);
        var slots = new TrainerSlots(c.Choice("evoact.trainers.kind", ConfigNames.TrainerKind), c.Duration("evoact.trainers.fake-delay", allowZero: true),
                                     [], plan.Training.Device, plan.Training.Threads);
        IReadOnlyList<string> devices;
        try
        {
            devices = DeviceList.Parse(c.StringList("evoact.trainers.devices"));
        }
        catch (FormatException e)
        {
            throw new ConfigException("evoact.trainers.devices", e.Message);
        }
        slots = devices.Count > 0 ? slots.WithDevices(devices) : slots.WithSlots(count);
        if (slots.Kind != TrainerKind.Table) return slots;
        var path = c.String("evoact.trainers.table");
        if (path.Length == 0) throw new ConfigException("evoact.trainers.table", "required when trainers.kind = table: a benchmark table (evoact export --per-seed of an exhaustive run)");
        Tables.BenchmarkTable table;
        try
        {
            table = Tables.BenchmarkTable.Load(path);
        }
        catch (Exception e) when (e is FileNotFoundException or FormatException)
        {
            throw new ConfigException("evoact.trainers.table", e.Message);
        }
        if (table.Mismatch(plan.Space.ToSearchSpace()) is { } why)
            throw new ConfigException("evoact.search-space", $"{why}: a table run searches its table's space");
        return slots with
        {
            Table = table, TableTimeScale = c.Double("evoact.trainers.table-time-scale", 0),
            TableTrueFitness = c.Choice("evoact.trainers.table-answer", "seed", "mean") == "mean",
        };
    }

    /// <summary>evoact.evolution.fidelity: no rungs is off; else ascending fractions of the budget ending at 1.0.</summary>
    static FidelitySettings? Fidelity(ConfigReader c)
    {
        const string key = "evoact.evolution.fidelity.rungs";
        var rungs = c.StringList(key).Select(v => double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var f) && f > 0 && f <= 1
            ? f : throw new ConfigException(key, $"rungs are fractions of the budget in (0, 1], got '{v}'")).ToArray();
        double keep = c.Double("evoact.evolution.fidelity.keep", 0, 1);
        if (rungs.Length == 0) return null;
        if (rungs.Length < 2) throw new ConfigException(key, "name at least two rungs (one short of the budget, and 1.0), or none to train every candidate fully");
        for (int i = 1; i < rungs.Length; i++)
            if (rungs[i] <= rungs[i - 1]) throw new ConfigException(key, $"rungs must increase, but {rungs[i]} follows {rungs[i - 1]}");
        if (rungs[^1] != 1) throw new ConfigException(key, $"the last rung must be 1.0 (the full budget), got {rungs[^1]}");
        if (keep <= 0 || keep >= 1) throw new ConfigException("evoact.evolution.fidelity.keep", $"keep is the share promoted at each rung, in (0, 1), got {keep}");
        return new FidelitySettings(rungs, keep);
    }

    static EvolutionSettings Evolution(ConfigReader c)
    {
        var s = new EvolutionSettings
        {
            Strategy = c.Choice("evoact.evolution.strategy", ConfigNames.Strategy),
            PopulationSize = c.Int("evoact.evolution.population-size", 1, 1_000_000),
            SampleSize = c.Int("evoact.evolution.sample-size", 1, 1_000_000),
            MaxEvaluations = c.Int("evoact.evolution.max-evaluations", 1),
            OnFailure = c.Choice("evoact.evolution.on-failure", ConfigNames.OnFailure),
            Deduplicate = c.Bool("evoact.evolution.deduplicate"),
            Seed = (ulong)c.Long("evoact.evolution.seed", 0),
            SeedsPerCandidate = c.Int("evoact.evolution.seeds-per-candidate", 1, 100),
            Fidelity = Fidelity(c),
            FinalCheck = c.Int("evoact.evolution.final-check.top", 0, 10_000) is > 0 and var top
                ? new FinalCheckSettings(top, c.Int("evoact.evolution.final-check.seeds", 1, 100)) : null,
            ParentCheckSeeds = c.Int("evoact.evolution.parent-check.seeds", 0, 100),
        };
        if (s.SampleSize > s.PopulationSize)
            throw new ConfigException("evoact.evolution.sample-size", $"{s.SampleSize} is larger than population-size {s.PopulationSize}");
        return s;
    }
}
