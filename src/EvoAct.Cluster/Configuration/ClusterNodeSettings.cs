namespace EvoAct.Cluster.Configuration;

/// <summary>evoact.cluster.*: where nodes bind and how they find each other.</summary>
public sealed record ClusterNodeSettings(string Hostname, int SeedPort, IReadOnlyList<string> SeedNodes, TimeSpan DownAfter)
{
    /// <summary>evoact.cluster.join-timeout: how long a seed waits to be let into a cluster before it gives up.</summary>
    public TimeSpan JoinTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// evoact.cluster.worker-wait: how long a worker waits to be let into a cluster (at start, and
    /// again after losing its coordinator) before it exits 1. Longer than a seed's join-timeout, since
    /// workers are often started before their seed.
    /// </summary>
    public TimeSpan WorkerWait { get; init; } = TimeSpan.FromMinutes(10);

    public static ClusterNodeSettings Read(ConfigReader c, IReadOnlyList<string>? seedNodes = null)
    {
        var seeds = seedNodes ?? c.StringList("evoact.cluster.seed-nodes");
        foreach (var s in seeds)
            if (!System.Text.RegularExpressions.Regex.IsMatch(s, @"^akka\.tcp://evoact@[^:/\s]+:\d+$"))
                throw new ConfigException(seedNodes is null ? "evoact.cluster.seed-nodes" : "--seed-nodes", $"'{s}' is not a seed node address like akka.tcp://evoact@127.0.0.1:4053");
        if (seeds.Count == 0) throw new ConfigException("evoact.cluster.seed-nodes", "needs at least one seed node");
        return new ClusterNodeSettings(c.String("evoact.cluster.hostname"), c.Int("evoact.cluster.seed-port", 1, 65535), seeds, c.Duration("evoact.cluster.down-after"))
        {
            JoinTimeout = c.Duration("evoact.cluster.join-timeout"),
            WorkerWait = c.Duration("evoact.cluster.worker-wait"),
        };
    }
}
