using System.Reflection;
using Akka.Configuration;

namespace EvoAct.Cluster.Configuration;

/// <summary>
/// Builds the effective config from layers, later wins: the embedded hocon/evoact.conf &lt;
/// a preset (hocon/presets/NAME.conf) &lt; a user's file &lt; --set key=value overrides.
/// Then every evoact.* key is checked against the defaults, before anything runs or is written.
/// </summary>
public static class EvoActConfig
{
    const string Root = "evoact";

    public static Akka.Configuration.Config Defaults { get; } = ParseText(Embedded("evoact.conf")!, "hocon/evoact.conf");

    public static IReadOnlyList<string> Presets { get; } =
        typeof(EvoActConfig).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("presets/", StringComparison.Ordinal) && n.EndsWith(".conf", StringComparison.Ordinal))
            .Select(n => n["presets/".Length..^".conf".Length]).Order().ToArray();

    public static Akka.Configuration.Config Load(string? preset = null, string? file = null, IEnumerable<string>? sets = null)
    {
        var config = Defaults;
        if (preset is not null)
        {
            var text = Embedded($"presets/{preset}.conf")
                       ?? throw new ConfigException("--preset", $"unknown preset '{preset}'; known: {string.Join(", ", Presets)}");
            config = ParseText(text, $"preset {preset}").WithFallback(config);
        }
        if (file is not null)
        {
            if (!File.Exists(file)) throw new ConfigException("--config", $"file '{file}' not found");
            config = ParseChecked(HoconSource.ReadFile(file), file).WithFallback(config);
        }
        foreach (var set in sets ?? [])
            config = ParseSet(set).WithFallback(config);
        CheckKnownKeys(config);
        return config;
    }

    /// <summary>`key=value`; keys may omit the leading "evoact.".</summary>
    static Akka.Configuration.Config ParseSet(string set)
    {
        int eq = set.IndexOf('=');
        if (eq <= 0) throw new ConfigException("--set", $"expected key=value, got '{set}'");
        var key = set[..eq].Trim();
        var value = set[(eq + 1)..].Trim();
        if (!key.StartsWith(Root + ".", StringComparison.Ordinal) && !key.StartsWith("akka.", StringComparison.Ordinal)) key = $"{Root}.{key}";
        if (value.Length == 0) throw new ConfigException(key, "empty value in --set");
        try
        {
            return ParseText($"{key} = {value}", $"--set {set}");
        }
        catch (ConfigException) when (!value.StartsWith('"') && !value.StartsWith('[') && !value.StartsWith('{'))
        {
            // A bare value HOCON cannot take unquoted (cuda:1, a path with ':'): take it as a string.
            return ParseText($"{key} = \"{value.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"", $"--set {set}");
        }
    }

    static Akka.Configuration.Config ParseText(string text, string origin) => ParseChecked(HoconSource.Check(text, origin), origin);

    /// <summary>Akka's parse of text that <see cref="HoconSource"/> has checked; whatever Akka still throws or leaves without a value is one line too.</summary>
    static Akka.Configuration.Config ParseChecked(string text, string origin)
    {
        Akka.Configuration.Config config;
        try
        {
            config = ConfigurationFactory.ParseString(text);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var first = e.Message.Split('\n')[0].Trim();
            throw new ConfigException(origin, $"not valid HOCON: {first}");
        }
        // Akka keeps a key whose value it could not read (`a = = 1`, `a { b }`) as an empty value.
        if (Empty(config.Root, "") is { } key) throw new ConfigException(origin, $"not valid HOCON: '{key}' has no value");
        return config;
    }

    static string? Empty(Akka.Configuration.Hocon.HoconValue value, string path)
    {
        if (value.Values.Count == 0) return path.Length == 0 ? "(root)" : path;
        if (!value.IsObject()) return null;
        foreach (var (name, child) in value.GetObject().Items)
            if (Empty(child, path.Length == 0 ? name : $"{path}.{name}") is { } key) return key;
        return null;
    }

    /// <summary>Every evoact.* leaf must exist in the defaults: a typo must not silently do nothing.</summary>
    static void CheckKnownKeys(Akka.Configuration.Config config)
    {
        var known = Leaves(Defaults.Root, "").ToHashSet();
        var knownBlocks = known.SelectMany(Prefixes).ToHashSet();
        foreach (var key in Leaves(config.Root, "").Where(k => k.StartsWith(Root + ".", StringComparison.Ordinal)))
        {
            if (known.Contains(key)) continue;
            if (knownBlocks.Contains(key)) throw new ConfigException(key, "is a block of settings, not a single value");
            var hint = Search.Ops.OpNames.Suggest(key, known);
            throw new ConfigException(key, "unknown key" + (hint is null ? "" : $" (did you mean '{hint}'?)"));
        }
    }

    static IEnumerable<string> Prefixes(string key)
    {
        for (int i = key.IndexOf('.'); i > 0; i = key.IndexOf('.', i + 1)) yield return key[..i];
    }

    static IEnumerable<string> Leaves(Akka.Configuration.Hocon.HoconValue value, string path)
    {
        if (!value.IsObject()) { yield return path; yield break; }
        foreach (var (name, child) in value.GetObject().Items)
            foreach (var leaf in Leaves(child, path.Length == 0 ? name : $"{path}.{name}"))
                yield return leaf;
    }

    static string? Embedded(string name)
    {
        using var stream = typeof(EvoActConfig).Assembly.GetManifestResourceStream(name);
        if (stream is null) return null;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
