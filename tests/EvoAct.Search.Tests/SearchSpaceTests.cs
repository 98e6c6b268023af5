using System.Numerics;
using CsCheck;
using EvoAct.Search.Genomes;
using EvoAct.Search.Ops;

namespace EvoAct.Search.Tests;

public class SearchSpaceTests
{
    [Fact]
    public void Paper_space_has_39_062_500_activations()
    {
        var paper = SearchSpace.Paper;
        Assert.Equal(2, paper.CoreUnits);
        Assert.Equal(25, paper.Unary.Count);
        Assert.Equal(10, paper.Binary.Count);
        Assert.Equal(new BigInteger(39_062_500), paper.Size);
        Assert.Equal(new BigInteger(25L * 25 * 25 * 25 * 10 * 10), paper.Size);
    }

    [Theory]
    [InlineData(1, 25, 10, 6_250L)]
    [InlineData(3, 25, 10, 244_140_625_000L)] // 25^6 * 10^3
    [InlineData(1, 3, 2, 18L)]
    [InlineData(2, 3, 2, 324L)]
    [InlineData(3, 1, 1, 1L)]
    [InlineData(2, 2, 1, 16L)]
    public void Size_is_unary_to_the_2K_times_binary_to_the_K(int k, int unary, int binary, long expected)
    {
        var space = new SearchSpace(k, OpNames.AllUnary.Take(unary), OpNames.AllBinary.Take(binary));
        Assert.Equal(new BigInteger(expected), space.Size);
    }

    [Fact]
    public void Duplicate_ops_are_counted_once()
    {
        var space = new SearchSpace(1, [UnaryOp.Relu, UnaryOp.Relu, UnaryOp.X], [BinaryOp.Add, BinaryOp.Add]);
        Assert.Equal([UnaryOp.Relu, UnaryOp.X], space.Unary);
        Assert.Equal([BinaryOp.Add], space.Binary);
        Assert.Equal(new BigInteger(4), space.Size);
    }

    [Fact]
    public void Bad_spaces_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SearchSpace(0, OpNames.AllUnary, OpNames.AllBinary));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SearchSpace(SearchSpace.MaxCoreUnits + 1, OpNames.AllUnary, OpNames.AllBinary));
        Assert.Throws<ArgumentException>(() => new SearchSpace(1, [], OpNames.AllBinary));
        Assert.Throws<ArgumentException>(() => new SearchSpace(1, OpNames.AllUnary, []));
    }

    public static TheoryData<int, UnaryOp[], BinaryOp[]> SmallSpaces() => new()
    {
        { 1, [UnaryOp.Relu, UnaryOp.X, UnaryOp.Sin], [BinaryOp.Add, BinaryOp.Max] },
        { 2, [UnaryOp.X, UnaryOp.Neg], [BinaryOp.Add, BinaryOp.Mul] },
        { 3, [UnaryOp.X, UnaryOp.Sin], [BinaryOp.Sigmul] },
        { 1, [.. OpNames.AllUnary], [.. OpNames.AllBinary] },
        { 2, [UnaryOp.Tanh], [BinaryOp.Min] },
    };

    [Theory]
    [MemberData(nameof(SmallSpaces))]
    public void Enumerate_yields_every_genome_once(int k, UnaryOp[] unary, BinaryOp[] binary)
    {
        var space = new SearchSpace(k, unary, binary);
        var all = space.Enumerate().ToList();
        Assert.Equal(space.Size, new BigInteger(all.Count));
        Assert.Equal(all.Count, all.ToHashSet().Count);
        Assert.All(all, g => Assert.True(space.Contains(g), g.Encode()));
        Assert.All(all, g => Assert.Equal(k, g.Units.Length));
    }

    [Fact]
    public void Enumerate_of_one_core_unit_is_the_full_product()
    {
        var unary = new[] { UnaryOp.Relu, UnaryOp.Sin, UnaryOp.Beta };
        var binary = new[] { BinaryOp.Div, BinaryOp.Mix };
        var expected = (from a in unary from b in unary from c in binary select new Genome([new CoreUnit(a, b, c)])).ToHashSet();
        Assert.Equal(18, expected.Count);
        Assert.True(expected.SetEquals(new SearchSpace(1, unary, binary).Enumerate()));
    }

    [Fact]
    public void Enumerate_is_lazy_on_the_paper_space()
    {
        var first = SearchSpace.Paper.Enumerate().Take(1000).ToList();
        Assert.Equal(1000, first.Distinct().Count());
        Assert.All(first, g => Assert.True(SearchSpace.Paper.Contains(g)));
    }

    [Fact]
    public void Random_genomes_are_in_the_space()
    {
        Gen.ULong.Sample(seed =>
        {
            var k = (int)(seed % 3) + 1;
            var space = new SearchSpace(k, [UnaryOp.Sin, UnaryOp.Relu, UnaryOp.Cube, UnaryOp.Beta], [BinaryOp.Max, BinaryOp.Sigmul]);
            var g = space.Random(new Rng(seed));
            Assert.True(space.Contains(g));
            Assert.Equal(k, g.Units.Length);
            Assert.Equal(g, space.Random(new Rng(seed)));
        }, iter: 300);
    }

    [Fact]
    public void Random_is_uniform_over_a_small_space()
    {
        var space = new SearchSpace(1, [UnaryOp.X, UnaryOp.Sin], [BinaryOp.Add, BinaryOp.Mul]);
        var rng = new Rng(42);
        const int draws = 16_000;
        var counts = Enumerable.Range(0, draws).Select(_ => space.Random(rng)).GroupBy(g => g).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(8, counts.Count);
        // expected 2000 each, standard deviation about 42
        Assert.All(counts.Values, c => Assert.InRange(c, 1800, 2200));
    }

    [Fact]
    public void Contains_checks_every_slot_and_the_number_of_core_units()
    {
        var space = new SearchSpace(2, [UnaryOp.X, UnaryOp.Sin], [BinaryOp.Add]);
        var ok = new Genome([new CoreUnit(UnaryOp.X, UnaryOp.Sin, BinaryOp.Add), new CoreUnit(UnaryOp.Sin, UnaryOp.Sin, BinaryOp.Add)]);
        Assert.True(space.Contains(ok));
        Assert.False(space.Contains(ok.WithUnary(0, UnaryOp.Cos)));
        Assert.False(space.Contains(ok.WithUnary(3, UnaryOp.Cos)));
        Assert.False(space.Contains(ok.WithBinary(1, BinaryOp.Mul)));
        Assert.False(space.Contains(new Genome([new CoreUnit(UnaryOp.X, UnaryOp.Sin, BinaryOp.Add)])));
        Assert.True(SearchSpace.Paper.Contains(ok));
    }

    [Fact]
    public void Spaces_with_the_same_ops_are_equal()
    {
        Assert.Equal(SearchSpace.Paper, new SearchSpace(2, OpNames.AllUnary, OpNames.AllBinary));
        Assert.NotEqual(SearchSpace.Paper, new SearchSpace(1, OpNames.AllUnary, OpNames.AllBinary));
        Assert.NotEqual(SearchSpace.Paper, new SearchSpace(2, OpNames.AllUnary.Skip(1), OpNames.AllBinary));
    }

    [Fact]
    public void At_is_the_enumeration_order_and_refuses_positions_outside_the_space()
    {
        var space = new SearchSpace(2, [UnaryOp.X, UnaryOp.Sin, UnaryOp.Relu], [BinaryOp.Add, BinaryOp.Max]);
        var all = space.Enumerate().ToArray();
        Assert.Equal(324, all.Length);
        Assert.Equal(all, Enumerable.Range(0, all.Length).Select(i => space.At(i)).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => space.At(324));
        Assert.Throws<ArgumentOutOfRangeException>(() => space.At(-1));
        // the paper's space: the last of 39,062,500 is the last of every slot
        var last = SearchSpace.Paper.At(SearchSpace.Paper.Size - 1);
        Assert.All(last.Units, u => Assert.Equal((OpNames.AllUnary[^1], OpNames.AllUnary[^1], OpNames.AllBinary[^1]), (u.Left, u.Right, u.Combine)));
    }
}
