using EvoAct.Cluster.Persistence;
using EvoAct.Cluster.ReadSide;
using EvoAct.Search.Expressions;
using EvoAct.Search.Fingerprints;
using EvoAct.Search.Strategies;
using EvoAct.Training.Export;

namespace EvoAct.Dashboard;

/// <summary>One step of a lineage: an ancestor and the mutation that made its child.</summary>
public sealed record LineageStep(long Id, string Expression, double? Fitness, string Status, string Mutation);

/// <summary>
/// Everything the evaluation page and `GET /api/runs/{run}/evaluations/{id}` show of one evaluation:
/// its row, lineage (the parent chain, oldest last), filter verdict, trainings and exported code.
/// Built under the follower's gate.
/// </summary>
public sealed record EvaluationDetail(
    Evaluation Evaluation, ExportRow Row, IReadOnlyList<LineageStep> Lineage, string Filter,
    IReadOnlyList<Cluster.Messages.SeedResult> Trainings, string? PyTorch, string? TorchSharp)
{
    /// <summary>Lineages are cut here: a long run's chain can be thousands deep; the page says so.</summary>
    public const int MaxLineage = 200;

    public static EvaluationDetail? Of(FollowedRun run, long id)
    {
        var state = run.State;
        var byId = state.Evolution!.History.ToDictionary(e => e.Id);
        if (!byId.TryGetValue(id, out var e)) return null;
        var lineage = new List<LineageStep>();
        for (var cur = e; cur.Proposal.ParentId is { } parent && lineage.Count < MaxLineage; )
        {
            if (!byId.TryGetValue(parent, out var p)) break;
            lineage.Add(new LineageStep(p.Id, p.Proposal.Expression, p.Fitness, WireNames.Status[p.Status], cur.Proposal.Mutation?.ToString() ?? "random"));
            cur = p;
        }
        var row = HistoryExport.Rows(state, [e]).Single();
        string filter = e.Proposal.Rejection is { } why ? $"rejected: {why.Name()}"
                      : e.Status == EvaluationStatus.Deduplicated ? $"passed; deduplicated: {e.Reason ?? "the same function was trained before"}"
                      : "passed";
        string? py = null, cs = null;
        try
        {
            var expr = ExpressionParser.Parse(e.Proposal.Expression);
            (py, cs) = (ActivationSource.Python(expr), ActivationSource.CSharp(expr));
        }
        catch (ParseException) { }
        return new EvaluationDetail(e, row, lineage, filter, RunStatusJson.TrainingsOf(state, e), py, cs);
    }
}
