namespace EvoAct.Cluster.Configuration;

/// <summary>A bad config file or value: the message names the key and the reason, on one line.</summary>
public sealed class ConfigException(string key, string reason) : Exception($"{key}: {reason}")
{
    public string Key { get; } = key;
    public string Reason { get; } = reason;
}
