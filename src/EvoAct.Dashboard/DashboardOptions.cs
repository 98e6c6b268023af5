using System.Net;
using EvoAct.Cluster.Configuration;

namespace EvoAct.Dashboard;

/// <summary>What `evoact dashboard` (or `run --dashboard-port`) serves, and where.</summary>
/// <param name="Host">an IP address or localhost; anything but a loopback address needs a token</param>
/// <param name="Port">0: any free port (tests)</param>
/// <param name="Token">checked on every request when set: header "Authorization: Bearer T", ?token=T (then a cookie), or the cookie</param>
public sealed record DashboardOptions(PersistenceSettings Persistence, string DataDirectory, string Host = "127.0.0.1", int Port = 8080, string? Token = null)
{
    public const string TokenVariable = "EVOACT_DASHBOARD_TOKEN";
    /// <summary>How often the journal is polled: pages are at most this much plus a render behind it.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>The option that set the port, as messages name it (`run` and `seed` take --dashboard-port).</summary>
    public string PortOption { get; init; } = "--port";

    /// <summary>The address to bind, or a one-line reason why these options cannot be served.</summary>
    public IPAddress Validate()
    {
        if (Port is < 0 or > 65535) throw new BadInputException($"{PortOption}: {Port} is not a port (0-65535)");
        IPAddress ip = Host == "localhost" ? IPAddress.Loopback
                     : IPAddress.TryParse(Host, out var parsed) ? parsed
                     : throw new BadInputException($"--host: '{Host}' is not an IP address (give one, e.g. 127.0.0.1 or 0.0.0.0, or localhost)");
        if (!IPAddress.IsLoopback(ip) && string.IsNullOrEmpty(Token))
            throw new BadInputException($"--host: serving on {Host}, beyond this machine, needs a token (--token T or {TokenVariable}); or keep 127.0.0.1 and use an SSH tunnel");
        if (Persistence.Provider == JournalProvider.Sqlite)
        {
            if (File.Exists(DataDirectory)) throw Cluster.Hosting.DataDirectory.IsAFile(DataDirectory);
            if (!Directory.Exists(DataDirectory)) throw new BadInputException($"--data: directory '{DataDirectory}' does not exist");
        }
        return ip;
    }
}
