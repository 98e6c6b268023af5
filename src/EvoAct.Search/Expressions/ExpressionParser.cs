using System.Globalization;
using System.Runtime.CompilerServices;
using EvoAct.Search.Ops;

namespace EvoAct.Search.Expressions;

/// <summary>
/// Recursive-descent parser for the paper's ASCII notation:
/// <code>
/// expr    := term (('+' | '-') term)*
/// term    := unary (('*' | '/') unary)*
/// unary   := '-' unary | power
/// power   := primary ('^' unary)?          right-associative, binds tighter than unary minus
/// primary := number | 'x' | 'beta' | name '(' expr (',' expr)* ')' | '(' expr ')'
/// </code>
/// Bounds: a parsed tree is at most <see cref="MaxDepth"/> levels deep and has at most
/// <see cref="MaxNodes"/> nodes, and the text may nest (parentheses, calls, unary minus, '^') at most
/// 2 x MaxDepth levels, enough for anything the printer writes of a tree within the bound. Every
/// Expr in EvoAct comes from this parser or from a genome (a few levels deep), so the printer, the
/// evaluators, the fingerprint, record equality and the TorchSharp compiler may recurse over a tree
/// without a guard of their own: this bound is what keeps them off the end of the stack. The parser
/// itself also checks the thread's stack as it descends, so it cannot overflow even on a small one.
/// </summary>
public sealed class ExpressionParser
{
    /// <summary>The deepest tree accepted; also the bound the recursive consumers of Expr rely on.</summary>
    public const int MaxDepth = 1000;

    /// <summary>The most nodes (variables, numbers, operations) in one expression.</summary>
    public const int MaxNodes = 10_000;

    readonly string text;
    int pos;
    int nesting, nodes;

    // Depth of each subtree built so far, keyed by reference: the records compare structurally.
    readonly Dictionary<Expr, int> depths = new(ReferenceEqualityComparer.Instance);

    ExpressionParser(string text) => this.text = text;

    public static Expr Parse(string text)
    {
        var parser = new ExpressionParser(text);
        var expr = parser.ParseExpr();
        parser.SkipSpace();
        if (parser.pos < text.Length)
            throw parser.Error($"expected an operator or end of input at column {parser.pos + 1}, found '{text[parser.pos]}'");
        return expr;
    }

    /// <summary>A new node over its children, refused past the depth or size bound.</summary>
    Expr Node(Expr e, params ReadOnlySpan<Expr> children)
    {
        int depth = 1;
        foreach (var c in children) depth = Math.Max(depth, Depth(c) + 1);
        if (depth > MaxDepth) throw TooDeep();
        if (++nodes > MaxNodes)
            throw new ParseException($"expression has more than {MaxNodes.ToString("N0", CultureInfo.InvariantCulture)} terms (at column {pos + 1})", pos + 1);
        depths[e] = depth;
        return e;
    }

    int Depth(Expr e) => depths.TryGetValue(e, out var d) ? d : 1;

    ParseException TooDeep() =>
        new($"expression nests deeper than {MaxDepth.ToString("N0", CultureInfo.InvariantCulture)} levels (at column {pos + 1})", pos + 1);

    /// <summary>One level of recursion in the text; the caller leaves it with <see cref="Leave"/>.</summary>
    void Enter()
    {
        if (++nesting > 2 * MaxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack()) throw TooDeep();
    }

    void Leave() => nesting--;

    Expr ParseExpr()
    {
        Enter();
        var left = ParseTerm();
        while (true)
        {
            BinaryOp op;
            if (Accept('+')) op = BinaryOp.Add;
            else if (Accept('-')) op = BinaryOp.Sub;
            else { Leave(); return left; }
            var right = ParseTerm();
            left = Node(new BinaryCall(op, left, right), left, right);
        }
    }

    Expr ParseTerm()
    {
        var left = ParseUnary();
        while (true)
        {
            BinaryOp op;
            if (Accept('*')) op = BinaryOp.Mul;
            else if (Accept('/')) op = BinaryOp.Div;
            else return left;
            var right = ParseUnary();
            left = Node(new BinaryCall(op, left, right), left, right);
        }
    }

    Expr ParseUnary()
    {
        if (!Accept('-')) return ParsePower();
        Enter();
        var arg = ParseUnary();
        Leave();
        return Node(new UnaryCall(UnaryOp.Neg, arg), arg);
    }

    Expr ParsePower()
    {
        var b = ParsePrimary();
        if (!Accept('^')) return b;
        Enter();
        var exponent = ParseUnary();
        Leave();
        return Node(new Power(b, exponent), b, exponent);
    }

    Expr ParsePrimary()
    {
        SkipSpace();
        if (pos >= text.Length) throw Error($"expected x, beta, a number, a function call or '(' at column {pos + 1}, found end of input");
        char c = text[pos];
        if (c == '(')
        {
            pos++;
            var inner = ParseExpr();
            Expect(')');
            return inner;
        }
        if (char.IsDigit(c) || c == '.') return ParseNumber();
        if (char.IsLetter(c) || c == '_') return ParseName();
        throw Error($"unexpected character '{c}' at column {pos + 1}: expected x, beta, a number, a function call or '('");
    }

    Expr ParseNumber()
    {
        int start = pos;
        while (pos < text.Length && (char.IsDigit(text[pos]) || text[pos] == '.')) pos++;
        if (pos < text.Length && text[pos] is 'e' or 'E')
        {
            int save = pos++;
            if (pos < text.Length && text[pos] is '+' or '-') pos++;
            if (pos < text.Length && char.IsDigit(text[pos])) { while (pos < text.Length && char.IsDigit(text[pos])) pos++; }
            else pos = save;
        }
        var token = text[start..pos];
        if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            throw new ParseException($"bad number '{token}' at column {start + 1}", start + 1);
        // A constant must print and parse back as itself: "Infinity" is not a number in the notation.
        if (!double.IsFinite(value))
            throw new ParseException($"number '{token}' at column {start + 1} is too large (the largest is about 1.8e308)", start + 1);
        return Node(new Constant(value));
    }

    Expr ParseName()
    {
        int start = pos;
        while (pos < text.Length && (char.IsLetterOrDigit(text[pos]) || text[pos] == '_')) pos++;
        var name = text[start..pos];
        int column = start + 1;
        SkipSpace();
        bool call = pos < text.Length && text[pos] == '(';
        if (!call)
        {
            if (name == "x") return Node(Expr.X);
            if (name == "beta") return Node(Expr.Beta);
            if (OpNames.FunctionNames.Contains(name))
                throw new ParseException($"'{name}' at column {column} is a function: write {name}(...)", column);
            var hint = OpNames.Suggest(name, ["x", "beta"]);
            throw new ParseException($"unknown name '{name}' at column {column}: expected x, beta, a number or a function call"
                                     + (hint is null ? "" : $" (did you mean '{hint}'?)"), column);
        }
        bool unary = OpNames.TryParseUnary(name, out var u);
        bool binary = OpNames.TryParseBinary(name, out var b);
        if (!unary && !binary)
        {
            var hint = OpNames.Suggest(name, OpNames.FunctionNames);
            throw new ParseException($"unknown function '{name}' at column {column}" + (hint is null ? "" : $" (did you mean '{hint}'?)"), column);
        }
        pos++; // '('
        var args = new List<Expr> { ParseExpr() };
        while (Accept(',')) args.Add(ParseExpr());
        Expect(')');
        int arity = unary ? 1 : 2;
        if (args.Count != arity)
            throw new ParseException($"'{name}' at column {column} takes {arity} argument{(arity == 1 ? "" : "s")}, got {args.Count}", column);
        return unary ? Node(new UnaryCall(u, args[0]), args[0]) : Node(new BinaryCall(b, args[0], args[1]), args[0], args[1]);
    }

    void SkipSpace()
    {
        while (pos < text.Length && char.IsWhiteSpace(text[pos])) pos++;
    }

    bool Accept(char c)
    {
        SkipSpace();
        if (pos < text.Length && text[pos] == c) { pos++; return true; }
        return false;
    }

    void Expect(char c)
    {
        if (Accept(c)) return;
        throw Error($"expected '{c}' at column {pos + 1}, found {(pos < text.Length ? $"'{text[pos]}'" : "end of input")}");
    }

    ParseException Error(string message) => new(message, pos + 1);
}
