using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Persistence;

namespace EvoAct.Cluster.Serialization;

/// <summary>
/// JSON with an explicit, closed manifest per type, for messages and persisted events. Nothing read
/// from the wire names a type to instantiate: an unknown manifest is an error, not a lookup. Event
/// records carry a schema version.
/// </summary>
public sealed class EvoActSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public override int Identifier => 7401;

    static readonly Dictionary<string, Type> Types = new()
    {
        ["RunStarted"] = typeof(RunStarted),
        ["CandidateProposed"] = typeof(CandidateProposed),
        ["CandidatesProposed"] = typeof(CandidatesProposed),
        ["CandidateDispatched"] = typeof(CandidateDispatched),
        ["EvaluationSettled"] = typeof(EvaluationSettled),
        ["RungReached"] = typeof(RungReached),
        ["RungResult"] = typeof(RungResult),
        ["RungDecision"] = typeof(RungDecision),
        ["RunReconfigured"] = typeof(RunReconfigured),
        ["RunSnapshot"] = typeof(RunSnapshot),
        ["RunStateSnapshot"] = typeof(RunStateSnapshot),
        ["RequestWork"] = typeof(RequestWork),
        ["Work"] = typeof(Work),
        ["NoWork"] = typeof(NoWork),
        ["WorkResult"] = typeof(WorkResult),
        ["ResultAccepted"] = typeof(ResultAccepted),
        ["JournalUnavailable"] = typeof(JournalUnavailable),
        ["JournalGaveUp"] = typeof(JournalGaveUp),
        ["RunReady"] = typeof(RunReady),
        ["SubscribeProgress"] = typeof(SubscribeProgress),
        ["RunProgress"] = typeof(RunProgress),
        ["GetProgress"] = typeof(GetProgress),
        ["TransferStarted"] = typeof(Transfer.TransferStarted),
        ["TransferJobDone"] = typeof(Transfer.TransferJobDone),
        ["TransferProgress"] = typeof(Transfer.TransferProgress),
    };

    static readonly Dictionary<Type, string> Manifests = Types.ToDictionary(p => p.Value, p => p.Key);

    public static readonly JsonSerializerOptions Options = new()
    {
        // Enums by name only: a number ("Strategy": 3) is refused, as a closed set refuses "3".
        Converters = { new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public override string Manifest(object o) =>
        Manifests.TryGetValue(o.GetType(), out var m) ? m : throw new ArgumentException($"EvoActSerializer cannot serialize {o.GetType()}");

    public override byte[] ToBinary(object obj) => obj switch
    {
        RunSnapshot s => JsonSerializer.SerializeToUtf8Bytes(SnapshotNode(s), Options),
        _ => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!Types.TryGetValue(manifest, out var type)) throw new System.Runtime.Serialization.SerializationException($"unknown EvoAct manifest '{manifest}'");
        if (type == typeof(RunSnapshot)) return ReadSnapshot(bytes);
        return JsonSerializer.Deserialize(bytes, type, Options) ?? throw new System.Runtime.Serialization.SerializationException($"empty {manifest}");
    }

    /// <summary>The snapshot's events keep their own manifests: [{"m": "CandidateProposed", "e": {...}}, ...].</summary>
    static JsonObject SnapshotNode(RunSnapshot s) => new()
    {
        ["SchemaVersion"] = s.SchemaVersion,
        ["Events"] = new JsonArray(s.Events.Select(e => (JsonNode)new JsonObject
        {
            ["m"] = Manifests[e.GetType()],
            ["e"] = JsonSerializer.SerializeToNode(e, e.GetType(), Options),
        }).ToArray()),
    };

    static RunSnapshot ReadSnapshot(byte[] bytes)
    {
        var root = JsonNode.Parse(bytes)!.AsObject();
        var events = root["Events"]!.AsArray().Select(n =>
        {
            var m = n!["m"]!.GetValue<string>();
            if (!Types.TryGetValue(m, out var t) || !typeof(IRunEvent).IsAssignableFrom(t))
                throw new System.Runtime.Serialization.SerializationException($"unknown event manifest '{m}' in snapshot");
            return (IRunEvent)n["e"].Deserialize(t, Options)!;
        }).ToArray();
        return new RunSnapshot(root["SchemaVersion"]!.GetValue<int>(), events);
    }
}
