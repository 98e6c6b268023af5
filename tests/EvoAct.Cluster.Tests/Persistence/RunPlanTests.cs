using EvoAct.Cluster.Persistence;
using EvoAct.Search.Strategies;
using EvoAct.Search.Mutation;
using EvoAct.Search.Ops;

namespace EvoAct.Cluster.Tests.Persistence;

[Collection(SerializerCollection.Name)]
public class RunPlanTests(SerializerFixture serializer)
{
    static RunPlan Plan => SerializerTests.FullPlan;

    /// <summary>Built from scratch, with its own lists: equal in value to <see cref="Plan"/>, not the same objects.</summary>
    static RunPlan Copy() => new(
        new SearchSpaceSpec(Plan.Space.CoreUnits, Plan.Space.Unary.ToList(), Plan.Space.Binary.ToList()),
        Plan.Mutation with { }, Plan.Filter with { }, Plan.Evolution with { },
        Plan.Training with { StepMilestones = Plan.Training.StepMilestones.ToArray(), Data = Plan.Training.Data with { } });

    [Fact]
    public void Equal_plans_are_compatible_and_change_nothing()
    {
        var copy = Copy();
        Assert.NotSame(Plan.Space.Unary, copy.Space.Unary);
        Assert.Null(Plan.Incompatibility(copy));
        Assert.Empty(Plan.Changes(copy));
        Assert.Null(Plan.Incompatibility(Plan));
    }

    [Fact]
    public void The_training_nodes_device_and_threads_may_differ_on_resume()
    {
        var moved = Copy() with { Training = Plan.Training with { Device = "cuda:2", Threads = Plan.Training.Threads + 5 } };
        Assert.Null(Plan.Incompatibility(moved));
    }

    [Fact]
    public void A_plan_read_back_from_the_journal_is_compatible_with_the_same_config()
    {
        var back = serializer.RoundTrip(new RunStarted(Schema.Version, "r", Plan, DateTime.UtcNow));
        Assert.Null(back.Plan.Incompatibility(Copy()));
        Assert.Empty(back.Plan.Changes(Copy()));
        Assert.Null(Copy().Incompatibility(back.Plan));
    }

    public static IEnumerable<object[]> Incompatible()
    {
        var p = Plan;
        (string, RunPlan)[] cases =
        [
            ("space: core units", p with { Space = p.Space with { CoreUnits = 1 } }),
            ("space: a unary op more", p with { Space = p.Space with { Unary = [.. p.Space.Unary, "sin"] } }),
            ("space: a unary op other", p with { Space = p.Space with { Unary = ["relu", "tanh", "erf"] } }),
            ("space: binary ops", p with { Space = p.Space with { Binary = ["add"] } }),
            ("filter: bound", p with { Filter = p.Filter with { MaxAbsOutput = 1e5 } }),
            ("filter: tolerance", p with { Filter = p.Filter with { ConstantTolerance = 1e-8 } }),
            ("training: steps", p with { Training = p.Training with { Steps = 601 } }),
            ("training: milestones", p with { Training = p.Training with { StepMilestones = [0.3, 0.6] } }),
            ("training: model", p with { Training = p.Training with { Model = "proxy-resnet" } }),
            ("training: data set", p with { Training = p.Training with { Data = p.Training.Data with { Name = "cifar100" } } }),
            ("training: activation kernels", p with { Training = p.Training with { ActivationKernels = EvoAct.Training.Activations.ActivationKernels.Composed } }),
            ("training: synthetic seed", p with { Training = p.Training with { Data = p.Training.Data with { Synthetic = p.Training.Data.Synthetic with { Seed = 10 } } } }),
            ("evolution: population size", p with { Evolution = p.Evolution with { PopulationSize = 31 } }),
            ("evolution: sample size", p with { Evolution = p.Evolution with { SampleSize = 6 } }),
            ("evolution: strategy", p with { Evolution = p.Evolution with { Strategy = StrategyKind.Regularized } }),
            ("evolution: seed", p with { Evolution = p.Evolution with { Seed = 1 } }),
            ("evolution: on failure", p with { Evolution = p.Evolution with { OnFailure = FailurePolicy.Ignore } }),
            ("evolution: deduplicate", p with { Evolution = p.Evolution with { Deduplicate = false } }),
        ];
        return cases.Select(c => new object[] { c.Item1, c.Item2 });
    }

    [Theory]
    [MemberData(nameof(Incompatible))]
    public void A_different_definition_is_refused(string what, RunPlan now)
    {
        var reason = Plan.Incompatibility(now);
        Assert.NotNull(reason);
        var section = what[..what.IndexOf(':')];
        var expected = section switch
        {
            "space" => "search space",
            "filter" => "filter",
            "training" => "evoact.training",
            _ => "evolution settings",
        };
        Assert.Contains(expected, reason);
        Assert.NotNull(now.Incompatibility(Plan)); // either way round
    }

    [Fact]
    public void A_run_journaled_before_the_compiler_trained_composed_and_says_how_to_resume_it()
    {
        // A RunStarted written before evoact.training.activation-kernels existed: no such property.
        var bytes = serializer.Serializer.ToBinary(new RunStarted(Schema.Version, "old", Plan, DateTime.UtcNow));
        var json = System.Text.Json.Nodes.JsonNode.Parse(bytes)!;
        Assert.True(json["Plan"]!["Training"]!.AsObject().Remove("ActivationKernels"));
        var old = (RunStarted)serializer.Serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()), nameof(RunStarted));
        Assert.Equal(EvoAct.Training.Activations.ActivationKernels.Composed, old.Plan.Training.ActivationKernels);
        Assert.Equal(EvoAct.Training.Activations.ActivationKernels.Compiled, Plan.Training.ActivationKernels);
        var reason = old.Plan.Incompatibility(Plan);
        Assert.Equal("evoact.training.activation-kernels is 'compiled' but the run started with 'composed' (fitness values from the two differ " +
                     "in the last bits); set evoact.training.activation-kernels = composed to resume it", reason);
        Assert.Null(old.Plan.Incompatibility(Plan with { Training = Plan.Training with { ActivationKernels = "composed" } }));
    }

    [Fact]
    public void Mutation_weights_and_max_evaluations_may_change_and_are_listed()
    {
        var mutation = Plan with { Mutation = new MutationSettings(2, 0.5, 0.2) };
        Assert.Null(Plan.Incompatibility(mutation));
        var m = Assert.Single(Plan.Changes(mutation));
        Assert.StartsWith("mutation:", m);
        Assert.Contains("identity-probability 0.1 -> 0.2", m);

        var budget = Plan with { Evolution = Plan.Evolution with { MaxEvaluations = 600 } };
        Assert.Null(Plan.Incompatibility(budget));
        Assert.Equal(["max-evaluations: 500 -> 600"], Plan.Changes(budget));

        var both = Plan with { Mutation = new MutationSettings(3, 0.5, 0.1), Evolution = Plan.Evolution with { MaxEvaluations = 100 } };
        Assert.Null(Plan.Incompatibility(both));
        var changes = Plan.Changes(both);
        Assert.Equal(2, changes.Count);
        Assert.Contains("unary-weight 2 -> 3", changes[0]);
        Assert.Equal("max-evaluations: 500 -> 100", changes[1]);
    }

    [Fact]
    public void An_incompatible_plan_is_refused_even_when_it_also_changes_what_may_change()
    {
        var now = Plan with { Evolution = Plan.Evolution with { MaxEvaluations = 900, PopulationSize = 5 }, Mutation = MutationSettings.Default };
        Assert.NotNull(Plan.Incompatibility(now));
    }

    [Fact]
    public void The_plan_builds_the_evolution_it_describes()
    {
        var ev = Plan.NewEvolution();
        Assert.Equal(Plan.Evolution, ev.Settings);
        var p = ev.Decide()!;
        Assert.True(Plan.Space.ToSearchSpace().Contains(p.Genome));
        Assert.All(p.Genome.Units, u => Assert.Contains(u.Left.Name(), Plan.Space.Unary));
        Assert.Throws<FormatException>(() => (Plan.Space with { Unary = ["relu", "nope"] }).ToSearchSpace());
    }
}
