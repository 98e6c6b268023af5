using System.CommandLine;
using EvoAct.Cluster.Configuration;

namespace EvoAct.Cli.Commands;

/// <summary>--preset, --config and --set, shared by every command that reads HOCON.</summary>
public sealed class ConfigOptions
{
    public Option<string?> Preset { get; } = new("--preset") { Description = $"A preset from hocon/presets: {string.Join(", ", EvoActConfig.Presets)}" };
    public Option<string?> File { get; } = new("--config") { Description = "A HOCON file layered over the preset" };
    public Option<string[]> Sets { get; } = new("--set") { Description = "key=value overrides, e.g. --set training.steps=200 (repeatable)", AllowMultipleArgumentsPerToken = false };

    public void AddTo(Command command)
    {
        command.Options.Add(Preset);
        command.Options.Add(File);
        command.Options.Add(Sets);
    }

    public ConfigReader Load(ParseResult r) =>
        new(EvoActConfig.Load(r.GetValue(Preset), r.GetValue(File), r.GetValue(Sets) ?? []));
}
