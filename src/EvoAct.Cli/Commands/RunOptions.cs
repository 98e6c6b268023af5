using System.CommandLine;
using EvoAct.Cluster.Configuration;

namespace EvoAct.Cli.Commands;

/// <summary>--data and --run, on top of the config options: which run, where.</summary>
public sealed class RunOptions
{
    public ConfigOptions Config { get; } = new();
    public Option<string?> Data { get; } = new("--data") { Description = "Directory of the run's journal (default: evoact.run.data)" };
    public Option<string?> Run { get; } = new("--run") { Description = "Run name (default: evoact.run.name)" };

    public void AddTo(Command command)
    {
        Config.AddTo(command);
        command.Options.Add(Data);
        command.Options.Add(Run);
    }

    public RunSettings Load(ParseResult r) => RunSettings.Read(Config.Load(r), r.GetValue(Data), r.GetValue(Run));
}
