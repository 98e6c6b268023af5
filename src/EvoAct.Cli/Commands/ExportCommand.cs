using System.CommandLine;
using EvoAct.Cluster.Hosting;
using EvoAct.Cluster.ReadSide;

namespace EvoAct.Cli.Commands;

/// <summary>`evoact export [--format csv|json] [--out FILE] [--per-seed]`: the full history of a run.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var options = new RunOptions();
        var format = new Option<string>("--format") { Description = "csv or json", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("csv", "json");
        var output = new Option<string?>("--out") { Description = "File to write (default: stdout)" };
        var perSeed = new Option<bool>("--per-seed") { Description = "One row per training seed of each trained evaluation (the benchmark-table form the table trainer reads)" };
        var command = new Command("export", "Export every evaluation of a run: ids, parent, mutation, genome, expression, fingerprint, fitness, outcome, worker, timing") { format, output, perSeed };
        options.AddTo(command);
        command.SetAction(r =>
        {
            var s = options.Load(r);
            var state = JournalReader.ReadAsync(s.Persistence, s.DataDirectory, s.Name).GetAwaiter().GetResult()
                        ?? throw new UsageException($"no run '{s.Name}' in {s.DataDirectory}");
            var rows = HistoryExport.Rows(state, r.GetValue(perSeed));
            var text = r.GetValue(format) == "json" ? HistoryExport.ToJson(s.Name, rows) + "\n" : HistoryExport.ToCsv(rows);
            if (r.GetValue(output) is { } path)
            {
                var full = Path.GetFullPath(path);
                if (Path.GetDirectoryName(full) is { } d && !Directory.Exists(d)) throw new UsageException($"--out: directory '{d}' does not exist");
                File.WriteAllText(full, text);
                Console.Error.WriteLine($"wrote {rows.Count} {(r.GetValue(perSeed) ? "rows" : "evaluations")} to {path}");
            }
            else Console.Write(text);
            return 0;
        });
        return command;
    }
}
