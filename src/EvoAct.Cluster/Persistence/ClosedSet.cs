namespace EvoAct.Cluster.Persistence;

/// <summary>
/// A closed set: each value of <typeparamref name="T"/> has exactly one name (on the wire, in the journal,
/// in the config), and only those names read back (Enum.Parse would also take "3", "COMPLETED" or a name the
/// enum gains later). Built from an explicit list, which must name every value.
/// </summary>
public sealed class ClosedSet<T> where T : struct, Enum
{
    readonly Dictionary<T, string> names = new();
    readonly Dictionary<string, T> values = new(StringComparer.Ordinal);
    readonly string what;

    public ClosedSet(string what, params (T Value, string Name)[] pairs)
    {
        this.what = what;
        foreach (var (value, name) in pairs)
        {
            names.Add(value, name);
            values.Add(name, value);
        }
        var missing = Enum.GetValues<T>().Where(v => !names.ContainsKey(v)).ToArray();
        if (missing.Length > 0) throw new InvalidOperationException($"no wire name for {what} {string.Join(", ", missing)}");
    }

    public IReadOnlyCollection<string> Names => values.Keys;

    public string this[T value] => names[value];

    public bool TryParse(string? name, out T value) => values.TryGetValue(name ?? "", out value);

    public T Parse(string? name) => TryParse(name, out var v) ? v
        : throw new FormatException($"unknown {what} '{name}' (expected one of {string.Join(", ", values.Keys)})");
}
