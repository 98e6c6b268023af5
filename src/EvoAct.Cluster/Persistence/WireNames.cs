using EvoAct.Search.Evolution;
using EvoAct.Search.Fingerprints;
using EvoAct.Search.Mutation;

namespace EvoAct.Cluster.Persistence;

/// <summary>
/// A closed set: each value of <typeparamref name="T"/> has exactly one name on the wire and in the
/// journal, and only those names read back (Enum.Parse would also take "3", "COMPLETED" or a name the
/// enum gains later). Built from an explicit list, which must name every value.
/// </summary>
public sealed class WireName<T> where T : struct, Enum
{
    readonly Dictionary<T, string> names = new();
    readonly Dictionary<string, T> values = new(StringComparer.Ordinal);
    readonly string what;

    public WireName(string what, params (T Value, string Name)[] pairs)
    {
        this.what = what;
        foreach (var (value, name) in pairs)
        {
            names.Add(value, name);
            values.Add(name, value);
        }
        var missing = Enum.GetValues<T>().Where(v => !names.ContainsKey(v)).ToArray();
        if (missing.Length > 0) throw new InvalidOperationException($"no wire name for {what} {string.Join(", ", missing)}");
    }

    public IReadOnlyCollection<string> Names => values.Keys;

    public string this[T value] => names[value];

    public bool TryParse(string? name, out T value) => values.TryGetValue(name ?? "", out value);

    public T Parse(string? name) => TryParse(name, out var v) ? v
        : throw new FormatException($"unknown {what} '{name}' (expected one of {string.Join(", ", values.Keys)})");
}

/// <summary>The names the protocol and the journal use for the search's enums: one mapping, both ways.</summary>
public static class WireNames
{
    public static readonly WireName<EvaluationStatus> Status = new("evaluation status",
        (EvaluationStatus.Completed, "completed"), (EvaluationStatus.Diverged, "diverged"), (EvaluationStatus.Failed, "failed"),
        (EvaluationStatus.Rejected, "rejected"), (EvaluationStatus.Deduplicated, "deduplicated"));

    /// <summary>What a trainer may report: a training's outcomes (rejected and deduplicated are decided without one).</summary>
    public static bool IsTrainingOutcome(EvaluationStatus s) => s is EvaluationStatus.Completed or EvaluationStatus.Diverged or EvaluationStatus.Failed;

    public static readonly WireName<ProposalKind> Proposal = new("proposal kind",
        (ProposalKind.Train, "train"), (ProposalKind.Rejected, "rejected"), (ProposalKind.Deduplicated, "deduplicated"));

    public static readonly WireName<MutationKind> Mutation = new("mutation kind",
        (MutationKind.Identity, "identity"), (MutationKind.Unary, "unary"), (MutationKind.Binary, "binary"));

    /// <summary>As journals since the first version hold them (the enum's own names; `inspect` prints snake_case ones).</summary>
    public static readonly WireName<Rejection> Rejection = new("rejection",
        (Search.Fingerprints.Rejection.NonFiniteOutput, "NonFiniteOutput"), (Search.Fingerprints.Rejection.NonFiniteGradient, "NonFiniteGradient"),
        (Search.Fingerprints.Rejection.ConstantOutput, "ConstantOutput"), (Search.Fingerprints.Rejection.OutputTooLarge, "OutputTooLarge"));
}
