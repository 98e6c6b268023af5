using EvoAct.Cluster.Configuration;
using EvoAct.Search;
using EvoAct.Search.Mutation;
using EvoAct.Search.Ops;

namespace EvoAct.Cluster.Tests.Configuration;

public sealed class EvoActConfigTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("evoact-config-tests-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string Write(string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Defaults_hold_every_documented_key()
    {
        var c = new ConfigReader(EvoActConfig.Load());
        Assert.Equal(2, c.Int("evoact.search-space.core-units"));
        Assert.Equal(25, c.StringList("evoact.search-space.unary").Count);
        Assert.Equal(10, c.StringList("evoact.search-space.binary").Count);
        Assert.Equal(1.0, c.Double("evoact.mutation.unary-weight"));
        Assert.Equal(1.0, c.Double("evoact.mutation.binary-weight"));
        Assert.Equal(0.05, c.Double("evoact.mutation.identity-probability"));
        Assert.Equal(1e4, c.Double("evoact.filter.max-abs-output"));
        Assert.Equal(1e-9, c.Double("evoact.filter.constant-tolerance"));
    }

    [Fact]
    public void Default_op_lists_name_the_papers_ops_in_order()
    {
        var c = new ConfigReader(EvoActConfig.Load());
        Assert.Equal(OpNames.AllUnary.Select(o => o.Name()), c.StringList("evoact.search-space.unary"));
        Assert.Equal(OpNames.AllBinary.Select(o => o.Name()), c.StringList("evoact.search-space.binary"));
    }

    [Fact]
    public void Set_keys_may_omit_the_evoact_prefix()
    {
        var a = new ConfigReader(EvoActConfig.Load(sets: ["search-space.core-units=1"]));
        var b = new ConfigReader(EvoActConfig.Load(sets: ["evoact.search-space.core-units=1"]));
        Assert.Equal(1, a.Int("evoact.search-space.core-units"));
        Assert.Equal(1, b.Int("evoact.search-space.core-units"));
    }

    [Fact]
    public void Set_overrides_leave_the_other_keys_at_their_defaults()
    {
        var c = new ConfigReader(EvoActConfig.Load(sets: ["evoact.search-space.unary=[relu, x]"]));
        Assert.Equal(["relu", "x"], c.StringList("evoact.search-space.unary"));
        Assert.Equal(2, c.Int("evoact.search-space.core-units"));
        Assert.Equal(10, c.StringList("evoact.search-space.binary").Count);
        Assert.Equal(MutationSettings.Default, SearchConfig.Mutation(c));
    }

    [Theory]
    [InlineData("mutation.unary-wieght=2", "evoact.mutation.unary-wieght", "evoact.mutation.unary-weight")]
    [InlineData("search-space.core-unit=1", "evoact.search-space.core-unit", "evoact.search-space.core-units")]
    [InlineData("evoact.filter.max-abs-outptu=5", "evoact.filter.max-abs-outptu", "evoact.filter.max-abs-output")]
    public void Unknown_keys_are_refused_with_a_suggestion(string set, string key, string suggestion)
    {
        var e = Assert.Throws<ConfigException>(() => EvoActConfig.Load(sets: [set]));
        Assert.Equal(key, e.Key);
        Assert.Equal($"unknown key (did you mean '{suggestion}'?)", e.Reason);
        Assert.Equal($"{key}: unknown key (did you mean '{suggestion}'?)", e.Message);
    }

    [Fact]
    public void Unknown_keys_far_from_any_known_key_have_no_suggestion()
    {
        var e = Assert.Throws<ConfigException>(() => EvoActConfig.Load(sets: ["something-else=1"]));
        Assert.Equal("evoact.something-else", e.Key);
        Assert.Equal("unknown key", e.Reason);
    }

    [Fact]
    public void Setting_a_block_to_a_value_is_refused()
    {
        var e = Assert.Throws<ConfigException>(() => EvoActConfig.Load(sets: ["mutation=1"]));
        Assert.Equal("evoact.mutation", e.Key);
        Assert.Contains("block", e.Reason);
    }

    [Theory]
    [InlineData("no-equals-sign")]
    [InlineData("=1")]
    public void Malformed_sets_are_refused(string set)
    {
        var e = Assert.Throws<ConfigException>(() => EvoActConfig.Load(sets: [set]));
        Assert.Equal("--set", e.Key);
    }

    [Fact]
    public void Empty_set_values_are_refused()
    {
        var e = Assert.Throws<ConfigException>(() => EvoActConfig.Load(sets: ["search-space.core-units="]));
        Assert.Equal("evoact.search-space.core-units", e.Key);
    }

    [Fact]
    public void A_missing_config_file_is_refused()
    {
        var missing = Path.Combine(dir, "does-not-exist.conf");
        var e = Assert.Throws<ConfigException>(() => EvoActConfig.Load(file: missing));
        Assert.Equal("--config", e.Key);
        Assert.Contains(missing, e.Message);
    }

    [Fact]
    public void An_unknown_preset_is_refused()
    {
        var e = Assert.Throws<ConfigException>(() => EvoActConfig.Load(preset: "no-such-preset"));
        Assert.Equal("--preset", e.Key);
        Assert.Contains("no-such-preset", e.Reason);
    }

    [Fact]
    public void A_config_file_overrides_the_defaults()
    {
        var path = Write("small.conf", """
            evoact {
              search-space {
                core-units = 1
                unary = [x, sin, relu]
              }
              mutation.identity-probability = 0.2
            }
            evoact.filter.max-abs-output = 50
            """);
        var c = new ConfigReader(EvoActConfig.Load(file: path));
        var space = SearchConfig.SearchSpace(c);
        Assert.Equal(new SearchSpace(1, [UnaryOp.X, UnaryOp.Sin, UnaryOp.Relu], OpNames.AllBinary), space);
        Assert.Equal(new MutationSettings(1, 1, 0.2), SearchConfig.Mutation(c));
        Assert.Equal(50, SearchConfig.Filter(c).MaxAbsOutput);
        Assert.Equal(1e-9, SearchConfig.Filter(c).ConstantTolerance);
    }

    [Fact]
    public void Sets_win_over_the_config_file()
    {
        var path = Write("k1.conf", "evoact.search-space.core-units = 1\nevoact.mutation.unary-weight = 4");
        var c = new ConfigReader(EvoActConfig.Load(file: path, sets: ["search-space.core-units=3"]));
        Assert.Equal(3, SearchConfig.SearchSpace(c).CoreUnits);
        Assert.Equal(4, SearchConfig.Mutation(c).UnaryWeight);
    }

    [Fact]
    public void Unknown_keys_in_a_config_file_are_refused()
    {
        var path = Write("typo.conf", "evoact { mutation { unary-wieght = 2 } }");
        var e = Assert.Throws<ConfigException>(() => EvoActConfig.Load(file: path));
        Assert.Equal("evoact.mutation.unary-wieght", e.Key);
        Assert.StartsWith("unknown key", e.Reason);
    }

    [Fact]
    public void Unknown_keys_in_a_config_file_are_refused_even_with_sets()
    {
        var path = Write("typo2.conf", "evoact.search-space.core-unitz = 1");
        var e = Assert.Throws<ConfigException>(() => EvoActConfig.Load(file: path, sets: ["mutation.unary-weight=2"]));
        Assert.Equal("evoact.search-space.core-unitz", e.Key);
        Assert.StartsWith("unknown key", e.Reason);
    }

    [Fact]
    public void Invalid_hocon_in_a_config_file_is_refused()
    {
        // (Akka's parser is lenient: an unclosed brace or list is accepted, an unresolved substitution is not)
        var path = Write("broken.conf", "evoact.mutation.unary-weight = ${missing}");
        var e = Assert.Throws<ConfigException>(() => EvoActConfig.Load(file: path));
        Assert.Equal(path, e.Key);
        Assert.Contains("not valid HOCON", e.Reason);
    }

    [Fact]
    public void Values_out_of_range_in_a_config_file_name_the_key()
    {
        var path = Write("range.conf", "evoact.mutation.identity-probability = 1.5");
        var c = new ConfigReader(EvoActConfig.Load(file: path));
        var e = Assert.Throws<ConfigException>(() => SearchConfig.Mutation(c));
        Assert.Equal("evoact.mutation.identity-probability", e.Key);
    }
}
