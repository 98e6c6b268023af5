using System.Text.RegularExpressions;

namespace EvoAct.Cli.Tests;

/// <summary>
/// Hostile and broken input through the CLI: each is exit code 2, one line on stderr naming the
/// problem, no stack trace, and nothing written.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("evoact-bad-input").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static string Repeat(string s, int n) => string.Concat(Enumerable.Repeat(s, n));

    /// <summary>Exit 2, a single stderr line with every expected part, nothing that looks like a stack trace.</summary>
    static void AssertRefused(EvoactResult r, params string[] expected)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        var line = Assert.Single(r.StderrLines);
        foreach (var e in expected) Assert.Contains(e, line);
        AssertNoStackTrace(r);
    }

    internal static void AssertNoStackTrace(EvoactResult r) => AssertNoStackTrace(r.Stdout + r.Stderr);

    internal static void AssertNoStackTrace(string output)
    {
        Assert.DoesNotContain("Unhandled exception", output);
        Assert.DoesNotMatch(new Regex(@"^\s+at \S+\(", RegexOptions.Multiline), output);
    }

    /// <summary>The files under a directory, relative, with their sizes: what "nothing written" compares.</summary>
    static string[] Listing(string path) =>
        Directory.Exists(path)
            ? Directory.GetFiles(path, "*", SearchOption.AllDirectories).Select(f => $"{Path.GetRelativePath(path, f)} {new FileInfo(f).Length}").Order().ToArray()
            : [];

    public static TheoryData<string, string> HostileExpressions => new()
    {
        { Repeat("sin(", 10_000) + "x" + Repeat(")", 10_000), "expression nests deeper than 1,000 levels" },
        { Repeat("-", 20_000) + "x", "expression nests deeper than 1,000 levels" },
        { Repeat("x+", 65_000), "expression nests deeper than 1,000 levels" },
        { "1e999 * x", "number '1e999' at column 1 is too large" },
    };

    [Theory]
    [MemberData(nameof(HostileExpressions))]
    public void Hostile_expressions_are_refused_by_inspect_and_eval(string expression, string message)
    {
        AssertRefused(EvoactProcess.Run("inspect", expression), message);
        AssertRefused(EvoactProcess.Run("inspect", expression, "--json"), message);
        AssertRefused(EvoactProcess.Run(TimeSpan.FromSeconds(60), "eval", expression, "--preset", "smoke"), message);
    }

    [Fact]
    public void An_expression_1000_levels_deep_still_works()
    {
        var r = EvoactProcess.Run("inspect", Repeat("sin(", 999) + "x" + Repeat(")", 999), "--at", "0.5", "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("\"verdict\"", r.Stdout);
    }

    [Theory]
    [InlineData("1,,2")]
    [InlineData("1,2,")]
    public void An_empty_point_in_at_is_refused(string at) =>
        AssertRefused(EvoactProcess.Run("inspect", "x", "--at", at), "--at: expected comma-separated numbers");

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    public void Dot_run_names_are_refused(string name)
    {
        var data = Path.Combine(dir, "data");
        AssertRefused(EvoactProcess.Run("run", "--data", data, "--run", name, "--set", "trainers.kind=fake"), $"'{name}' is not a valid run name");
        Assert.False(Directory.Exists(data));
    }

    [Theory]
    [InlineData("evoact.training {\n  steps = 20\n", ":1", "'{' is never closed")]
    [InlineData("include \"missing.conf\"\n", ":1", "included file \"missing.conf\" not found")]
    [InlineData("# settings\ninclude required(\"missing.conf\")\n", ":2", "included file \"missing.conf\" not found")]
    [InlineData("evoact.training {\n  steps = = 20 ]\n}\n", ":2", "missing value after '='")]
    [InlineData("evoact.training {\n  steps = 20 ]\n}\n", ":2", "']' where the '{' of line 1 should be closed")]
    public void Broken_hocon_names_the_file_and_line_and_writes_nothing(string text, string line, string problem)
    {
        var config = Path.Combine(dir, "broken.conf");
        File.WriteAllText(config, text);
        var data = Path.Combine(dir, "data");
        var r = EvoactProcess.Run("run", "--config", config, "--data", data, "--set", "trainers.kind=fake", "--set", "evolution.max-evaluations=3");
        AssertRefused(r, $"{config}{line}: {problem}");
        Assert.False(Directory.Exists(data), "nothing may be written for a broken config");
    }

    [Fact]
    public void A_corrupt_or_truncated_journal_is_refused_by_status_export_and_run_and_left_as_it_was()
    {
        var good = Path.Combine(dir, "good");
        var made = EvoactProcess.Run(TimeSpan.FromSeconds(90), "run", "--data", good, "--run", "j", "--set", "trainers.kind=fake",
            "--set", "trainers.fake-delay=1ms", "--set", "evolution.population-size=10", "--set", "evolution.sample-size=3",
            "--set", "evolution.max-evaluations=40");
        Assert.True(made.ExitCode == 0, made.ToString());
        var bytes = File.ReadAllBytes(Path.Combine(good, "evoact.db"));
        Assert.True(bytes.Length >= 5 * 4096, $"the journal is {bytes.Length} bytes: too small to truncate meaningfully");

        var damaged = bytes.ToArray();
        Array.Fill(damaged, (byte)0xff, 4096, damaged.Length - 4096); // header intact, every other page garbage
        var cases = new (string Name, byte[] Bytes, string Problem)[]
        {
            ("garbage", System.Text.Encoding.ASCII.GetBytes(Repeat("not a database ", 500)), "not an SQLite database"),
            ("truncated", bytes[..8192], "truncated SQLite database"),
            ("header-only", bytes[..60], "truncated SQLite database"),
            ("damaged", damaged, "the SQLite journal is corrupt"),
        };
        foreach (var (name, content, problem) in cases)
        {
            var data = Path.Combine(dir, name);
            Directory.CreateDirectory(data);
            var db = Path.Combine(data, "evoact.db");
            File.WriteAllBytes(db, content);
            foreach (var command in new[] { "status", "export", "run" })
            {
                var r = EvoactProcess.Run(TimeSpan.FromSeconds(60), command, "--data", data, "--run", "j", "--set", "trainers.kind=fake");
                AssertRefused(r, db, problem);
                Assert.Equal([$"evoact.db {content.Length}"], Listing(data)); // no -wal, -shm or lock file left
                Assert.Equal(content, File.ReadAllBytes(db));
            }
        }
    }

    [Fact]
    public void A_bad_dataset_stops_run_before_anything_is_written()
    {
        var images = new byte[16 + 100];
        new byte[] { 0, 0, 8, 3, 0, 0, 0xea, 0x60, 0, 0, 0, 28, 0, 0, 0, 28 }.CopyTo(images, 0); // 60,000 images of 28x28, then 100 bytes
        var cases = new (string Name, byte[] Images, string Problem)[]
        {
            ("wrong-magic", System.Text.Encoding.ASCII.GetBytes("this is not an IDX file at all"), "train-images-idx3-ubyte"),
            ("truncated", images, "train-images-idx3-ubyte"),
        };
        foreach (var (name, content, problem) in cases)
        {
            var dataset = Path.Combine(dir, "fmnist-" + name);
            Directory.CreateDirectory(dataset);
            foreach (var prefix in new[] { "train", "t10k" })
            {
                File.WriteAllBytes(Path.Combine(dataset, $"{prefix}-images-idx3-ubyte"), content);
                File.WriteAllBytes(Path.Combine(dataset, $"{prefix}-labels-idx1-ubyte"), [0, 0, 8, 1, 0, 0, 0, 1, 0]);
            }
            var data = Path.Combine(dir, "data-" + name);
            var r = EvoactProcess.Run(TimeSpan.FromSeconds(60), "run", "--preset", "smoke", "--data", data, "--run", "d",
                "--set", "training.data.name=fashion-mnist", "--set", $"training.data.path={dataset}",
                "--set", "trainers.kind=torch", "--set", "trainers.slots=1");
            AssertRefused(r, problem);
            Assert.False(Directory.Exists(data), "nothing may be written for a bad dataset");
        }
    }

    [Fact]
    public void Data_pointing_at_a_file_or_through_one_is_refused()
    {
        var file = Path.Combine(dir, "a-file");
        File.WriteAllText(file, "x");
        AssertRefused(EvoactProcess.Run("run", "--data", file, "--set", "trainers.kind=fake"), $"--data: '{file}' is a file, not a directory");
        AssertRefused(EvoactProcess.Run("status", "--data", file), $"--data: '{file}' is a file, not a directory");
        AssertRefused(EvoactProcess.Run("export", "--data", file), $"--data: '{file}' is a file, not a directory");
        AssertRefused(EvoactProcess.Run("run", "--data", Path.Combine(file, "sub"), "--set", "trainers.kind=fake"), "--data: cannot create directory");
        Assert.Equal("x", File.ReadAllText(file));
    }

    [TmpfsFact]
    public void A_read_only_data_directory_is_refused()
    {
        using var ro = new Tmpfs("ro,size=64k");
        AssertRefused(EvoactProcess.Run("run", "--data", ro.Path, "--run", "r", "--set", "trainers.kind=fake"), $"--data: cannot write in '{ro.Path}'", "Read-only file system");
        AssertRefused(EvoactProcess.Run("run", "--data", Path.Combine(ro.Path, "sub"), "--run", "r", "--set", "trainers.kind=fake"), "--data: cannot create directory");
    }

    [UnprivilegedFact]
    public void A_data_directory_without_write_permission_is_refused()
    {
        // EACCES, not EROFS: a directory the user may not write in (run as nobody where the tests are root).
        var locked = Directory.CreateTempSubdirectory("evoact-locked").FullName;
        try
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute |
                                         UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            AssertRefused(EvoactProcess.RunUnprivileged("run", "--data", locked, "--run", "r", "--set", "trainers.kind=fake"),
                          $"--data: cannot write in '{locked}'", "denied");
            AssertRefused(EvoactProcess.RunUnprivileged("run", "--data", Path.Combine(locked, "sub"), "--run", "r", "--set", "trainers.kind=fake"),
                          "--data: cannot create directory");
            Assert.Empty(Directory.EnumerateFileSystemEntries(locked));
        }
        finally
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.Delete(locked, recursive: true);
        }
    }

    [TmpfsFact]
    public void A_full_disk_at_start_is_refused_and_leaves_no_empty_journal_behind()
    {
        using var full = new Tmpfs("size=64k");
        full.Fill();
        var r = EvoactProcess.Run("run", "--data", full.Path, "--run", "r", "--set", "trainers.kind=fake");
        AssertRefused(r, Path.Combine(full.Path, "evoact.db"), "database or disk is full");
        Assert.Equal(["fill 65536"], Listing(full.Path));
    }
}
