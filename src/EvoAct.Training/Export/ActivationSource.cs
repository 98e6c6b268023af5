using System.Globalization;
using System.Text;
using EvoAct.Search.Expressions;
using EvoAct.Search.Ops;

namespace EvoAct.Training.Export;

/// <summary>
/// Source code of a standalone module computing an activation, for PyTorch or TorchSharp, so a
/// discovery can leave EvoAct. Same semantics as <see cref="Activations.ActivationModule"/>: each beta
/// is a per-channel parameter (broadcast over dim 1, initialised to 1), numbered in evaluation order.
/// </summary>
public static class ActivationSource
{
    public static string Python(Expr expr, string className = "EvolvedActivation") => new Writer(expr, python: true).Module(className);

    public static string CSharp(Expr expr, string className = "EvolvedActivation") => new Writer(expr, python: false).Module(className);

    sealed class Writer(Expr expr, bool python)
    {
        readonly List<string> lines = new();
        int temps, betas;

        public string Module(string name)
        {
            var result = Emit(expr);
            var canonical = ExpressionPrinter.Print(expr);
            int count = expr.BetaCount;
            var sb = new StringBuilder();
            if (python)
            {
                sb.AppendLine("import math");
                sb.AppendLine("import torch");
                sb.AppendLine("from torch import nn");
                sb.AppendLine();
                sb.AppendLine();
                sb.AppendLine($"class {name}(nn.Module):");
                sb.AppendLine($"    \"\"\"f(x) = {canonical}  (exported by EvoAct)");
                sb.AppendLine();
                sb.AppendLine($"    {count} trainable beta(s), one value per channel (dim 1), initialised to 1.");
                sb.AppendLine("    \"\"\"");
                sb.AppendLine();
                sb.AppendLine("    def __init__(self, channels: int):");
                sb.AppendLine("        super().__init__()");
                sb.AppendLine($"        self.betas = nn.ParameterList([nn.Parameter(torch.ones(channels)) for _ in range({count})])");
                sb.AppendLine();
                sb.AppendLine("    def _beta(self, i: int, x: torch.Tensor) -> torch.Tensor:");
                sb.AppendLine("        return self.betas[i].view([1, -1] + [1] * (x.dim() - 2))");
                sb.AppendLine();
                sb.AppendLine("    def forward(self, x: torch.Tensor) -> torch.Tensor:");
                foreach (var l in lines) sb.AppendLine("        " + l);
                sb.AppendLine($"        return {result}");
            }
            else
            {
                sb.AppendLine("using TorchSharp;");
                sb.AppendLine("using TorchSharp.Modules;");
                sb.AppendLine("using static TorchSharp.torch;");
                sb.AppendLine();
                sb.AppendLine($"/// <summary>f(x) = {System.Security.SecurityElement.Escape(canonical)} (exported by EvoAct).");
                sb.AppendLine($"/// {count} trainable beta(s), one value per channel (dim 1), initialised to 1.</summary>");
                sb.AppendLine($"public sealed class {name} : nn.Module<Tensor, Tensor>");
                sb.AppendLine("{");
                sb.AppendLine("    private readonly ParameterList betas = new();");
                sb.AppendLine();
                sb.AppendLine($"    public {name}(int channels) : base(nameof({name}))");
                sb.AppendLine("    {");
                sb.AppendLine($"        for (int i = 0; i < {count}; i++) betas.Add(new Parameter(ones(channels)));");
                sb.AppendLine("        RegisterComponents();");
                sb.AppendLine("    }");
                sb.AppendLine();
                sb.AppendLine("    private Tensor Beta(int i, Tensor x)");
                sb.AppendLine("    {");
                sb.AppendLine("        var shape = new long[System.Math.Max(x.dim(), 2)];");
                sb.AppendLine("        System.Array.Fill(shape, 1L);");
                sb.AppendLine("        shape[1] = -1;");
                sb.AppendLine("        return betas[i].view(shape);");
                sb.AppendLine("    }");
                sb.AppendLine();
                sb.AppendLine("    public override Tensor forward(Tensor x)");
                sb.AppendLine("    {");
                foreach (var l in lines) sb.AppendLine("        " + l);
                sb.AppendLine($"        return {result};");
                sb.AppendLine("    }");
                sb.AppendLine("}");
            }
            return sb.ToString();
        }

        /// <summary>Emits the statements computing <paramref name="e"/>; returns the name holding it.</summary>
        string Emit(Expr e)
        {
            switch (e)
            {
                case VarX: return "x";
                case BetaParam: return Let(Expand(NextBeta(), "x"));
                case Constant c: return Let(python ? $"torch.full_like(x, {Num(c.Value)})" : $"full_like(x, {Num(c.Value)})");
                case UnaryCall u:
                {
                    var a = Emit(u.Arg);
                    var b = u.Op.UsesBeta() ? NextBeta() : null;
                    return u.Op == UnaryOp.X ? a : Let(Unary(u.Op, a, b));
                }
                case BinaryCall bc:
                {
                    var l = Emit(bc.Left);
                    var r = Emit(bc.Right);
                    var b = bc.Op.UsesBeta() ? NextBeta() : null;
                    return Let(Binary(bc.Op, l, r, b));
                }
                case Power p when p.Exponent is Constant k:
                    return Let(python ? $"torch.pow({Emit(p.Base)}, {Num(k.Value)})" : $"{Emit(p.Base)}.pow({Num(k.Value)})");
                case Power p:
                {
                    var a = Emit(p.Base);
                    var k = Emit(p.Exponent);
                    return Let(python ? $"torch.pow({a}, {k})" : $"{a}.pow({k})");
                }
                default: throw new ArgumentOutOfRangeException(nameof(e));
            }
        }

        string NextBeta() => python ? $"self._beta({betas++}, x)" : $"Beta({betas++}, x)";

        string Expand(string beta, string like) => python ? $"{beta}.expand_as({like}).contiguous()" : $"{beta}.expand_as({like}).contiguous()";

        string Let(string value)
        {
            var name = $"t{temps++}";
            lines.Add(python ? $"{name} = {value}" : $"var {name} = {value};");
            return name;
        }

        string Num(double v) => python ? v.ToString("R", CultureInfo.InvariantCulture) : v.ToString("R", CultureInfo.InvariantCulture) + (v == Math.Floor(v) && Math.Abs(v) < 1e15 ? ".0" : "");

        string Unary(UnaryOp op, string a, string? b) => python ? op switch
        {
            UnaryOp.Neg => $"-{a}",
            UnaryOp.Abs => $"torch.abs({a})",
            UnaryOp.Square => $"torch.square({a})",
            UnaryOp.Cube => $"torch.pow({a}, 3)",
            UnaryOp.Sqrt => $"torch.sqrt({a})",
            UnaryOp.Scale => $"{a} * {b}",
            UnaryOp.Shift => $"{a} + {b}",
            UnaryOp.LogAbs => $"torch.log(torch.abs({a}) + 1e-7)",
            UnaryOp.Exp => $"torch.exp({a})",
            UnaryOp.Sin => $"torch.sin({a})",
            UnaryOp.Cos => $"torch.cos({a})",
            UnaryOp.Sinh => $"torch.sinh({a})",
            UnaryOp.Cosh => $"torch.cosh({a})",
            UnaryOp.Tanh => $"torch.tanh({a})",
            UnaryOp.Asinh => $"torch.asinh({a})",
            UnaryOp.Atan => $"torch.atan({a})",
            UnaryOp.Sinc => $"torch.sinc({a} / math.pi)  # un-normalised sin(x)/x",
            UnaryOp.Relu => $"torch.relu({a})",
            UnaryOp.Min0 => $"-torch.relu(-{a})",
            UnaryOp.Sigmoid => $"torch.sigmoid({a})",
            UnaryOp.Softplus => $"nn.functional.softplus({a})",
            UnaryOp.Gauss => $"torch.exp(-torch.square({a}))",
            UnaryOp.Erf => $"torch.erf({a})",
            UnaryOp.Beta => Expand(b!, a),
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        } : op switch
        {
            UnaryOp.Neg => $"{a}.neg()",
            UnaryOp.Abs => $"{a}.abs()",
            UnaryOp.Square => $"{a}.square()",
            UnaryOp.Cube => $"{a}.pow(3)",
            UnaryOp.Sqrt => $"{a}.sqrt()",
            UnaryOp.Scale => $"{a} * {b}",
            UnaryOp.Shift => $"{a} + {b}",
            UnaryOp.LogAbs => $"({a}.abs() + 1e-7).log()",
            UnaryOp.Exp => $"{a}.exp()",
            UnaryOp.Sin => $"{a}.sin()",
            UnaryOp.Cos => $"{a}.cos()",
            UnaryOp.Sinh => $"{a}.sinh()",
            UnaryOp.Cosh => $"{a}.cosh()",
            UnaryOp.Tanh => $"{a}.tanh()",
            UnaryOp.Asinh => $"{a}.asinh()",
            UnaryOp.Atan => $"{a}.atan()",
            UnaryOp.Sinc => $"({a} / System.Math.PI).sinc(); // un-normalised sin(x)/x",
            UnaryOp.Relu => $"{a}.relu()",
            UnaryOp.Min0 => $"{a}.neg().relu().neg()",
            UnaryOp.Sigmoid => $"{a}.sigmoid()",
            UnaryOp.Softplus => $"nn.functional.softplus({a})",
            UnaryOp.Gauss => $"{a}.square().neg().exp()",
            UnaryOp.Erf => $"{a}.erf()",
            UnaryOp.Beta => Expand(b!, a),
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };

        string Binary(BinaryOp op, string l, string r, string? b) => op switch
        {
            BinaryOp.Add => $"{l} + {r}",
            BinaryOp.Mul => $"{l} * {r}",
            BinaryOp.Sub => $"{l} - {r}",
            BinaryOp.Div => $"{l} / ({r} + 1e-7)",
            BinaryOp.Max => python ? $"torch.maximum({l}, {r})" : $"maximum({l}, {r})",
            BinaryOp.Min => python ? $"torch.minimum({l}, {r})" : $"minimum({l}, {r})",
            BinaryOp.Sigmul => python ? $"torch.sigmoid({l}) * {r}" : $"{l}.sigmoid() * {r}",
            BinaryOp.GaussDiff => python ? $"torch.exp(-{b} * torch.square({l} - {r}))" : $"(({l} - {r}).square() * {b}.neg()).exp()",
            BinaryOp.LaplaceDiff => python ? $"torch.exp(-{b} * torch.abs({l} - {r}))" : $"(({l} - {r}).abs() * {b}.neg()).exp()",
            BinaryOp.Mix => $"{b} * {l} + (1 - {b}) * {r}",
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
    }
}
