using EvoAct.Search.Fingerprints;
using EvoAct.Search.Mutation;
using EvoAct.Search.Ops;
using EvoAct.Search.Strategies;

namespace EvoAct.Search.Tests.Strategies;

/// <summary>ASHA's rule and the rungs in the evolution, without actors.</summary>
public class PromotionTests
{
    static readonly FidelitySettings Half = new([0.25, 0.5, 1.0], 0.5);

    [Fact]
    public void A_candidate_goes_on_if_it_ranks_in_the_top_keep_of_the_rung_so_far_itself_included()
    {
        var p = new Promotion(Half);
        bool Arrive(double s) { bool go = p.WouldPromote(0, s); p.Record(0, s); return go; }
        Assert.True(Arrive(0.5));   // alone: top 1 of 1
        Assert.False(Arrive(0.4));  // 2nd of 2: top ceil(1) = 1
        Assert.True(Arrive(0.6));   // 1st of 3: top 2
        Assert.True(Arrive(0.55));  // 2nd of 4: top 2
        Assert.True(Arrive(0.52));  // 3rd of 5: top ceil(2.5) = 3
        Assert.False(Arrive(0.45)); // 5th of 6: top 3
    }

    [Fact]
    public void Ties_count_as_not_better_and_rungs_are_judged_apart()
    {
        var p = new Promotion(Half);
        p.Record(0, 0.5);
        Assert.True(p.WouldPromote(0, 0.5));   // equal: nobody strictly better
        Assert.True(p.WouldPromote(1, 0.1));   // rung 1 is empty: first arrival
    }

    [Fact]
    public void No_score_is_never_promoted_and_records_nothing()
    {
        var p = new Promotion(Half);
        Assert.False(p.WouldPromote(0, null));
        Assert.False(p.WouldPromote(0, double.NaN));
        p.Record(0, null);
        Assert.Empty(p.Scores[0]);
    }

    [Fact]
    public void The_decision_depends_on_arrival_order_only_through_the_scores_known_then()
    {
        // out of order: a strong candidate arriving late does not undo earlier promotions
        var early = new Promotion(Half);
        foreach (var s in new[] { 0.3, 0.2 }) early.Record(0, s);
        Assert.True(early.WouldPromote(0, 0.25));  // 2nd of 3
        var late = new Promotion(Half, early.Scores);
        Assert.Equal(early.Scores, late.Scores);
        Assert.Equal(early.WouldPromote(0, 0.21), late.WouldPromote(0, 0.21));
    }

    static readonly SearchSpace Space = new(1, [UnaryOp.X, UnaryOp.Tanh, UnaryOp.Sigmoid, UnaryOp.Relu, UnaryOp.Sin], [BinaryOp.Add, BinaryOp.Mul, BinaryOp.Max]);

    static Evolution New(FidelitySettings? f = null) => new(Space, MutationSettings.Default, FilterSettings.Default,
        new EvolutionSettings { PopulationSize = 4, SampleSize = 2, MaxEvaluations = 30, Seed = 3, Fidelity = f ?? Half });

    static Proposal Train(Evolution evo)
    {
        while (true)
        {
            var p = evo.Decide()!;
            evo.Apply(p);
            if (p.Kind == ProposalKind.Train) return p;
        }
    }

    [Fact]
    public void A_promoted_candidate_trains_on_and_a_stopped_one_settles_outside_the_population()
    {
        var evo = New();
        var a = Train(evo);
        var b = Train(evo);
        Assert.Null(evo.ReachRung(a.Id, 0, 0.8, promoted: true));
        Assert.Equal(1, evo.RungOf(a.Id));
        var stopped = evo.ReachRung(b.Id, 0, 0.7, promoted: false, "w", 1.5)!;
        Assert.Equal(EvaluationStatus.Stopped, stopped.Status);
        Assert.Equal(0.7, stopped.Fitness);
        Assert.Equal(0.25, stopped.Fraction);
        Assert.Contains("stopped at 0.25 of the budget", stopped.Reason);
        Assert.Null(evo.InFlightProposal(b.Id));
        Assert.Equal(1, evo.Trained);
        Assert.DoesNotContain(evo.Population, i => i.Id == b.Id);
        Assert.Null(evo.Best); // a rung's score is not a full-budget fitness

        // a rung that is not the candidate's current one, or the last (the full budget), is ignored
        Assert.Null(evo.ReachRung(a.Id, 0, 0.9, promoted: false));
        Assert.Null(evo.ReachRung(a.Id, 2, 0.9, promoted: false));
        Assert.NotNull(evo.InFlightProposal(a.Id));
        Assert.Null(evo.ReachRung(a.Id, 1, 0.85, promoted: true));
        var done = evo.Settle(a.Id, EvaluationStatus.Completed, 0.9, null)!;
        Assert.Equal(1.0, done.Fraction);
        Assert.Equal(a.Id, evo.Best!.Id);
        Assert.Contains(evo.Population, i => i.Id == a.Id);
    }

    [Fact]
    public void A_restored_memento_decides_the_next_rungs_as_the_uninterrupted_evolution()
    {
        var evo = New();
        var ids = Enumerable.Range(0, 4).Select(_ => Train(evo).Id).ToArray();
        double[] scores = [0.5, 0.6, 0.4, 0.55];
        for (int i = 0; i < 3; i++)
        {
            bool go = evo.WouldPromote(0, scores[i]);
            evo.ReachRung(ids[i], 0, scores[i], go);
        }
        var restored = new Evolution(Space, MutationSettings.Default, FilterSettings.Default, evo.Settings, keepHistory: false);
        restored.Restore(evo.Capture());
        Assert.Equal(evo.RungOf(ids[1]), restored.RungOf(ids[1]));
        foreach (var s in new[] { 0.45, 0.58, 0.7, 0.1 })
            Assert.Equal(evo.WouldPromote(0, s), restored.WouldPromote(0, s));
        Assert.Equal(evo.WouldPromote(1, 0.3), restored.WouldPromote(1, 0.3));
    }
}
