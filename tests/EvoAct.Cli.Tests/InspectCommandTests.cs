using System.Text.Json;
using System.Text.RegularExpressions;
using EvoAct.Search.Expressions;

namespace EvoAct.Cli.Tests;

/// <summary>`evoact inspect EXPR [--at v1,v2,...] [--json]`, run as a child process.</summary>
public class InspectCommandTests
{
    const int BadInput = 2;

    /// <summary>Swish's fingerprint as journals hold it (recorded; see ProbeEvaluatorTests), not recomputed by the code under test.</summary>
    const string SwishFingerprint = "d38fa06f300064a5";

    static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    static JsonElement Json(EvoactResult r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("", r.Stderr);
        var text = r.Stdout;
        Assert.EndsWith("\n", text);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries)); // one JSON object, one line
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    static double?[] Numbers(JsonElement root, string key) =>
        root.GetProperty(key).EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? (double?)null : e.GetDouble()).ToArray();

    static void AssertNoStackTrace(EvoactResult r)
    {
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stdout);
        Assert.DoesNotContain("Exception", r.Stderr);
        Assert.DoesNotContain("Unhandled", r.Stderr);
    }

    [Fact]
    public void Json_for_swish_has_values_and_derivatives_of_x_sigmoid_x()
    {
        var root = Json(EvoactProcess.Run("inspect", "x * sigmoid(beta * x)", "--at", "-2,0,2", "--json"));

        Assert.Equal(new[] { "canonical", "points", "values", "gradients", "fingerprint", "verdict" },
                     root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("x * sigmoid(beta * x)", root.GetProperty("canonical").GetString());
        Assert.Equal(new double?[] { -2, 0, 2 }, Numbers(root, "points"));

        var values = Numbers(root, "values");
        var gradients = Numbers(root, "gradients");
        double[] xs = [-2, 0, 2];
        Assert.Equal(3, values.Length);
        Assert.Equal(3, gradients.Length);
        for (int i = 0; i < 3; i++)
        {
            double x = xs[i], s = Sigmoid(x);
            Assert.NotNull(values[i]);
            Assert.NotNull(gradients[i]);
            Assert.Equal(x * s, values[i]!.Value, 1e-12);
            Assert.Equal(s + x * s * (1 - s), gradients[i]!.Value, 1e-12);
        }
        Assert.Equal(0.0, values[1]);
        Assert.Equal(0.5, gradients[1]);

        var fingerprint = root.GetProperty("fingerprint").GetString()!;
        Assert.Matches(new Regex("^[0-9a-f]{16}$"), fingerprint);
        Assert.Equal(SwishFingerprint, fingerprint);
        Assert.Equal("ok", root.GetProperty("verdict").GetString());
    }

    [Fact]
    public void Fingerprint_tells_the_trainable_family_from_one_member_and_ignores_spelling()
    {
        string Fp(string text) => Json(EvoactProcess.Run("inspect", text, "--json")).GetProperty("fingerprint").GetString()!;
        var swish = Fp("x * sigmoid(beta * x)");
        Assert.Equal(swish, Fp("x*sigmoid(beta*x)"));
        Assert.Equal(swish, Fp("sigmoid(beta * x) * x"));
        Assert.NotEqual(swish, Fp("x * sigmoid(x)"));
    }

    [Fact]
    public void Json_writes_nan_as_null_and_rejects_sqrt()
    {
        var root = Json(EvoactProcess.Run("inspect", "sqrt(x)", "--at", "-1,1", "--json"));
        Assert.Equal("sqrt(x)", root.GetProperty("canonical").GetString());
        Assert.Equal(new double?[] { null, 1.0 }, Numbers(root, "values"));
        Assert.Equal(new double?[] { null, 0.5 }, Numbers(root, "gradients"));
        Assert.Equal("non_finite_output", root.GetProperty("verdict").GetString());
    }

    [Fact]
    public void Json_writes_infinity_as_null()
    {
        // sqrt'(0) is +infinity.
        var root = Json(EvoactProcess.Run("inspect", "sqrt(x)", "--at", "0,4", "--json"));
        Assert.Equal(new double?[] { 0.0, 2.0 }, Numbers(root, "values"));
        Assert.Equal(new double?[] { null, 0.25 }, Numbers(root, "gradients"));
    }

    [Theory]
    // These used to crash the evaluator (Math.Sign(NaN) throws) with an unhandled exception.
    [InlineData("abs(sqrt(x))")]
    [InlineData("logabs(sqrt(x))")]
    [InlineData("laplacediff(sqrt(x), x)")]
    // NaN through max/min used to be dropped, so this passed the filter as "ok".
    [InlineData("max(min0(min(sinh(x), sqrt(x))), sigmoid(x))")]
    public void Nan_inside_the_expression_is_a_non_finite_verdict_not_a_crash(string text)
    {
        var r = EvoactProcess.Run("inspect", text, "--at", "-1,1", "--json");
        AssertNoStackTrace(r);
        var root = Json(r);
        Assert.Null(Numbers(root, "values")[0]);
        Assert.NotNull(Numbers(root, "values")[1]);
        Assert.Equal("non_finite_output", root.GetProperty("verdict").GetString());
    }

    [Fact]
    public void Unknown_function_is_one_line_with_a_hint_and_exit_code_2()
    {
        var r = EvoactProcess.Run("inspect", "x * sigmod(x)");
        Assert.True(r.ExitCode == BadInput, r.ToString());
        Assert.Single(r.StderrLines);
        Assert.Contains("unknown function 'sigmod' at column 5 (did you mean 'sigmoid'?)", r.Stderr);
        Assert.Equal("", r.Stdout);
        AssertNoStackTrace(r);
    }

    [Theory]
    [InlineData("x * sigmoid(x", "expected ')'")]
    [InlineData("sin(x, x)", "takes 1 argument")]
    [InlineData("max(x)", "takes 2 arguments")]
    [InlineData("x +", "end of input")]
    [InlineData("x # 2", "column 3")]
    public void Malformed_expressions_exit_2_with_one_line(string text, string expected)
    {
        var r = EvoactProcess.Run("inspect", text, "--json");
        Assert.True(r.ExitCode == BadInput, r.ToString());
        Assert.Single(r.StderrLines);
        Assert.Contains(expected, r.Stderr);
        Assert.Equal("", r.Stdout);
        AssertNoStackTrace(r);
    }

    [Theory]
    [InlineData("a,b", "'a'")]
    [InlineData("1,inf", "'inf'")]
    [InlineData("1,NaN", "'NaN'")]
    [InlineData(",", "--at")]
    public void Bad_points_exit_2_with_one_line(string at, string expected)
    {
        var r = EvoactProcess.Run("inspect", "x", "--at", at);
        Assert.True(r.ExitCode == BadInput, r.ToString());
        Assert.Single(r.StderrLines);
        Assert.Contains(expected, r.Stderr);
        Assert.Equal("", r.Stdout);
        AssertNoStackTrace(r);
    }

    [Fact]
    public void Missing_expression_exits_2()
    {
        var r = EvoactProcess.Run("inspect");
        Assert.True(r.ExitCode == BadInput, r.ToString());
        Assert.NotEmpty(r.StderrLines);
        Assert.Equal("", r.Stdout);
        AssertNoStackTrace(r);
    }

    [Fact]
    public void Unknown_command_exits_2()
    {
        var r = EvoactProcess.Run("frobnicate", "x");
        Assert.True(r.ExitCode == BadInput, r.ToString());
        Assert.NotEmpty(r.StderrLines);
        AssertNoStackTrace(r);
    }

    [Fact]
    public void Text_output_shows_the_canonical_form_and_a_row_per_default_point()
    {
        var r = EvoactProcess.Run("inspect", "x*sigmoid(beta*x)");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("", r.Stderr);
        Assert.Contains("x * sigmoid(beta * x)", r.Stdout);
        Assert.Contains(SwishFingerprint, r.Stdout);
        Assert.Matches(new Regex(@"verdict\s+ok"), r.Stdout);
        Assert.Matches(new Regex(@"betas\s+1\b"), r.Stdout);
        // Default points -3..3: the row for x = 2 shows 2 sigmoid(2) = 1.7615942 (G8).
        Assert.Matches(new Regex(@"(?m)^\s*2\s+1\.7615942\s+1\.0907842\s*$"), r.Stdout);
        foreach (var p in new[] { "-3", "-2", "-1", "0", "1", "2", "3" })
            Assert.Matches(new Regex($@"(?m)^\s*{Regex.Escape(p)}\s+\S+\s+\S+\s*$"), r.Stdout);
    }

    [Fact]
    public void Text_output_of_a_rejected_candidate_names_the_verdict()
    {
        var r = EvoactProcess.Run("inspect", "exp(exp(exp(x)))");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("exp(exp(exp(x)))", r.Stdout);
        Assert.Matches(new Regex(@"verdict\s+(non_finite_output|output_too_large)"), r.Stdout);
    }

    [Fact]
    public void Json_default_points_are_minus_three_to_three()
    {
        var root = Json(EvoactProcess.Run("inspect", "max(x, sigmoid(x))", "--json"));
        Assert.Equal(new double?[] { -3, -2, -1, 0, 1, 2, 3 }, Numbers(root, "points"));
        var values = Numbers(root, "values");
        for (int i = 0; i < 7; i++)
        {
            double x = i - 3;
            Assert.Equal(Math.Max(x, Sigmoid(x)), values[i]!.Value, 1e-12);
        }
        Assert.Equal("ok", root.GetProperty("verdict").GetString());
        Assert.Equal("max(x, sigmoid(x))", root.GetProperty("canonical").GetString());
    }
}
