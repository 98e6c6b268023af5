using System.Collections;
using System.Reflection;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Persistence;
using EvoAct.Cluster.Serialization;
using EvoAct.Search.Strategies;
using EvoAct.Search.Fingerprints;
using EvoAct.Search.Mutation;
using EvoAct.Training.Data;
using EvoAct.Training.Trainer;

namespace EvoAct.Cluster.Tests.Persistence;

/// <summary>
/// Structural equality for round trips: records holding arrays or lists compare those by reference,
/// so walk every public property instead.
/// </summary>
internal static class Deep
{
    static bool IsLeaf(Type t) =>
        t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(DateTime) ||
        t == typeof(DateTimeOffset) || t == typeof(TimeSpan) || t == typeof(Guid);

    static IEnumerable<PropertyInfo> Properties(Type t) =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0);

    public static void Equal(object? expected, object? actual, string path = "")
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: expected {expected ?? "null"}, got {actual ?? "null"}");
            return;
        }
        var t = expected.GetType();
        if (IsLeaf(t))
        {
            Assert.True(expected.Equals(actual), $"{path}: expected {expected} ({t.Name}), got {actual} ({actual.GetType().Name})");
            if (expected is DateTime de) Assert.True(de.Kind == ((DateTime)actual).Kind, $"{path}: DateTime kind {de.Kind} became {((DateTime)actual).Kind}");
            return;
        }
        if (expected is IEnumerable e1)
        {
            Assert.True(actual is IEnumerable, $"{path}: expected a sequence, got {actual.GetType().Name}");
            var a = e1.Cast<object?>().ToList();
            var b = ((IEnumerable)actual).Cast<object?>().ToList();
            Assert.True(a.Count == b.Count, $"{path}: expected {a.Count} items, got {b.Count}");
            for (int i = 0; i < a.Count; i++) Equal(a[i], b[i], $"{path}[{i}]");
            return;
        }
        Assert.True(t == actual.GetType(), $"{path}: expected a {t.Name}, got a {actual.GetType().Name}");
        foreach (var p in Properties(t)) Equal(p.GetValue(expected), p.GetValue(actual), $"{path}.{p.Name}");
    }

    /// <summary>A sample is only a good round-trip test if no field holds its default (which a lost field would also read as).</summary>
    public static void NoDefaults(object? o, string path, params string[] allowed)
    {
        if (allowed.Contains(path)) return;
        Assert.True(o is not null, $"{path} is null in the sample");
        var t = o!.GetType();
        if (IsLeaf(t))
        {
            if (o is string text) Assert.False(text.Length == 0, $"{path} is empty in the sample");
            else Assert.False(o.Equals(Activator.CreateInstance(t)), $"{path} is {o}, its default, in the sample");
            return;
        }
        if (o is IEnumerable e)
        {
            int i = 0;
            foreach (var item in e) NoDefaults(item, $"{path}[{i++}]", allowed);
            Assert.True(i > 0, $"{path} is empty in the sample");
            return;
        }
        foreach (var p in Properties(t)) NoDefaults(p.GetValue(o), $"{path}.{p.Name}", allowed);
    }
}

/// <summary>One actor system for every test that needs the serializer (creating one per test is slow).</summary>
public sealed class SerializerFixture : IDisposable
{
    readonly ActorSystem system = ActorSystem.Create("evoact-serializer-tests");
    public EvoActSerializer Serializer { get; }

    public SerializerFixture() => Serializer = new EvoActSerializer((ExtendedActorSystem)system);

    public T RoundTrip<T>(T o) where T : notnull => (T)Serializer.FromBinary(Serializer.ToBinary(o), Serializer.Manifest(o));

    public void Dispose() => system.Dispose();
}

[CollectionDefinition(Name)]
public sealed class SerializerCollection : ICollectionFixture<SerializerFixture>
{
    public const string Name = "serializer";
}

[Collection(SerializerCollection.Name)]
public class SerializerTests(SerializerFixture fixture)
{
    readonly EvoActSerializer serializer = fixture.Serializer;

    static readonly DateTime At = new DateTime(2025, 3, 4, 5, 6, 7, 891, DateTimeKind.Utc).AddTicks(2345);

    /// <summary>Every field away from its default.</summary>
    public static TrainerSettings FullTraining { get; } = new()
    {
        Model = "resnet20", ProxyBlocks = 2, ProxyWidth = 16, ProxyStemStride = 2, Steps = 600, Epochs = 1.5, BatchSize = 64,
        EvalBatchSize = 250, LearningRate = 0.05, Momentum = 0.8, Nesterov = true, WeightDecay = 1e-4, Schedule = "step",
        WarmupSteps = 20, StepMilestones = [0.3, 0.6, 0.9], StepGamma = 0.2, Device = "cuda:1", Threads = 3, Seed = 11, TensorBoardDir = "/var/tb",
        Curve = [0.25, 1.0], RecordTest = true,
        Data = new DataSettings
        {
            Name = "cifar10", Path = "/data/cifar", TrainSubset = 1000, ValidationSize = 500, ValidationSeed = 5, CropPadding = 4,
            HorizontalFlip = true, Cifar100FineLabels = true, Synthetic = new SyntheticSettings(100, 50, 3, 2, 6, 9),
        },
    };

    public static RunPlan FullPlan { get; } = new(
        new SearchSpaceSpec(2, ["relu", "tanh", "sigmoid"], ["add", "mul"]),
        new MutationSettings(2, 0.5, 0.1),
        new FilterSettings(1e3, 1e-6),
        new EvolutionSettings
        {
            Strategy = StrategyKind.Tournament, PopulationSize = 30, SampleSize = 7, MaxEvaluations = 500, OnFailure = FailurePolicy.Worst,
            Deduplicate = true, Seed = ulong.MaxValue - 3, MaxFreeProposals = 77, SeedsPerCandidate = 3,
            Fidelity = new FidelitySettings([0.125, 0.5, 1.0], 0.25),
            FinalCheck = new FinalCheckSettings(10, 3), ParentCheckSeeds = 2,
        },
        FullTraining);

    static readonly CandidateProposed Proposed = new(
        Schema.Version, 42, "relu tanh add | x sigmoid mul", "mul(add(relu(x), tanh(x)), sigmoid(x))", "0123456789abcdef", 7,
        "unary", 3, "relu", "tanh", [7, 9, 7], "train", "ConstantOutput", 0.1 + 0.2, ulong.MaxValue - 1, At);

    static readonly SeedResult[] Seeds =
    [
        new(5, "completed", 0.875, 0.25, 0.75, 6.5, [new CurvePoint(0.5, 100, 0.5, 1.25), new CurvePoint(1.0, 200, 0.875, double.NaN)], "ok"),
        new(6, "diverged", 0.125, double.PositiveInfinity, 0.5, 1.5, [new CurvePoint(0.125, 25, 0.1, double.PositiveInfinity)], "non-finite loss at step 30"),
    ];

    static readonly EvaluationSettled Settled = new(Schema.Version, 42, "completed", 0.1 + 0.2, "ok", "worker-1", 12.5, At.AddSeconds(13), Seeds, "cuda:1");

    /// <summary>One sample per manifest, every field set.</summary>
    public static IEnumerable<object[]> Samples() => new object[]
    {
        new RunStarted(Schema.Version, "run-1", FullPlan, At),
        Proposed,
        new CandidatesProposed(Schema.Version, [Proposed with { Kind = "deduplicated", Id = 41 }, Proposed], At.AddSeconds(1)),
        Settled,
        new RunReconfigured(Schema.Version, FullPlan, ["mutation: ...", "max-evaluations: 500 -> 600"], At),
        new RunSnapshot(Schema.Version, [new RunStarted(Schema.Version, "run-1", FullPlan, At), Proposed, Settled]),
        new RunStateSnapshot(Schema.Version, "run-1", FullPlan, At,
            [new SnapshotIndividual(new SnapshotEvaluation(Proposed, "failed", 0.5, "nan loss", "worker-2", 3.25, 0.75), double.NegativeInfinity, ParentChecked: true)],
            [Proposed with { Id = 43 }], new Dictionary<string, double> { ["0123456789abcdef"] = 0.75 },
            new Dictionary<string, int> { ["completed"] = 3, ["rejected"] = 2 },
            new SnapshotEvaluation(Proposed, "completed", 0.875, "ok", "worker-1", 2.5, 1.0), ulong.MaxValue - 5, 44, 30, 2, 41,
            [[0.5, 0.25], [0.75]], new Dictionary<long, int> { [43] = 1 },
            [new SnapshotEvaluation(Proposed, "completed", 0.875, "ok", "worker-1", 2.5, 1.0)], 1, ["0123456789abcdef"]),
        new RequestWork("worker-1", "cuda:1"),
        new CandidateDispatched(Schema.Version, 42, "worker-1", "cuda:1", At),
        new Work("run-1", 42, "sigmul(x, x)", FullTraining, Test: true, Seeds: 2, RunSeed: 9, Rungs: [0.25, 1.0], Of: 40, SeedOffset: 3),
        new RungReached(Schema.Version, 42, 1, 0.625, true, "worker-1", 4.5, At, Seeds, "cuda:1"),
        new RungResult(42, "worker-1", 1, 0.625, 4.5, "sigmul(x, x)", Seeds, "cuda:1"),
        new RungDecision(42, 1, true),
        new NoWork(true),
        new WorkResult(42, "worker-1", "diverged", 0.25, "nan loss", 3.5, 0.75, "x * sigmoid(beta * x)", Seeds, "cpu"),
        new RunReady("run-1", true, 12, ["max-evaluations: 1 -> 2"], "refusing", Finished: true),
        new ResultAccepted(42),
        new JournalUnavailable("run-1", "57P01: terminating connection due to administrator command", TimeSpan.FromSeconds(4)),
        new JournalGaveUp("run-1", "the journal has been unavailable for 10m"),
        SubscribeProgress.Instance,
        new RunProgress("run-1", 1, 2, 3, 4, 5, 6, 7, 8, 9.5, 0.9, "sigmul(x, x)", 0.8, 0.7, true, 300, 1014, 2, 10),
        GetProgress.Instance,
        new EvoAct.Cluster.Transfer.TransferStarted(Schema.Version,
            new EvoAct.Cluster.Transfer.TransferPlan("run-1", "smoke", [new EvoAct.Cluster.Transfer.TransferJob(3, "relu", 2, OnProxy: true)], FullTraining,
                FullTraining with { Steps = 7 }, "cpu-proxy"), At),
        TransferDone,
        new EvoAct.Cluster.Transfer.TransferProgress(1, 2, true, [TransferDone]),
    }.Select(o => new[] { o });

    static readonly EvoAct.Cluster.Transfer.TransferJobDone TransferDone =
        new(Schema.Version, 3, "completed", 0.91, 0.9, "ok", "worker-1", 12.5, At);

    object RoundTrip(object o)
    {
        var manifest = serializer.Manifest(o);
        Assert.Equal(o.GetType().Name, manifest);
        var bytes = serializer.ToBinary(o);
        return serializer.FromBinary(bytes, manifest);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_message_and_event_round_trips(object message)
    {
        Deep.NoDefaults(message, message.GetType().Name);
        var back = RoundTrip(message);
        Assert.IsType(message.GetType(), back);
        Deep.Equal(message, back, message.GetType().Name);
    }

    [Fact]
    public void The_samples_cover_every_manifest_and_every_message_type_has_one()
    {
        var types = (IDictionary)typeof(EvoActSerializer).GetField("Types", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        var sampled = Samples().Select(s => s[0].GetType().Name).ToHashSet();
        Assert.Equal(types.Keys.Cast<string>().Order(), sampled.Order());

        var messageTypes = typeof(IEvoActMessage).Assembly.GetTypes()
            .Where(t => typeof(IEvoActMessage).IsAssignableFrom(t) && !t.IsInterface && !t.IsAbstract).ToArray();
        Assert.NotEmpty(messageTypes);
        // Akka binds every IEvoActMessage to this serializer: each must have a manifest.
        Assert.All(messageTypes, t => Assert.Contains(t.Name, sampled));
    }

    [Fact]
    public void Nulls_and_special_floating_point_values_round_trip()
    {
        var progress = new RunProgress("r", 0, 10, 0, 0, 0, 0, 0, 0, double.NaN, double.NegativeInfinity, null, double.PositiveInfinity, null, false);
        Deep.Equal(progress, RoundTrip(progress));
        var settled = new EvaluationSettled(Schema.Version, 1, "failed", null, null, null, 0, At);
        Deep.Equal(settled, RoundTrip(settled));
        var random = Proposed with { ParentId = null, MutationKind = null, MutationSlot = -1, MutationFrom = null, MutationTo = null, Sample = [], Rejection = null, CachedFitness = null };
        Deep.Equal(random, RoundTrip(random));
        var ready = new RunReady("r", false, 0, [], null);
        Deep.Equal(ready, RoundTrip(ready));
    }

    [Fact]
    public void A_settlement_journaled_before_seeds_existed_reads_with_none()
    {
        var old = Encoding.UTF8.GetBytes("{\"SchemaVersion\":1,\"Id\":3,\"Status\":\"completed\",\"Fitness\":0.5,\"Reason\":null,\"Worker\":\"w\",\"Seconds\":1.5,\"At\":\"2025-03-04T05:06:07Z\"}");
        var e = (EvaluationSettled)serializer.FromBinary(old, "EvaluationSettled");
        Assert.Equal(0.5, e.Fitness);
        Assert.Null(e.Seeds);
    }

    [Fact]
    public void An_enum_in_a_journaled_plan_reads_by_name_only()
    {
        var started = new RunStarted(Schema.Version, "run-1", FullPlan, At);
        var json = Encoding.UTF8.GetString(serializer.ToBinary(started));
        Assert.Contains("\"Strategy\":\"", json);
        foreach (var number in new[] { "0", "3" })
        {
            var bad = System.Text.RegularExpressions.Regex.Replace(json, "\"Strategy\":\"[A-Za-z]+\"", $"\"Strategy\":{number}");
            Assert.NotEqual(json, bad);
            Assert.ThrowsAny<Exception>(() => serializer.FromBinary(Encoding.UTF8.GetBytes(bad), serializer.Manifest(started)));
        }
    }

    [Fact]
    public void An_unknown_manifest_is_an_error_not_a_lookup()
    {
        var bytes = serializer.ToBinary(new RequestWork("w"));
        Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "Nope"));
        Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "EvoAct.Cluster.Messages.RequestWork, EvoAct.Cluster"));
        Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "requestwork"));
        Assert.Throws<ArgumentException>(() => serializer.Manifest("a string"));
        Assert.Throws<ArgumentException>(() => serializer.Manifest(new Uri("http://x")));
    }

    [Fact]
    public void A_snapshot_with_an_unknown_or_non_event_manifest_is_an_error()
    {
        var good = Encoding.UTF8.GetString(serializer.ToBinary(new RunSnapshot(Schema.Version, [Settled])));
        Assert.Contains("\"m\":\"EvaluationSettled\"", good);
        foreach (var m in new[] { "Nope", "Work", "RunSnapshot" })
        {
            var bad = Encoding.UTF8.GetBytes(good.Replace("\"m\":\"EvaluationSettled\"", $"\"m\":\"{m}\""));
            Assert.Throws<SerializationException>(() => serializer.FromBinary(bad, "RunSnapshot"));
        }
    }

    [Fact]
    public void Serializer_identity_is_stable()
    {
        // Persisted events name the serializer by id: changing it would orphan every journal.
        Assert.Equal(7401, serializer.Identifier);
        Assert.True(serializer.IncludeManifest);
    }
}
