using EvoAct.Search.Expressions;
using EvoAct.Training.Models;
using static TorchSharp.torch;

namespace EvoAct.Training.Activations;

/// <summary>
/// What a child network uses as its nonlinearity: a searched expression, or a built-in baseline by
/// name (relu, silu, gelu, elu, selu, softplus, leaky_relu, tanh, and swish = x * sigmoid(beta * x)).
/// </summary>
public sealed record Activation(string Text, Expr? Expression, string? Baseline)
{
    public static IReadOnlyList<string> Baselines { get; } = ["relu", "silu", "gelu", "elu", "selu", "softplus", "leaky_relu", "tanh", "swish"];

    public const string SwishExpression = "x * sigmoid(beta * x)";

    /// <summary>A baseline name, or else an expression (throws ParseException with a column on bad input).</summary>
    public static Activation Parse(string text)
    {
        var trimmed = text.Trim();
        if (trimmed == "swish") return new Activation(trimmed, ExpressionParser.Parse(SwishExpression), null);
        if (Baselines.Contains(trimmed)) return new Activation(trimmed, null, trimmed);
        return new Activation(trimmed, ExpressionParser.Parse(trimmed), null);
    }

    /// <summary>Canonical text: the baseline's name or the expression printed canonically.</summary>
    public string Canonical => Baseline ?? (Text == "swish" ? "swish" : ExpressionPrinter.Print(Expression!));

    /// <summary>The factory with compiled expressions (the default of evoact.training.activation-kernels).</summary>
    public ActivationFactory Factory => FactoryWith(ActivationKernels.Compiled);

    /// <summary>The factory for <paramref name="kernels"/> (<see cref="ActivationKernels"/>): expressions compiled or composed; baselines are torch's own modules either way.</summary>
    public ActivationFactory FactoryWith(string kernels) => Baseline switch
    {
        null => channels => new ActivationModule(Expression!, channels, fuse: kernels == ActivationKernels.Compiled),
        // In place: every model applies its activations to a fresh batch-norm or sum output that
        // nothing else reads (tested for every model), and ReLU's backward needs only its output,
        // so one less activation-sized tensor per layer (8% of a ResNet-20 step with glibc's
        // allocator defaults; within noise under host-memory = retain).
        "relu" => _ => nn.ReLU(inplace: true),
        "silu" => _ => nn.SiLU(),
        "gelu" => _ => nn.GELU(),
        "elu" => _ => nn.ELU(),
        "selu" => _ => nn.SELU(),
        "softplus" => _ => nn.Softplus(),
        "leaky_relu" => _ => nn.LeakyReLU(0.01),
        "tanh" => _ => nn.Tanh(),
        _ => throw new InvalidOperationException($"unknown baseline {Baseline}"),
    };
}
