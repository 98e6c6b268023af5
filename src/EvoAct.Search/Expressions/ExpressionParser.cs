using System.Globalization;
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
/// </summary>
public sealed class ExpressionParser
{
    readonly string text;
    int pos;

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

    Expr ParseExpr()
    {
        var left = ParseTerm();
        while (true)
        {
            if (Accept('+')) left = new BinaryCall(BinaryOp.Add, left, ParseTerm());
            else if (Accept('-')) left = new BinaryCall(BinaryOp.Sub, left, ParseTerm());
            else return left;
        }
    }

    Expr ParseTerm()
    {
        var left = ParseUnary();
        while (true)
        {
            if (Accept('*')) left = new BinaryCall(BinaryOp.Mul, left, ParseUnary());
            else if (Accept('/')) left = new BinaryCall(BinaryOp.Div, left, ParseUnary());
            else return left;
        }
    }

    Expr ParseUnary() => Accept('-') ? new UnaryCall(UnaryOp.Neg, ParseUnary()) : ParsePower();

    Expr ParsePower()
    {
        var b = ParsePrimary();
        return Accept('^') ? new Power(b, ParseUnary()) : b;
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
        return new Constant(value);
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
            if (name == "x") return Expr.X;
            if (name == "beta") return Expr.Beta;
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
        return unary ? new UnaryCall(u, args[0]) : new BinaryCall(b, args[0], args[1]);
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
