using EvoAct.Search;
using EvoAct.Search.Fingerprints;
using EvoAct.Search.Mutation;
using EvoAct.Search.Ops;

namespace EvoAct.Cluster.Configuration;

/// <summary>Reads evoact.search-space, evoact.mutation and evoact.filter into the pure domain's types.</summary>
public static class SearchConfig
{
    public static SearchSpace SearchSpace(ConfigReader c)
    {
        int k = c.Int("evoact.search-space.core-units", 1, Search.SearchSpace.MaxCoreUnits);
        var unary = Ops("evoact.search-space.unary", c.StringList("evoact.search-space.unary"),
            name => (OpNames.TryParseUnary(name, out var op), op), OpNames.AllUnary.Select(o => o.Name()));
        var binary = Ops("evoact.search-space.binary", c.StringList("evoact.search-space.binary"),
            name => (OpNames.TryParseBinary(name, out var op), op), OpNames.AllBinary.Select(o => o.Name()));
        return new SearchSpace(k, unary, binary);
    }

    public static MutationSettings Mutation(ConfigReader c)
    {
        var s = new MutationSettings(
            c.Double("evoact.mutation.unary-weight", 0),
            c.Double("evoact.mutation.binary-weight", 0),
            c.Double("evoact.mutation.identity-probability", 0, 1));
        if (s.UnaryWeight + s.BinaryWeight <= 0)
            throw new ConfigException("evoact.mutation", "unary-weight and binary-weight cannot both be 0");
        return s;
    }

    public static FilterSettings Filter(ConfigReader c) => new(
        c.Double("evoact.filter.max-abs-output", double.Epsilon),
        c.Double("evoact.filter.constant-tolerance", 0));

    static List<T> Ops<T>(string key, IReadOnlyList<string> names, Func<string, (bool, T)> parse, IEnumerable<string> known)
    {
        if (names.Count == 0) throw new ConfigException(key, "needs at least one op");
        var ops = new List<T>();
        foreach (var name in names)
        {
            var (ok, op) = parse(name);
            if (!ok)
            {
                var hint = OpNames.Suggest(name, known);
                throw new ConfigException(key, $"unknown op '{name}'" + (hint is null ? "" : $" (did you mean '{hint}'?)"));
            }
            if (ops.Contains(op)) throw new ConfigException(key, $"op '{name}' is listed twice");
            ops.Add(op);
        }
        return ops;
    }
}
