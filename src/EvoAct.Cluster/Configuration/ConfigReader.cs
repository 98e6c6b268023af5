using System.Globalization;
using Akka.Configuration;

namespace EvoAct.Cluster.Configuration;

/// <summary>
/// Typed, checked reads of a HOCON config. Akka's HOCON getters return 0 for a missing key and throw
/// FormatExceptions without the key's name; every read here names the key and the expectation.
/// </summary>
public sealed class ConfigReader(Akka.Configuration.Config config)
{
    public Akka.Configuration.Config Config { get; } = config;

    public int Int(string key, int min = int.MinValue, int max = int.MaxValue)
    {
        var raw = Raw(key);
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
            throw new ConfigException(key, $"expected an integer, got '{raw}'");
        if (v < min || v > max) throw new ConfigException(key, $"must be in {min}..{max}, got {v}");
        return v;
    }

    public long Long(string key, long min = long.MinValue, long max = long.MaxValue)
    {
        var raw = Raw(key);
        if (!long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
            throw new ConfigException(key, $"expected an integer, got '{raw}'");
        if (v < min || v > max) throw new ConfigException(key, $"must be in {min}..{max}, got {v}");
        return v;
    }

    public double Double(string key, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        var raw = Raw(key);
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            throw new ConfigException(key, $"expected a number, got '{raw}'");
        if (v < min || v > max) throw new ConfigException(key, $"must be in [{Fmt(min)}, {Fmt(max)}], got {Fmt(v)}");
        return v;
    }

    public bool Bool(string key)
    {
        var raw = Raw(key);
        return raw switch
        {
            "true" or "on" or "yes" => true,
            "false" or "off" or "no" => false,
            _ => throw new ConfigException(key, $"expected true or false, got '{raw}'"),
        };
    }

    public string String(string key) => Raw(key);

    /// <summary>
    /// A HOCON duration: 200ms, 2s, 30m, 2h, 1d (a bare number is milliseconds). Positive unless
    /// <paramref name="allowZero"/>, whatever the unit: 0ms and 0s are the same duration.
    /// </summary>
    public TimeSpan Duration(string key, bool allowZero = false)
    {
        var raw = Raw(key);
        var m = System.Text.RegularExpressions.Regex.Match(raw, @"^\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h|d|)\s*$");
        if (!m.Success) throw new ConfigException(key, $"expected a duration like 500ms, 30s, 5m or 2h, got '{raw}'");
        double v = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var span = m.Groups[2].Value switch
        {
            "s" => TimeSpan.FromSeconds(v), "m" => TimeSpan.FromMinutes(v), "h" => TimeSpan.FromHours(v),
            "d" => TimeSpan.FromDays(v), _ => TimeSpan.FromMilliseconds(v),
        };
        if (span == TimeSpan.Zero && !allowZero) throw new ConfigException(key, $"must be positive, got '{raw}'");
        return span;
    }

    public string Choice(string key, params string[] allowed)
    {
        var raw = Raw(key);
        if (!allowed.Contains(raw)) throw new ConfigException(key, $"expected one of {string.Join(", ", allowed)}, got '{raw}'");
        return raw;
    }

    /// <summary>One of a closed set's names, read as its value.</summary>
    public T Choice<T>(string key, Persistence.ClosedSet<T> set) where T : struct, Enum
    {
        var raw = Raw(key);
        if (!set.TryParse(raw, out var v)) throw new ConfigException(key, $"expected one of {string.Join(", ", set.Names)}, got '{raw}'");
        return v;
    }

    public IReadOnlyList<string> StringList(string key)
    {
        Require(key);
        var value = Config.GetValue(key);
        // Akka's IsArray() is false for `[]`, and `[ ]` reads as [""]: both are the empty list.
        bool emptyList = value.Values is [Akka.Configuration.Hocon.HoconArray];
        if (!value.IsArray() && !emptyList) throw new ConfigException(key, $"expected a list like [a, b], got '{value}'");
        return value.GetStringList().Where(s => !string.IsNullOrWhiteSpace(s)).ToArray();
    }

    string Raw(string key)
    {
        Require(key);
        var value = Config.GetValue(key);
        if (value.IsObject() || value.IsArray()) throw new ConfigException(key, "expected a single value, got a block or list");
        return value.GetString()?.Trim() ?? "";
    }

    void Require(string key)
    {
        if (!Config.HasPath(key)) throw new ConfigException(key, "missing");
    }

    static string Fmt(double v) => v.ToString(CultureInfo.InvariantCulture);
}
