namespace EvoAct.Search.Ops;

/// <summary>
/// The names users write in HOCON and in expressions, exactly as tabled in the paper
/// (shared/paper/search-space.md), and which ops own a trainable per-channel beta.
/// </summary>
public static class OpNames
{
    /// <summary>eps of logabs and div.</summary>
    public const double Eps = 1e-7;

    static readonly string[] Unary =
    {
        "x", "neg", "abs", "square", "cube", "sqrt", "scale", "shift", "logabs", "exp",
        "sin", "cos", "sinh", "cosh", "tanh", "asinh", "atan", "sinc", "relu", "min0",
        "sigmoid", "softplus", "gauss", "erf", "beta",
    };

    static readonly string[] Binary =
    {
        "add", "mul", "sub", "div", "max", "min", "sigmul", "gaussdiff", "laplacediff", "mix",
    };

    static readonly Dictionary<string, UnaryOp> UnaryByName =
        Unary.Select((n, i) => (n, (UnaryOp)i)).ToDictionary(p => p.n, p => p.Item2);

    static readonly Dictionary<string, BinaryOp> BinaryByName =
        Binary.Select((n, i) => (n, (BinaryOp)i)).ToDictionary(p => p.n, p => p.Item2);

    public static IReadOnlyList<UnaryOp> AllUnary { get; } = Enum.GetValues<UnaryOp>();
    public static IReadOnlyList<BinaryOp> AllBinary { get; } = Enum.GetValues<BinaryOp>();

    /// <summary>Every function name an expression may call.</summary>
    public static IReadOnlyList<string> FunctionNames { get; } = Unary.Concat(Binary).ToArray();

    public static string Name(this UnaryOp op) => Unary[(int)op];
    public static string Name(this BinaryOp op) => Binary[(int)op];

    public static bool TryParseUnary(string name, out UnaryOp op) => UnaryByName.TryGetValue(name, out op);
    public static bool TryParseBinary(string name, out BinaryOp op) => BinaryByName.TryGetValue(name, out op);

    /// <summary>Ops with a trainable beta: one parameter per use, per channel, initialised to 1.</summary>
    public static bool UsesBeta(this UnaryOp op) => op is UnaryOp.Scale or UnaryOp.Shift or UnaryOp.Beta;
    public static bool UsesBeta(this BinaryOp op) => op is BinaryOp.GaussDiff or BinaryOp.LaplaceDiff or BinaryOp.Mix;

    /// <summary>The closest known name within edit distance 2, for "did you mean" hints.</summary>
    public static string? Suggest(string name, IEnumerable<string> candidates) =>
        candidates.Select(c => (c, d: EditDistance(name, c)))
                  .Where(p => p.d <= Math.Max(1, Math.Min(2, name.Length / 3)))
                  .OrderBy(p => p.d).Select(p => p.c).FirstOrDefault();

    static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1),
                                   d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
