using System.CommandLine;
using EvoAct.Cluster.Configuration;

namespace EvoAct.Cli.Commands;

/// <summary>--data and --run, on top of the config options: which run, where.</summary>
public sealed class RunOptions
{
    public ConfigOptions Config { get; } = new();
    public Option<string?> Data { get; } = new("--data") { Description = "Directory of the run's journal (default: evoact.run.data)" };
    public Option<string?> Run { get; } = new("--run") { Description = "Run name (default: evoact.run.name)" };
    public Option<string?> Devices { get; } = new("--devices")
    {
        Description = "This node's trainers, one per device: cuda:0,cuda:1 or cpu:2 (two CPU trainers); default evoact.trainers.devices, else trainers.slots on training.device",
    };
    bool devices;

    /// <param name="withDevices">the command runs local trainers: offer --devices</param>
    public void AddTo(Command command, bool withDevices = false)
    {
        Config.AddTo(command);
        command.Options.Add(Data);
        command.Options.Add(Run);
        if (withDevices) command.Options.Add(Devices);
        devices = withDevices;
    }

    public RunSettings Load(ParseResult r)
    {
        var s = RunSettings.Read(Config.Load(r), r.GetValue(Data), r.GetValue(Run));
        return devices && r.GetValue(Devices) is { } list ? s with { Trainers = s.Trainers.WithDevices(ParseDevices(list)) } : s;
    }

    public static IReadOnlyList<string> ParseDevices(string list)
    {
        try
        {
            var d = DeviceList.Parse([list]);
            return d.Count > 0 ? d : throw new FormatException("name at least one device");
        }
        catch (FormatException e)
        {
            throw new UsageException($"--devices: {e.Message}");
        }
    }
}
