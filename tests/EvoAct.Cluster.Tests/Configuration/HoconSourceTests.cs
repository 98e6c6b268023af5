using EvoAct.Cluster.Configuration;

namespace EvoAct.Cluster.Tests.Configuration;

/// <summary>
/// HOCON that Akka 1.5's parser would take wrongly (or crash on) is refused with the file, the line
/// and the problem; includes are resolved by EvoAct, relative to the including file.
/// </summary>
public sealed class HoconSourceTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("evoact-hocon-tests-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string Write(string name, string text)
    {
        var path = Path.Combine(dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    ConfigException Refused(string text)
    {
        var path = Write("bad.conf", text);
        return Assert.Throws<ConfigException>(() => EvoActConfig.Load(file: path));
    }

    [Theory]
    [InlineData("evoact.training {\n  steps = 20\n", "bad.conf:1", "'{' is never closed")]
    [InlineData("evoact.training {\n  steps = 20\n}\n}\n", "bad.conf:4", "'}' without a matching '{'")]
    [InlineData("evoact.training {\n  steps = 20 ]\n}\n", "bad.conf:2", "']' where the '{' of line 1 should be closed")]
    [InlineData("evoact.training {\n  steps = = 20 ]\n}\n", "bad.conf:2", "missing value after '='")]
    [InlineData("evoact.training.steps =\nevoact.training.batch-size = 4\n", "bad.conf:1", "missing value after '='")]
    [InlineData("evoact.training { steps = }\n", "bad.conf:1", "missing value after '='")]
    [InlineData("evoact.run.name = \"abc\n", "bad.conf:1", "unterminated string")]
    [InlineData("a = [1, 2\n", "bad.conf:1", "'[' is never closed")]
    [InlineData("include \"missing.conf\"\n", "bad.conf:1", "included file \"missing.conf\" not found")]
    [InlineData("\ninclude required(\"missing.conf\")\n", "bad.conf:2", "included file \"missing.conf\" not found")]
    [InlineData("include url(\"http://example.com/x.conf\")\n", "bad.conf:1", "only file includes are supported")]
    [InlineData("include required(\"x.conf\"\n", "bad.conf:1", "malformed include")]
    public void Malformed_hocon_names_the_file_the_line_and_the_problem(string text, string where, string problem)
    {
        var e = Refused(text);
        Assert.Equal(Path.Combine(dir, where), e.Key);
        Assert.Contains(problem, e.Reason);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("evoact.training.curve = []   # no curve\n")]
    [InlineData("evoact.training.curve = [] // no curve\n")]
    [InlineData("evoact.training.curve = []   \r\n")]
    public void An_empty_list_followed_by_spaces_or_a_comment_is_an_empty_list(string text)
    {
        // Akka's parser alone reads each of these as a key without a value.
        var config = EvoActConfig.Load(file: Write("empty.conf", text));
        Assert.Empty(new ConfigReader(config).StringList("evoact.training.curve"));
    }

    [Fact]
    public void A_comment_keeps_its_quotes_and_hashes_inside_strings()
    {
        var config = EvoActConfig.Load(file: Write("s.conf", "evoact.run.name = \"a#b\"   # the name\n"));
        Assert.Equal("a#b", config.GetString("evoact.run.name"));
    }

    [Fact]
    public void A_key_akka_reads_without_a_value_is_refused()
    {
        var e = Refused("evoact.training {\n  steps\n}\n");
        Assert.Equal(Path.Combine(dir, "bad.conf"), e.Key);
        Assert.Contains("'evoact.training.steps' has no value", e.Reason);
    }

    [Fact]
    public void Includes_are_read_relative_to_the_including_file_in_every_spelling()
    {
        Write("sub/steps.conf", "evoact.training.steps = 7\ninclude \"batch.conf\"\n");
        Write("sub/batch.conf", "evoact.training.batch-size = 3\n");
        Write("lr.conf", "evoact.training.eval-batch-size = 50\n");
        Write("seed.conf", "seed = 9\n");
        var main = Write("main.conf", """
            include "sub/steps.conf"
            include required("lr.conf")
            evoact.evolution {
              include required(file("seed.conf"))
            }
            """);
        var c = new ConfigReader(EvoActConfig.Load(file: main));
        Assert.Equal(7, c.Int("evoact.training.steps"));
        Assert.Equal(3, c.Int("evoact.training.batch-size"));
        Assert.Equal(50, c.Int("evoact.training.eval-batch-size"));
        Assert.Equal(9, c.Long("evoact.evolution.seed"));
    }

    [Fact]
    public void An_error_in_an_included_file_names_that_file_and_a_cycle_is_refused()
    {
        Write("inner.conf", "\n\nevoact.training { steps = 1\n");
        var e = Refused("include \"inner.conf\"\n");
        Assert.Equal("inner.conf:3", e.Key);
        Assert.Contains("'{' is never closed", e.Reason);

        Write("a.conf", "include \"b.conf\"\n");
        Write("b.conf", "include \"a.conf\"\n");
        var cycle = Assert.Throws<ConfigException>(() => EvoActConfig.Load(file: Path.Combine(dir, "a.conf")));
        Assert.Contains("includes itself", cycle.Reason);
    }

    [Fact]
    public void Braces_and_separators_inside_strings_comments_and_substitutions_are_not_structure()
    {
        var path = Write("ok.conf", """
            # a comment with { and = =
            // another ] one
            evoact.run.name = "a{b]c = =" # trailing { comment
            evoact.persistence.connection-string = "Host=x;Database=y"
            evoact.run.progress-interval = 250ms
            evoact.trainers.fake-delay = ${evoact.run.progress-interval}
            evoact.training.device = "cuda:1"
            akka.remote.dot-netty.tcp.hostname = "127.0.0.1"
            """);
        var c = new ConfigReader(EvoActConfig.Load(file: path));
        Assert.Equal("a{b]c = =", c.String("evoact.run.name"));
        Assert.Equal("cuda:1", c.String("evoact.training.device"));
        Assert.Equal(TimeSpan.FromMilliseconds(250), c.Duration("evoact.trainers.fake-delay"));
    }

    [Fact]
    public void The_defaults_every_preset_and_set_overrides_still_load()
    {
        foreach (var preset in EvoActConfig.Presets) EvoActConfig.Load(preset: preset);
        var c = new ConfigReader(EvoActConfig.Load(sets: ["training.device=cuda:1", "search-space.unary=[x, sin]", "run.name=\"q\""]));
        Assert.Equal("cuda:1", c.String("evoact.training.device"));
        var e = Assert.Throws<ConfigException>(() => EvoActConfig.Load(sets: ["training={ steps = 3"]));
        Assert.Contains("'{' is never closed", e.Reason);
    }
}
