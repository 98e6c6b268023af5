using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.Hosting;
using EvoAct.Cluster.ReadSide;
using EvoAct.Cluster.Tables;
using EvoAct.Cluster.Tests.Actors;

namespace EvoAct.Cluster.Tests.Tables;

/// <summary>
/// A small benchmark table made the way the real one is: an exhaustive run (fake trainers, 2 seeds per
/// candidate) exported per seed. The fake landscape has no noise, so seed 1's accuracy is lowered by
/// 0.01 afterwards: the tests can then tell which seed a table answer came from.
/// </summary>
public static class TableFixture
{
    public const string Unary = "[x, neg, tanh, relu, sin]", Binary = "[add, max, mul]";
    public const int Genomes = 5 * 5 * 3;
    public const double SeedOneOffset = -0.01;

    static readonly Lazy<(string Path, IReadOnlyList<ExportRow> Rows)> Made = new(Make);

    public static string Path => Made.Value.Path;
    public static IReadOnlyList<ExportRow> Rows => Made.Value.Rows;
    public static BenchmarkTable Table => BenchmarkTable.Load(Path);

    public static string[] SpaceSets => ["search-space.core-units=1", $"search-space.unary={Unary}", $"search-space.binary={Binary}"];

    static (string, IReadOnlyList<ExportRow>) Make()
    {
        var dir = RunFixture.TempDir();
        var s = RunFixture.Settings(dir, "table", maxEvaluations: 10_000,
            extra: [.. SpaceSets, "evolution.strategy=exhaustive", "evolution.seeds-per-candidate=2", "trainers.fake-delay=0ms"]);
        var outcome = EmbeddedRun.RunAsync(s, _ => { }, _ => { }, _ => { }, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2)).GetAwaiter().GetResult();
        if (outcome.Final?.Finished != true) throw new InvalidOperationException("the table's exhaustive run did not finish");
        var rows = HistoryExport.Rows(RunFixture.Journal(s), perSeed: true)
            .Select(r => r.Seed == 1 && r.Fitness is { } f ? r with { Fitness = f + SeedOneOffset } : r).ToArray();
        var path = System.IO.Path.Combine(dir, "table.csv");
        File.WriteAllText(path, HistoryExport.ToCsv(rows));
        return (path, rows);
    }
}
