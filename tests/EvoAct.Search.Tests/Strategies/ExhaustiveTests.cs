using EvoAct.Search.Strategies;
using EvoAct.Search.Fingerprints;
using EvoAct.Search.Genomes;
using EvoAct.Search.Mutation;
using EvoAct.Search.Ops;

namespace EvoAct.Search.Tests.Strategies;

/// <summary>The paper's exhaustive mode as a strategy: every genome once, in order, one training per distinct function.</summary>
public class ExhaustiveTests
{
    /// <summary>K = 1, 6 x 6 x 4 = 144 genomes: rejections (x - x), duplicates (add is commutative) and divergent-looking ones.</summary>
    static readonly SearchSpace Space = new(1,
        [UnaryOp.X, UnaryOp.Neg, UnaryOp.Abs, UnaryOp.Tanh, UnaryOp.Relu, UnaryOp.Sin],
        [BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.Max]);

    static Evolution New(bool dedup = true, int max = 100_000, SearchSpace? space = null) => new(space ?? Space, MutationSettings.Default, FilterSettings.Default,
        new EvolutionSettings { Strategy = StrategyKind.Exhaustive, PopulationSize = 10, SampleSize = 3, MaxEvaluations = max, Deduplicate = dedup, Seed = 7 });

    /// <summary>Drives it like a coordinator with <paramref name="workers"/> trainers: results arrive in the order they were dispatched, late by that many.</summary>
    static List<Proposal> Drive(Evolution evo, int workers, Func<Proposal, EvaluationStatus>? outcome = null)
    {
        var proposals = new List<Proposal>();
        var running = new Queue<Proposal>();
        while (!evo.Finished)
        {
            while (running.Count < workers && evo.Decide() is { } p)
            {
                proposals.Add(p);
                evo.Apply(p);
                if (p.Kind == ProposalKind.Train) running.Enqueue(p);
            }
            if (running.Count == 0) break;
            var done = running.Dequeue();
            var status = outcome?.Invoke(done) ?? EvaluationStatus.Completed;
            evo.Settle(done.Id, status, status == EvaluationStatus.Completed ? 0.5 + done.Id * 1e-4 : null, null);
        }
        return proposals;
    }

    [Fact]
    public void Every_genome_is_proposed_once_in_the_enumeration_order()
    {
        var evo = New();
        var proposals = Drive(evo, workers: 3);
        Assert.Equal(Space.Enumerate().ToArray(), proposals.Select(p => p.Genome).ToArray());
        Assert.True(evo.Exhausted);
        Assert.True(evo.Finished);
        Assert.Null(evo.Decide());
    }

    [Fact]
    public void One_genome_per_fingerprint_is_trained_even_while_its_twin_is_still_training()
    {
        // With 5 trainers, x + neg(x)'s twins arrive while earlier ones are in flight: they must not train twice.
        var evo = New();
        var proposals = Drive(evo, workers: 5);
        var trained = proposals.Where(p => p.Kind == ProposalKind.Train).ToArray();
        var passing = Space.Enumerate().Select(g => CandidateFilter.Default.Probe(g.ToExpr())).Where(v => v.Rejection is null).Select(v => v.Fingerprint).ToHashSet();
        Assert.Equal(passing.Count, trained.Length);
        Assert.Equal(passing, trained.Select(p => p.Fingerprint).ToHashSet());
        Assert.Contains(proposals, p => p.Kind == ProposalKind.Rejected);
        var dups = proposals.Where(p => p.Kind == ProposalKind.Deduplicated).ToArray();
        Assert.NotEmpty(dups);
        // each duplicate names a function trained earlier in the order
        Assert.All(dups, d => Assert.Contains(trained, t => t.Fingerprint == d.Fingerprint && t.Id < d.Id));
    }

    [Fact]
    public void A_function_that_diverged_is_not_trained_again_through_an_equivalent_genome()
    {
        var evo = New();
        var proposals = Drive(evo, workers: 1, p => p.Expression.Contains('*') ? EvaluationStatus.Diverged : EvaluationStatus.Completed);
        Assert.Equal(proposals.Where(p => p.Kind == ProposalKind.Train).Select(p => p.Fingerprint).Distinct().Count(),
                     proposals.Count(p => p.Kind == ProposalKind.Train));
    }

    [Fact]
    public void Without_deduplication_every_passing_genome_is_trained()
    {
        var proposals = Drive(New(dedup: false), workers: 2);
        Assert.DoesNotContain(proposals, p => p.Kind == ProposalKind.Deduplicated);
        Assert.Equal(Space.Enumerate().Count(g => CandidateFilter.Default.Check(g.ToExpr()) is null), proposals.Count(p => p.Kind == ProposalKind.Train));
    }

    [Fact]
    public void Max_evaluations_still_bounds_the_trainings()
    {
        var evo = New(max: 10);
        var proposals = Drive(evo, workers: 2);
        Assert.Equal(10, evo.Trained);
        Assert.False(evo.Exhausted);
        Assert.True(evo.Finished);
    }

    [Fact]
    public void Replaying_the_proposals_or_restoring_a_memento_halfway_goes_on_with_the_same_decisions()
    {
        var original = New();
        var all = Drive(original, workers: 1);
        int half = all.Count / 2;

        // Replayed from its events into a fresh Evolution (as recovery does), then decided onwards.
        var replayed = New();
        foreach (var p in all.Take(half))
        {
            replayed.Apply(p);
            if (p.Kind == ProposalKind.Train) replayed.Settle(p.Id, EvaluationStatus.Completed, 0.5 + p.Id * 1e-4, null);
        }
        var restored = new Evolution(Space, MutationSettings.Default, FilterSettings.Default, replayed.Settings, keepHistory: false);
        restored.Restore(replayed.Capture());
        foreach (var evo in new[] { replayed, restored })
        {
            var rest = Drive(evo, workers: 1);
            Assert.Equal(all.Skip(half).Select(p => (p.Id, p.Genome, p.Kind, p.CachedFitness)), rest.Select(p => (p.Id, p.Genome, p.Kind, p.CachedFitness)));
        }
    }
}
