using EvoAct.Search.Strategies;
using EvoAct.Search.Fingerprints;
using EvoAct.Search.Mutation;

namespace EvoAct.Cluster.Persistence;

/// <summary>The names the protocol and the journal use for the search's enums: one mapping, both ways.</summary>
public static class WireNames
{
    public static readonly ClosedSet<EvaluationStatus> Status = new("evaluation status",
        (EvaluationStatus.Completed, "completed"), (EvaluationStatus.Diverged, "diverged"), (EvaluationStatus.Failed, "failed"),
        (EvaluationStatus.Rejected, "rejected"), (EvaluationStatus.Deduplicated, "deduplicated"), (EvaluationStatus.Stopped, "stopped"));

    /// <summary>What a trainer may report: a training's outcomes (rejected and deduplicated are decided without one; stopped by the coordinator at a rung).</summary>
    public static bool IsTrainingOutcome(EvaluationStatus s) => s is EvaluationStatus.Completed or EvaluationStatus.Diverged or EvaluationStatus.Failed;

    public static readonly ClosedSet<ProposalKind> Proposal = new("proposal kind",
        (ProposalKind.Train, "train"), (ProposalKind.Rejected, "rejected"), (ProposalKind.Deduplicated, "deduplicated"), (ProposalKind.FinalCheck, "final-check"),
        (ProposalKind.ParentCheck, "parent-check"));

    public static readonly ClosedSet<MutationKind> Mutation = new("mutation kind",
        (MutationKind.Identity, "identity"), (MutationKind.Unary, "unary"), (MutationKind.Binary, "binary"));

    /// <summary>As journals since the first version hold them (the enum's own names; `inspect` prints snake_case ones).</summary>
    public static readonly ClosedSet<Rejection> Rejection = new("rejection",
        (Search.Fingerprints.Rejection.NonFiniteOutput, "NonFiniteOutput"), (Search.Fingerprints.Rejection.NonFiniteGradient, "NonFiniteGradient"),
        (Search.Fingerprints.Rejection.ConstantOutput, "ConstantOutput"), (Search.Fingerprints.Rejection.OutputTooLarge, "OutputTooLarge"));
}
