using EvoAct.Search.Expressions;

namespace EvoAct.Search.Tests;

/// <summary>
/// The parser's bound on depth and size: hostile input is a ParseException, never a stack overflow,
/// and anything within the bound parses, prints, parses back and evaluates.
/// </summary>
public class ExpressionBoundsTests
{
    static string Repeat(string s, int n) => string.Concat(Enumerable.Repeat(s, n));

    public static TheoryData<string, string> Hostile => new()
    {
        { "10,000 nested sin", Repeat("sin(", 10_000) + "x" + Repeat(")", 10_000) },
        { "20,000 unary minus", Repeat("-", 20_000) + "x" },
        { "x+ 65,000 times", Repeat("x+", 65_000) + "x" },
        { "x+ 65,000 times, unfinished", Repeat("x+", 65_000) },
        { "20,000 parentheses", Repeat("(", 20_000) + "x" + Repeat(")", 20_000) },
        { "power tower", Repeat("x^", 5_000) + "x" },
        { "1,001 products", Repeat("x*", 1_000) + "x" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Too_deep_expressions_are_a_parse_error(string what, string text)
    {
        var e = Assert.Throws<ParseException>(() => ExpressionParser.Parse(text));
        Assert.Contains("expression nests deeper than 1,000 levels", e.Message);
        Assert.True(e.Column > 0, what);
    }

    [Fact]
    public void Too_many_terms_is_a_parse_error_even_when_shallow()
    {
        // A balanced sum: 2^14 leaves, 15 levels deep.
        static string Balanced(int d) => d == 0 ? "x" : $"({Balanced(d - 1)} + {Balanced(d - 1)})";
        var e = Assert.Throws<ParseException>(() => ExpressionParser.Parse(Balanced(14)));
        Assert.Contains("more than 10,000 terms", e.Message);
        Assert.Equal(Math.Pow(2, 12), ExpressionEvaluator.Value(ExpressionParser.Parse(Balanced(12)), 1, 1));
    }

    [Theory]
    [InlineData("sin(", ")", 999)]
    [InlineData("-(", ")", 999)]
    [InlineData("tanh(x) + (", ")", 998)]   // the last level, tanh(x) + x, is 3 deep
    public void Expressions_at_the_bound_parse_print_parse_back_and_evaluate(string open, string close, int n)
    {
        var text = Repeat(open, n) + "x" + Repeat(close, n);
        var e = ExpressionParser.Parse(text);
        var printed = ExpressionPrinter.Print(e);
        Assert.Equal(e, ExpressionParser.Parse(printed));
        Assert.True(double.IsFinite(ExpressionEvaluator.Evaluate(e, 0.5).Derivative));
        Assert.NotEmpty(Fingerprints.Fingerprint.Of(e));
    }

    [Fact]
    public void A_chain_of_1000_unary_minus_prints_in_parentheses_and_still_parses_back()
    {
        var e = ExpressionParser.Parse(Repeat("-", 999) + "x");
        Assert.Equal(e, ExpressionParser.Parse(ExpressionPrinter.Print(e)));
    }

    [Fact]
    public void On_a_small_stack_the_parser_refuses_instead_of_overflowing()
    {
        // 256 KB is less than the 2,000 levels of text the bound allows need in a debug build.
        Exception? error = null;
        Expr? parsed = null;
        var thread = new Thread(() =>
        {
            try { parsed = ExpressionParser.Parse(Repeat("(", 1_999) + "x" + Repeat(")", 1_999)); }
            catch (Exception e) { error = e; }
        }, maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();
        Assert.True(parsed is not null || error is ParseException, $"{error}");
        if (error is ParseException p) Assert.Contains("nests deeper than", p.Message);
    }

    [Theory]
    [InlineData("1e999 * x", "number '1e999' at column 1 is too large")]
    [InlineData("x + 2e308", "number '2e308' at column 5 is too large")]
    public void Non_finite_constants_are_refused(string text, string message)
    {
        var e = Assert.Throws<ParseException>(() => ExpressionParser.Parse(text));
        Assert.Contains(message, e.Message);
        Assert.Equal(1e308, ((Constant)((BinaryCall)ExpressionParser.Parse("1e308 * x")).Left).Value);
    }
}
