using CsCheck;
using EvoAct.Search.Genomes;
using EvoAct.Search.Mutation;
using EvoAct.Search.Ops;

namespace EvoAct.Search.Tests;

public class MutatorTests
{
    static SearchSpace PaperWithK(int k) => new(k, OpNames.AllUnary, OpNames.AllBinary);

    static int[] DifferingUnarySlots(Genome a, Genome b) =>
        Enumerable.Range(0, a.UnarySlots).Where(s => a.Unary(s) != b.Unary(s)).ToArray();

    static int[] DifferingBinarySlots(Genome a, Genome b) =>
        Enumerable.Range(0, a.BinarySlots).Where(s => a.Binary(s) != b.Binary(s)).ToArray();

    /// <summary>Checks everything a mutation promises, whatever kind it drew.</summary>
    static void AssertValidMutation(SearchSpace space, Genome parent, Mutant mutant)
    {
        var (child, record) = (mutant.Child, mutant.Mutation);
        Assert.Equal(parent.Units.Length, child.Units.Length);
        Assert.True(space.Contains(child), $"{child} not in the space");
        var du = DifferingUnarySlots(parent, child);
        var db = DifferingBinarySlots(parent, child);
        switch (record.Kind)
        {
            case MutationKind.Identity:
                Assert.Equal(parent, child);
                Assert.Equal(MutationRecord.Identity, record);
                Assert.Equal(-1, record.Slot);
                Assert.Null(record.From);
                Assert.Null(record.To);
                Assert.Equal("identity", record.ToString());
                break;
            case MutationKind.Unary:
                Assert.Equal([record.Slot], du);
                Assert.Empty(db);
                Assert.Equal(parent.Unary(record.Slot).Name(), record.From);
                Assert.Equal(child.Unary(record.Slot).Name(), record.To);
                Assert.NotEqual(record.From, record.To);
                Assert.Contains(child.Unary(record.Slot), space.Unary);
                Assert.Equal($"unary[{record.Slot}] {record.From}->{record.To}", record.ToString());
                break;
            case MutationKind.Binary:
                Assert.Equal([record.Slot], db);
                Assert.Empty(du);
                Assert.Equal(parent.Binary(record.Slot).Name(), record.From);
                Assert.Equal(child.Binary(record.Slot).Name(), record.To);
                Assert.NotEqual(record.From, record.To);
                Assert.Contains(child.Binary(record.Slot), space.Binary);
                Assert.Equal($"binary[{record.Slot}] {record.From}->{record.To}", record.ToString());
                break;
            default:
                Assert.Fail($"unknown kind {record.Kind}");
                break;
        }
    }

    [Fact]
    public void A_mutation_changes_exactly_the_recorded_slot_to_a_different_allowed_op()
    {
        Gen.ULong.Sample(seed =>
        {
            var space = PaperWithK((int)(seed % 3) + 1);
            var rng = new Rng(seed);
            var parent = space.Random(rng);
            var mutator = new Mutator(space, MutationSettings.Default);
            for (int i = 0; i < 10; i++)
            {
                var mutant = mutator.Mutate(parent, rng);
                AssertValidMutation(space, parent, mutant);
                parent = mutant.Child;
            }
        }, iter: 300);
    }

    [Fact]
    public void Mutations_stay_inside_a_restricted_space()
    {
        Gen.ULong.Sample(seed =>
        {
            var space = new SearchSpace((int)(seed % 3) + 1, [UnaryOp.X, UnaryOp.Sin, UnaryOp.Relu], [BinaryOp.Add, BinaryOp.Max]);
            var rng = new Rng(seed);
            var parent = space.Random(rng);
            var mutator = new Mutator(space, new MutationSettings(1, 1, 0.1));
            for (int i = 0; i < 20; i++)
            {
                var mutant = mutator.Mutate(parent, rng);
                AssertValidMutation(space, parent, mutant);
                parent = mutant.Child;
            }
        }, iter: 200);
    }

    [Fact]
    public void Kinds_follow_the_weights_and_the_identity_probability()
    {
        var space = SearchSpace.Paper;
        var mutator = new Mutator(space, new MutationSettings(UnaryWeight: 3, BinaryWeight: 1, IdentityProbability: 0.05));
        var rng = new Rng(2024);
        var parent = space.Random(rng);
        const int draws = 20_000;
        var counts = new Dictionary<MutationKind, int> { [MutationKind.Identity] = 0, [MutationKind.Unary] = 0, [MutationKind.Binary] = 0 };
        for (int i = 0; i < draws; i++) counts[mutator.Mutate(parent, rng).Mutation.Kind]++;
        // P(identity) = 0.05, P(unary) = 0.95 * 3/4, P(binary) = 0.95 * 1/4; bounds are about 4 standard deviations
        Assert.InRange(counts[MutationKind.Identity] / (double)draws, 0.05 - 0.007, 0.05 + 0.007);
        Assert.InRange(counts[MutationKind.Unary] / (double)draws, 0.7125 - 0.013, 0.7125 + 0.013);
        Assert.InRange(counts[MutationKind.Binary] / (double)draws, 0.2375 - 0.013, 0.2375 + 0.013);
    }

    [Fact]
    public void Slots_and_replacement_ops_are_uniform()
    {
        var space = new SearchSpace(2, [UnaryOp.X, UnaryOp.Sin, UnaryOp.Cos, UnaryOp.Tanh], [BinaryOp.Add, BinaryOp.Mul, BinaryOp.Max]);
        var mutator = new Mutator(space, new MutationSettings(1, 0, 0));
        var parent = Genome.Decode("x x add | x x add");
        var rng = new Rng(7);
        const int draws = 12_000;
        var slots = new int[4];
        var to = new Dictionary<string, int>();
        for (int i = 0; i < draws; i++)
        {
            var m = mutator.Mutate(parent, rng).Mutation;
            Assert.Equal(MutationKind.Unary, m.Kind);
            slots[m.Slot]++;
            to[m.To!] = to.GetValueOrDefault(m.To!) + 1;
        }
        // 3000 per slot and 4000 per replacement op expected; sd about 47 and 52
        Assert.All(slots, c => Assert.InRange(c, 2800, 3200));
        Assert.Equal(["cos", "sin", "tanh"], to.Keys.Order());
        Assert.All(to.Values, c => Assert.InRange(c, 3780, 4220));
    }

    [Fact]
    public void A_space_with_one_binary_op_never_mutates_binary()
    {
        var space = new SearchSpace(2, OpNames.AllUnary, [BinaryOp.Mul]);
        // even when binary mutations are weighted far above unary ones
        var mutator = new Mutator(space, new MutationSettings(UnaryWeight: 1, BinaryWeight: 100, IdentityProbability: 0.05));
        var rng = new Rng(99);
        var parent = space.Random(rng);
        int unary = 0;
        for (int i = 0; i < 5_000; i++)
        {
            var mutant = mutator.Mutate(parent, rng);
            Assert.NotEqual(MutationKind.Binary, mutant.Mutation.Kind);
            AssertValidMutation(space, parent, mutant);
            if (mutant.Mutation.Kind == MutationKind.Unary) unary++;
            parent = mutant.Child;
        }
        Assert.InRange(unary, 4_600, 4_900); // 95% of 5000
    }

    [Fact]
    public void A_space_with_one_unary_op_never_mutates_unary()
    {
        var space = new SearchSpace(1, [UnaryOp.Relu], OpNames.AllBinary);
        var mutator = new Mutator(space, new MutationSettings(UnaryWeight: 50, BinaryWeight: 1, IdentityProbability: 0));
        var rng = new Rng(5);
        var parent = space.Random(rng);
        for (int i = 0; i < 2_000; i++)
        {
            var mutant = mutator.Mutate(parent, rng);
            Assert.Equal(MutationKind.Binary, mutant.Mutation.Kind);
            AssertValidMutation(space, parent, mutant);
            parent = mutant.Child;
        }
    }

    [Fact]
    public void A_space_with_a_single_genome_only_has_identity_mutations()
    {
        var space = new SearchSpace(2, [UnaryOp.Tanh], [BinaryOp.Min]);
        var mutator = new Mutator(space, new MutationSettings(1, 1, 0));
        var parent = space.Random(new Rng(1));
        var rng = new Rng(3);
        for (int i = 0; i < 100; i++)
        {
            var mutant = mutator.Mutate(parent, rng);
            Assert.Equal(MutationRecord.Identity, mutant.Mutation);
            Assert.Equal(parent, mutant.Child);
        }
    }

    [Fact]
    public void Zero_weight_kinds_and_extreme_identity_probabilities_are_respected()
    {
        var space = SearchSpace.Paper;
        var rng = new Rng(11);
        var parent = space.Random(rng);
        var binaryOnly = new Mutator(space, new MutationSettings(0, 1, 0));
        var unaryOnly = new Mutator(space, new MutationSettings(1, 0, 0));
        var alwaysIdentity = new Mutator(space, new MutationSettings(1, 1, 1));
        for (int i = 0; i < 2_000; i++)
        {
            Assert.Equal(MutationKind.Binary, binaryOnly.Mutate(parent, rng).Mutation.Kind);
            Assert.Equal(MutationKind.Unary, unaryOnly.Mutate(parent, rng).Mutation.Kind);
            var id = alwaysIdentity.Mutate(parent, rng);
            Assert.Equal(MutationKind.Identity, id.Mutation.Kind);
            Assert.Equal(parent, id.Child);
        }
    }

    [Fact]
    public void Mutation_is_deterministic_given_the_seed()
    {
        Gen.ULong.Sample(seed =>
        {
            var space = PaperWithK((int)(seed % 3) + 1);
            var mutator = new Mutator(space, MutationSettings.Default);
            var parent = space.Random(new Rng(seed ^ 0xABCDEF));
            var a = new Rng(seed);
            var b = new Rng(seed);
            for (int i = 0; i < 20; i++)
            {
                var ma = mutator.Mutate(parent, a);
                var mb = mutator.Mutate(parent, b);
                Assert.Equal(ma.Mutation, mb.Mutation);
                Assert.Equal(ma.Child, mb.Child);
                Assert.Equal(a.State, b.State);
            }
        }, iter: 200);
    }

    [Fact]
    public void Different_seeds_give_different_mutation_sequences()
    {
        var space = SearchSpace.Paper;
        var mutator = new Mutator(space, MutationSettings.Default);
        var parent = space.Random(new Rng(0));
        string Run(ulong seed)
        {
            var rng = new Rng(seed);
            return string.Join(",", Enumerable.Range(0, 20).Select(_ => mutator.Mutate(parent, rng).Mutation.ToString()));
        }
        Assert.Equal(Run(1), Run(1));
        Assert.NotEqual(Run(1), Run(2));
    }

    [Fact]
    public void Default_settings_match_the_papers()
    {
        Assert.Equal(new MutationSettings(1.0, 1.0, 0.05), MutationSettings.Default);
    }
}
