using System.Diagnostics;
using TorchSharp;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EvoAct.Search.Expressions;
using EvoAct.Training.Activations;
using EvoAct.Training.Export;
using static TorchSharp.torch;

namespace EvoAct.Training.Tests.Export;

/// <summary>
/// The exported PyTorch modules, run by Debian's python3-torch, compute what EvoAct's modules
/// compute, with non-trivial per-channel betas, on (N, C) and (N, C, H, W) inputs.
/// </summary>
public class ActivationSourceTests
{
    const int Channels = 3;

    static readonly string[] Expressions =
    [
        // the paper's eight
        "x * sigmoid(beta * x)", "max(x, sigmoid(x))", "cos(x) - x", "min(x, sin(x))", "atan(x)^2 - x", "max(x, tanh(x))", "sinc(x) + x", "x * asinh(x)^2",
        // every other unary op
        "neg(x) + abs(x) + square(x) - cube(x)", "sqrt(abs(x) + 1)", "scale(x) + shift(x)", "logabs(x)", "exp(x) / 10", "sinh(x) - cosh(x)",
        "relu(x) + min0(x) * 2", "softplus(x)", "gauss(x) + erf(x)", "beta(x) * x", "x(x) + 0.5",
        // every binary op, with betas
        "add(x, 1) * mul(x, x)", "sub(x, sin(x))", "div(x, exp(x))", "sigmul(x, cos(x))", "gaussdiff(x, sin(beta * x))",
        "laplacediff(x, tanh(x))", "mix(x, sigmoid(x))", "x^beta(x)", "2^x",
    ];

    static double BetaValue(int index, int channel) => 0.6 + 0.1 * index + 0.05 * channel;

    [Fact]
    public void Python_export_matches_evoact_values()
    {
        var points = Enumerable.Range(0, 41).Select(i => -3.9 + 0.195 * i).ToArray();
        var script = new StringBuilder();
        for (int i = 0; i < Expressions.Length; i++)
            script.AppendLine(ActivationSource.Python(ExpressionParser.Parse(Expressions[i]), $"Act{i}"));
        script.AppendLine($$"""
            import json, sys
            torch.set_default_dtype(torch.float64)
            points = torch.tensor({{JsonSerializer.Serialize(points)}})
            out = []
            for i in range({{Expressions.Length}}):
                m = globals()[f"Act{i}"]({{Channels}})
                with torch.no_grad():
                    for k, p in enumerate(m.betas):
                        p.copy_(torch.tensor([0.6 + 0.1 * k + 0.05 * c for c in range({{Channels}})]))
                x2 = points.repeat({{Channels}}, 1).T.contiguous()                      # (N, C)
                x4 = x2.view(len(points), {{Channels}}, 1, 1).expand(-1, -1, 2, 2).contiguous()  # (N, C, H, W)
                y2 = m(x2)
                y4 = m(x4)
                out.append({"nc": y2.tolist(), "nchw": y4[:, :, 1, 0].tolist()})
            print(json.dumps(out).replace("NaN", "null").replace("Infinity", "null"))
            """);
        var file = Path.Combine(Path.GetTempPath(), $"evoact-export-{Guid.NewGuid():N}.py");
        File.WriteAllText(file, script.ToString());
        try
        {
            var psi = new ProcessStartInfo("/usr/bin/python3", file) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            Assert.True(p.WaitForExit(120_000), "python did not finish");
            Assert.True(p.ExitCode == 0, $"python failed (is python3-torch installed?):\n{stderr.Result}");
            using var doc = JsonDocument.Parse(stdout.Result);
            var results = doc.RootElement.EnumerateArray().ToArray();
            Assert.Equal(Expressions.Length, results.Length);
            for (int i = 0; i < Expressions.Length; i++)
            {
                var expected = Evoact(Expressions[i], points);
                foreach (var layout in new[] { "nc", "nchw" })
                {
                    var rows = results[i].GetProperty(layout).EnumerateArray().ToArray();
                    for (int n = 0; n < points.Length; n++)
                        for (int c = 0; c < Channels; c++)
                        {
                            var v = rows[n][c];
                            double want = expected[n, c];
                            if (!double.IsFinite(want)) { Assert.Equal(JsonValueKind.Null, v.ValueKind); continue; }
                            double got = v.GetDouble();
                            Assert.True(Math.Abs(got - want) <= 1e-9 * (1 + Math.Abs(want)),
                                $"{Expressions[i]} ({layout}) at x = {points[n]}, channel {c}: python {got}, evoact {want}");
                        }
                }
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>EvoAct's own module in float64 with the same betas.</summary>
    static double[,] Evoact(string text, double[] points)
    {
        using var scope = NewDisposeScope();
        var module = new ActivationModule(ExpressionParser.Parse(text), Channels);
        module.to(ScalarType.Float64);
        using (no_grad())
            for (int k = 0; k < module.Betas.Count; k++)
                module.Betas[k].copy_(tensor(Enumerable.Range(0, Channels).Select(c => BetaValue(k, c)).ToArray()));
        var x = tensor(points).repeat(Channels, 1).T.contiguous();
        var y = module.call(x);
        var result = new double[points.Length, Channels];
        var data = y.data<double>().ToArray();
        for (int n = 0; n < points.Length; n++)
            for (int c = 0; c < Channels; c++) result[n, c] = data[n * Channels + c];
        return result;
    }

    /// <summary>
    /// The C# export as a user would take it: compiled (Roslyn) against the TorchSharp this project
    /// uses, loaded, and run on (N, C) and (N, C, H, W) inputs with the same betas as EvoAct's module.
    /// </summary>
    [Fact]
    public void Csharp_export_compiles_against_TorchSharp_and_matches_evoact_values()
    {
        var sources = Expressions.Select((e, i) => $"namespace Exported{i}\n{{\n{ActivationSource.CSharp(ExpressionParser.Parse(e), "Act")}\n}}");
        var trees = sources.Select(src => Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(src)).ToArray();
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(torch).Assembly.Location).Distinct()
            .Select(path => Microsoft.CodeAnalysis.MetadataReference.CreateFromFile(path));
        var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create($"evoact-export-{Guid.NewGuid():N}", trees, references,
            new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: Microsoft.CodeAnalysis.NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        var problems = emitted.Diagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).ToArray();
        Assert.True(emitted.Success && problems.Length == 0, "the export does not compile cleanly:\n" + string.Join("\n", problems.Select(d => d.ToString())));
        // The default load context: the exported modules bind to the TorchSharp already loaded here.
        var assembly = System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromStream(new MemoryStream(image.ToArray()));

        var points = Enumerable.Range(0, 41).Select(i => -3.9 + 0.195 * i).ToArray();
        for (int i = 0; i < Expressions.Length; i++)
        {
            using var scope = NewDisposeScope();
            var type = assembly.GetType($"Exported{i}.Act")!;
            using var module = (nn.Module<Tensor, Tensor>)Activator.CreateInstance(type, Channels)!;
            module.to(ScalarType.Float64);
            var betas = module.parameters().ToArray();
            using (no_grad())
                for (int k = 0; k < betas.Length; k++)
                {
                    Assert.Equal([Channels], betas[k].shape);
                    Assert.True(betas[k].eq(1).all().item<bool>(), $"{Expressions[i]}: beta {k} does not start at 1");
                    betas[k].copy_(tensor(Enumerable.Range(0, Channels).Select(c => BetaValue(k, c)).ToArray()));
                }
            var expected = Evoact(Expressions[i], points);
            Assert.Equal(BetaCount(Expressions[i]), betas.Length);
            var x2 = tensor(points).repeat(Channels, 1).T.contiguous();
            var x4 = x2.view(points.Length, Channels, 1, 1).expand(-1, -1, 2, 2).contiguous();
            foreach (var (layout, y) in new[] { ("nc", module.call(x2)), ("nchw", module.call(x4)[.., .., 1, 0]) })
            {
                var got = y.contiguous().data<double>().ToArray();
                for (int n = 0; n < points.Length; n++)
                    for (int c = 0; c < Channels; c++)
                    {
                        double want = expected[n, c], have = got[n * Channels + c];
                        if (!double.IsFinite(want)) { Assert.False(double.IsFinite(have), $"{Expressions[i]} ({layout}) at x = {points[n]}: {have}, evoact {want}"); continue; }
                        Assert.True(Math.Abs(have - want) <= 1e-12 * (1 + Math.Abs(want)),
                            $"{Expressions[i]} ({layout}) at x = {points[n]}, channel {c}: exported {have}, evoact {want}");
                    }
            }
        }
    }

    static int BetaCount(string text)
    {
        using var m = new ActivationModule(ExpressionParser.Parse(text), Channels);
        return m.Betas.Count;
    }

    [Fact]
    public void Csharp_export_names_every_beta_and_returns_the_last_temporary()
    {
        var source = ActivationSource.CSharp(ExpressionParser.Parse("gaussdiff(x, sin(beta * x)) + sinc(x)"), "MyAct");
        Assert.Contains("public sealed class MyAct : nn.Module<Tensor, Tensor>", source);
        Assert.Contains("for (int i = 0; i < 2; i++) betas.Add(new Parameter(ones(channels)));", source);
        Assert.Contains("Beta(0, x)", source);
        Assert.Contains("Beta(1, x)", source);
        Assert.Contains("(x / System.Math.PI).sinc()", source);
        Assert.Contains("return t5;", source);
    }
}
