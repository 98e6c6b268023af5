using EvoAct.Cluster.Configuration;
using EvoAct.Search;
using EvoAct.Search.Fingerprints;
using EvoAct.Search.Mutation;
using EvoAct.Search.Ops;

namespace EvoAct.Cluster.Tests.Configuration;

public class SearchConfigTests
{
    static ConfigReader Reader(params string[] sets) => new(EvoActConfig.Load(sets: sets));

    static ConfigException Fails(Action read)
    {
        var e = Assert.Throws<ConfigException>(read);
        Assert.Equal($"{e.Key}: {e.Reason}", e.Message);
        return e;
    }

    [Fact]
    public void Defaults_are_the_papers_space_and_mutation_settings()
    {
        var c = Reader();
        Assert.Equal(SearchSpace.Paper, SearchConfig.SearchSpace(c));
        Assert.Equal(new SearchSpace(2, OpNames.AllUnary, OpNames.AllBinary), SearchConfig.SearchSpace(c));
        Assert.Equal(new MutationSettings(1, 1, 0.05), SearchConfig.Mutation(c));
        Assert.Equal(new FilterSettings(1e4, 1e-9), SearchConfig.Filter(c));
    }

    [Fact]
    public void Default_op_lists_keep_the_papers_order()
    {
        var space = SearchConfig.SearchSpace(Reader());
        Assert.Equal(OpNames.AllUnary, space.Unary);
        Assert.Equal(OpNames.AllBinary, space.Binary);
        Assert.Equal(39_062_500, (long)space.Size);
    }

    [Fact]
    public void Core_units_can_be_set()
    {
        var space = SearchConfig.SearchSpace(Reader("search-space.core-units=1"));
        Assert.Equal(1, space.CoreUnits);
        Assert.Equal(25 * 25 * 10, (long)space.Size);
        Assert.Equal(3, SearchConfig.SearchSpace(Reader("evoact.search-space.core-units = 3")).CoreUnits);
    }

    [Fact]
    public void Op_lists_can_be_restricted()
    {
        var space = SearchConfig.SearchSpace(Reader("evoact.search-space.unary=[relu, x]", "search-space.binary=[max, sigmul, add]"));
        Assert.Equal([UnaryOp.Relu, UnaryOp.X], space.Unary);
        Assert.Equal([BinaryOp.Max, BinaryOp.Sigmul, BinaryOp.Add], space.Binary);
        Assert.Equal(2, space.CoreUnits);
        Assert.Equal(2 * 2 * 2 * 2 * 3 * 3, (long)space.Size);
    }

    [Fact]
    public void Later_sets_win()
    {
        var space = SearchConfig.SearchSpace(Reader("search-space.core-units=1", "search-space.core-units=3"));
        Assert.Equal(3, space.CoreUnits);
    }

    [Fact]
    public void Mutation_weights_can_be_set()
    {
        var m = SearchConfig.Mutation(Reader("mutation.unary-weight=3", "mutation.binary-weight=0.5", "mutation.identity-probability=0"));
        Assert.Equal(new MutationSettings(3, 0.5, 0), m);
    }

    [Fact]
    public void Filter_settings_can_be_set()
    {
        var f = SearchConfig.Filter(Reader("filter.max-abs-output=100", "filter.constant-tolerance=1e-6"));
        Assert.Equal(new FilterSettings(100, 1e-6), f);
    }

    [Fact]
    public void Unknown_unary_op_names_the_key_the_op_and_a_suggestion()
    {
        var e = Fails(() => SearchConfig.SearchSpace(Reader("search-space.unary=[relu, sigmod]")));
        Assert.Equal("evoact.search-space.unary", e.Key);
        Assert.Contains("'sigmod'", e.Message);
        Assert.Contains("did you mean 'sigmoid'?", e.Message);
        Assert.Equal("evoact.search-space.unary: unknown op 'sigmod' (did you mean 'sigmoid'?)", e.Message);
    }

    [Fact]
    public void Binary_op_in_the_unary_list_is_unknown()
    {
        var e = Fails(() => SearchConfig.SearchSpace(Reader("search-space.unary=[relu, add]")));
        Assert.Equal("evoact.search-space.unary", e.Key);
        Assert.Contains("unknown op 'add'", e.Message);
    }

    [Fact]
    public void Unknown_binary_op_names_the_binary_key()
    {
        var e = Fails(() => SearchConfig.SearchSpace(Reader("search-space.binary=[add, maxx]")));
        Assert.Equal("evoact.search-space.binary", e.Key);
        Assert.Equal("evoact.search-space.binary: unknown op 'maxx' (did you mean 'max'?)", e.Message);
    }

    [Theory]
    [InlineData("search-space.binary=[]", "evoact.search-space.binary")]
    [InlineData("search-space.binary=[ ]", "evoact.search-space.binary")]
    [InlineData("evoact.search-space.unary = []", "evoact.search-space.unary")]
    public void Empty_op_lists_are_refused_as_empty(string set, string key)
    {
        var empty = Fails(() => SearchConfig.SearchSpace(Reader(set)));
        Assert.Equal(key, empty.Key);
        Assert.Equal("needs at least one op", empty.Reason);
    }

    [Fact]
    public void Duplicate_ops_are_refused()
    {
        var twice = Fails(() => SearchConfig.SearchSpace(Reader("search-space.unary=[relu, x, relu]")));
        Assert.Equal("evoact.search-space.unary", twice.Key);
        Assert.Contains("'relu' is listed twice", twice.Reason);
    }

    [Fact]
    public void An_op_list_given_as_a_single_value_is_refused()
    {
        var e = Fails(() => SearchConfig.SearchSpace(Reader("search-space.unary=relu")));
        Assert.Equal("evoact.search-space.unary", e.Key);
        Assert.Contains("expected a list", e.Reason);
    }

    [Theory]
    [InlineData("search-space.core-units=abc", "evoact.search-space.core-units", "expected an integer, got 'abc'")]
    [InlineData("search-space.core-units=2.5", "evoact.search-space.core-units", "expected an integer, got '2.5'")]
    [InlineData("search-space.core-units=4", "evoact.search-space.core-units", "must be in 1..3, got 4")]
    [InlineData("search-space.core-units=0", "evoact.search-space.core-units", "must be in 1..3, got 0")]
    public void Bad_core_units_name_the_key(string set, string key, string reason)
    {
        var e = Fails(() => SearchConfig.SearchSpace(Reader(set)));
        Assert.Equal(key, e.Key);
        Assert.Equal(reason, e.Reason);
    }

    [Theory]
    [InlineData("mutation.identity-probability=1.5", "evoact.mutation.identity-probability", "must be in [0, 1], got 1.5")]
    [InlineData("mutation.identity-probability=-0.1", "evoact.mutation.identity-probability", "must be in [0, 1], got -0.1")]
    [InlineData("mutation.unary-weight=-1", "evoact.mutation.unary-weight", "must be in [0, Infinity], got -1")]
    [InlineData("mutation.binary-weight=lots", "evoact.mutation.binary-weight", "expected a number, got 'lots'")]
    public void Bad_mutation_settings_name_the_key(string set, string key, string reason)
    {
        var e = Fails(() => SearchConfig.Mutation(Reader(set)));
        Assert.Equal(key, e.Key);
        Assert.Equal(reason, e.Reason);
    }

    [Fact]
    public void Both_mutation_weights_zero_is_refused()
    {
        var e = Fails(() => SearchConfig.Mutation(Reader("mutation.unary-weight=0", "mutation.binary-weight=0")));
        Assert.Equal("evoact.mutation", e.Key);
        Assert.Contains("cannot both be 0", e.Reason);
    }

    [Theory]
    [InlineData("filter.max-abs-output=0", "evoact.filter.max-abs-output")]
    [InlineData("filter.max-abs-output=-5", "evoact.filter.max-abs-output")]
    [InlineData("filter.constant-tolerance=-1e-9", "evoact.filter.constant-tolerance")]
    [InlineData("filter.constant-tolerance=tiny", "evoact.filter.constant-tolerance")]
    public void Bad_filter_settings_name_the_key(string set, string key)
    {
        var e = Fails(() => SearchConfig.Filter(Reader(set)));
        Assert.Equal(key, e.Key);
    }
}
