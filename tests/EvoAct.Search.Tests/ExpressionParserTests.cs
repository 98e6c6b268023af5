using EvoAct.Search.Expressions;
using EvoAct.Search.Ops;

namespace EvoAct.Search.Tests;

public class ExpressionParserTests
{
    static readonly Expr X = Expr.X, Beta = Expr.Beta;
    static Expr C(double v) => new Constant(v);
    static Expr Bin(BinaryOp op, Expr l, Expr r) => new BinaryCall(op, l, r);
    static Expr Un(UnaryOp op, Expr a) => new UnaryCall(op, a);
    static Expr P(string s) => ExpressionParser.Parse(s);
    static double V(string s, double x, double beta = 1.0) => ExpressionEvaluator.Value(P(s), x, beta);

    // ---------------------------------------------------------------- precedence and associativity

    [Fact]
    public void Multiplication_binds_tighter_than_addition()
    {
        Assert.Equal(Bin(BinaryOp.Add, X, Bin(BinaryOp.Mul, X, Beta)), P("x + x * beta"));
        Assert.Equal(Bin(BinaryOp.Sub, Bin(BinaryOp.Div, X, Beta), X), P("x / beta - x"));
        Assert.Equal(Bin(BinaryOp.Mul, Bin(BinaryOp.Add, X, Beta), X), P("(x + beta) * x"));
        Assert.Equal(26, V("2 * 3 + 4 * 5", 0));
    }

    [Fact]
    public void Binary_infix_operators_are_left_associative()
    {
        Assert.Equal(Bin(BinaryOp.Sub, Bin(BinaryOp.Sub, X, Beta), C(1)), P("x - beta - 1"));
        Assert.Equal(Bin(BinaryOp.Div, Bin(BinaryOp.Mul, X, Beta), C(2)), P("x * beta / 2"));
        Assert.Equal(-4, V("1 - 2 - 3", 0));
        // div is x1 / (x2 + eps)
        Assert.Equal(8.0 / (2 + OpNames.Eps) / (2 + OpNames.Eps), V("8 / 2 / 2", 0), 12);
    }

    [Fact]
    public void Power_is_right_associative_and_binds_tighter_than_unary_minus()
    {
        Assert.Equal(Un(UnaryOp.Neg, new Power(X, C(2))), P("-x^2"));
        Assert.Equal(new Power(X, new Power(C(2), C(3))), P("x^2^3"));
        Assert.Equal(new Power(Un(UnaryOp.Neg, X), C(2)), P("(-x)^2"));
        Assert.Equal(new Power(X, Un(UnaryOp.Neg, C(1))), P("x^-1"));
        Assert.Equal(-9, V("-x^2", 3));
        Assert.Equal(9, V("(-x)^2", 3));
        Assert.Equal(-4, V("-2^2", 0));
        Assert.Equal(512, V("2^3^2", 0));
        Assert.Equal(64, V("(2^3)^2", 0));
        Assert.Equal(0.25, V("x^-2", 2), 15);
    }

    [Fact]
    public void Unary_minus_binds_tighter_than_multiplication_and_may_follow_an_operator()
    {
        Assert.Equal(Bin(BinaryOp.Mul, Un(UnaryOp.Neg, X), X), P("-x * x"));
        Assert.Equal(Bin(BinaryOp.Mul, X, Un(UnaryOp.Neg, X)), P("x * -x"));
        Assert.Equal(Bin(BinaryOp.Sub, X, Un(UnaryOp.Neg, X)), P("x - -x"));
        Assert.Equal(Un(UnaryOp.Neg, Un(UnaryOp.Neg, X)), P("--x"));
        Assert.Equal(6, V("x - -x", 3));
    }

    [Fact]
    public void Whitespace_is_ignored()
    {
        Assert.Equal(P("max(x,sigmoid(beta*x))"), P("  max ( x ,  sigmoid( beta * x ) )  "));
    }

    // ---------------------------------------------------------------- numbers

    [Theory]
    [InlineData("1e-3", 1e-3)]
    [InlineData("2.5", 2.5)]
    [InlineData("1E+2", 100)]
    [InlineData("3e2", 300)]
    [InlineData(".5", 0.5)]
    [InlineData("3.", 3)]
    [InlineData("0", 0)]
    [InlineData("1.5e-7", 1.5e-7)]
    public void Numbers_parse_to_constants(string text, double value)
    {
        Assert.Equal(C(value), P(text));
    }

    [Fact]
    public void Exponent_numbers_work_inside_expressions()
    {
        Assert.Equal(Bin(BinaryOp.Add, X, C(1e-3)), P("x + 1e-3"));
        Assert.Equal(Bin(BinaryOp.Sub, C(2), C(3)), P("2-3"));
        Assert.Equal(2.002, V("2 * x + 1e-3 * 2", 1), 14);
    }

    // ---------------------------------------------------------------- function calls

    [Fact]
    public void Every_unary_op_name_parses_as_a_one_argument_call()
    {
        Assert.Equal(25, OpNames.AllUnary.Count);
        foreach (var op in OpNames.AllUnary)
            Assert.Equal(Un(op, Bin(BinaryOp.Add, X, C(1))), P($"{op.Name()}(x + 1)"));
    }

    [Fact]
    public void Every_binary_op_name_parses_as_a_two_argument_call()
    {
        Assert.Equal(10, OpNames.AllBinary.Count);
        foreach (var op in OpNames.AllBinary)
            Assert.Equal(Bin(op, X, Un(UnaryOp.Sin, Beta)), P($"{op.Name()}(x, sin(beta))"));
    }

    [Fact]
    public void Unary_ops_with_two_arguments_are_rejected()
    {
        foreach (var op in OpNames.AllUnary)
        {
            var e = Assert.Throws<ParseException>(() => P($"{op.Name()}(x, x)"));
            Assert.Equal($"'{op.Name()}' at column 1 takes 1 argument, got 2", e.Message);
            Assert.Equal(1, e.Column);
        }
    }

    [Fact]
    public void Binary_ops_with_one_or_three_arguments_are_rejected()
    {
        foreach (var op in OpNames.AllBinary)
        {
            var one = Assert.Throws<ParseException>(() => P($"x + {op.Name()}(x)"));
            Assert.Equal($"'{op.Name()}' at column 5 takes 2 arguments, got 1", one.Message);
            Assert.Equal(5, one.Column);
            var three = Assert.Throws<ParseException>(() => P($"{op.Name()}(x, x, x)"));
            Assert.Equal($"'{op.Name()}' at column 1 takes 2 arguments, got 3", three.Message);
        }
    }

    [Fact]
    public void X_and_beta_are_variables_unless_called()
    {
        Assert.Equal(X, P("x"));
        Assert.Equal(Beta, P("beta"));
        Assert.IsType<VarX>(P("x"));
        Assert.IsType<BetaParam>(P("beta"));
        Assert.Equal(Un(UnaryOp.X, Beta), P("x(beta)"));
        Assert.Equal(Un(UnaryOp.Beta, X), P("beta(x)"));
        Assert.Equal(Un(UnaryOp.X, Un(UnaryOp.X, X)), P("x(x(x))"));
        // the identity op passes its argument through; the beta op ignores it
        Assert.Equal(9, V("x(x^2)", 3));
        Assert.Equal(0.7, V("beta(x)", 3, 0.7));
        Assert.Equal(0.7, V("beta", 3, 0.7));
        Assert.Equal(2.1, V("x * beta", 3, 0.7), 14);
    }

    // ---------------------------------------------------------------- the paper's top activations

    public static TheoryData<string, Func<double, double>> TopActivations() => new()
    {
        { "x * sigmoid(beta * x)", x => x / (1 + Math.Exp(-x)) },
        { "max(x, sigmoid(x))", x => Math.Max(x, 1 / (1 + Math.Exp(-x))) },
        { "cos(x) - x", x => Math.Cos(x) - x },
        { "min(x, sin(x))", x => Math.Min(x, Math.Sin(x)) },
        { "atan(x)^2 - x", x => Math.Atan(x) * Math.Atan(x) - x },
        { "max(x, tanh(x))", x => Math.Max(x, Math.Tanh(x)) },
        { "sinc(x) + x", x => Math.Sin(x) / x + x },
        { "x * asinh(x)^2", x => x * Math.Pow(Math.Log(x + Math.Sqrt(x * x + 1)), 2) },
    };

    [Theory]
    [MemberData(nameof(TopActivations))]
    public void Top_activations_parse_and_match_their_closed_forms(string text, Func<double, double> closedForm)
    {
        var e = P(text);
        foreach (var x in new[] { -4.0, -2.5, -1.3, -0.2, 0.4, 1.7, 3.1, 4.6 })
            Assert.Equal(closedForm(x), ExpressionEvaluator.Value(e, x), 12);
    }

    [Fact]
    public void Top_activations_have_the_expected_structure()
    {
        Assert.Equal(Bin(BinaryOp.Mul, X, Un(UnaryOp.Sigmoid, Bin(BinaryOp.Mul, Beta, X))), P("x * sigmoid(beta * x)"));
        Assert.Equal(Bin(BinaryOp.Max, X, Un(UnaryOp.Sigmoid, X)), P("max(x, sigmoid(x))"));
        Assert.Equal(Bin(BinaryOp.Sub, Un(UnaryOp.Cos, X), X), P("cos(x) - x"));
        Assert.Equal(Bin(BinaryOp.Min, X, Un(UnaryOp.Sin, X)), P("min(x, sin(x))"));
        Assert.Equal(Bin(BinaryOp.Sub, new Power(Un(UnaryOp.Atan, X), C(2)), X), P("atan(x)^2 - x"));
        Assert.Equal(Bin(BinaryOp.Max, X, Un(UnaryOp.Tanh, X)), P("max(x, tanh(x))"));
        Assert.Equal(Bin(BinaryOp.Add, Un(UnaryOp.Sinc, X), X), P("sinc(x) + x"));
        Assert.Equal(Bin(BinaryOp.Mul, X, new Power(Un(UnaryOp.Asinh, X), C(2))), P("x * asinh(x)^2"));
    }

    [Fact]
    public void Swish_uses_beta_and_sinc_plus_x_is_one_at_zero()
    {
        var swish = P("x * sigmoid(beta * x)");
        foreach (var x in new[] { -3.0, -0.5, 0.8, 2.2 })
            Assert.Equal(x / (1 + Math.Exp(-0.5 * x)), ExpressionEvaluator.Value(swish, x, 0.5), 12);
        Assert.Equal(1, swish.BetaCount);
        Assert.Equal(1.0, V("sinc(x) + x", 0));
    }

    // ---------------------------------------------------------------- errors

    static ParseException Fails(string text) => Assert.Throws<ParseException>(() => P(text));

    [Fact]
    public void Misspelt_function_names_get_a_suggestion()
    {
        var e = Fails("x * sigmod(x)");
        Assert.Equal("unknown function 'sigmod' at column 5 (did you mean 'sigmoid'?)", e.Message);
        Assert.Equal(5, e.Column);
        Assert.Equal("unknown function 'tanhh' at column 1 (did you mean 'tanh'?)", Fails("tanhh(x)").Message);
        Assert.Equal("unknown function 'gausdiff' at column 1 (did you mean 'gaussdiff'?)", Fails("gausdiff(x, x)").Message);
    }

    [Fact]
    public void Unknown_function_names_far_from_any_op_get_no_suggestion()
    {
        var e = Fails("foobarbaz(x)");
        Assert.Equal("unknown function 'foobarbaz' at column 1", e.Message);
    }

    [Fact]
    public void Unclosed_parentheses_name_the_column_after_the_input()
    {
        var e = Fails("sin(x");
        Assert.Equal("expected ')' at column 6, found end of input", e.Message);
        Assert.Equal(6, e.Column);
        Assert.Equal("expected ')' at column 7, found end of input", Fails("(x + 1").Message);
        Assert.Equal("expected ')' at column 15, found end of input", Fails("max(x, (x + 1)").Message);
        Assert.Equal("expected ')' at column 11, found 'x'", Fails("sin(x + x x)").Message);
    }

    [Fact]
    public void Unknown_variables_are_rejected()
    {
        var e = Fails("x + foo");
        Assert.Equal("unknown name 'foo' at column 5: expected x, beta, a number or a function call", e.Message);
        Assert.Equal(5, e.Column);
        Assert.Equal("unknown name 'bta' at column 3: expected x, beta, a number or a function call (did you mean 'beta'?)",
            Fails("2*bta").Message);
    }

    [Fact]
    public void Empty_input_is_rejected()
    {
        Assert.Equal("expected x, beta, a number, a function call or '(' at column 1, found end of input", Fails("").Message);
        Assert.Equal("expected x, beta, a number, a function call or '(' at column 4, found end of input", Fails("   ").Message);
        Assert.Equal("expected x, beta, a number, a function call or '(' at column 5, found end of input", Fails("x + ").Message);
    }

    [Fact]
    public void Trailing_garbage_is_rejected()
    {
        var e = Fails("x x");
        Assert.Equal("expected an operator or end of input at column 3, found 'x'", e.Message);
        Assert.Equal(3, e.Column);
        Assert.Equal("expected an operator or end of input at column 7, found ')'", Fails("sin(x))").Message);
        Assert.Equal("expected an operator or end of input at column 3, found '#'", Fails("x # 1").Message);
        Assert.Equal("expected an operator or end of input at column 2, found 'x'", Fails("2x").Message);
    }

    [Fact]
    public void Bare_function_names_are_rejected()
    {
        var e = Fails("relu");
        Assert.Equal("'relu' at column 1 is a function: write relu(...)", e.Message);
        Assert.Equal(1, e.Column);
        Assert.Equal("'sigmul' at column 5 is a function: write sigmul(...)", Fails("x * sigmul + x").Message);
    }

    [Fact]
    public void Unexpected_characters_and_bad_numbers_are_rejected()
    {
        Assert.Equal("unexpected character '#' at column 1: expected x, beta, a number, a function call or '('", Fails("#").Message);
        Assert.Equal("unexpected character ')' at column 5: expected x, beta, a number, a function call or '('", Fails("sin()").Message);
        Assert.Equal("bad number '1.2.3' at column 3", Fails("x+1.2.3").Message);
    }
}
