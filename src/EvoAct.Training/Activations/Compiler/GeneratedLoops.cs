namespace EvoAct.Training.Activations.Compiler;

/// <summary>
/// A program's float32 block loops as generated code (<see cref="KernelGenerator"/>, 8 lanes, or its
/// Wide build, 16 lanes on AVX-512 machines). Both widths compute every lane with the same
/// instructions, so their results are bit for bit the same (tested); the block framework pads blocks
/// to whole vectors of either (<see cref="MaxLanes"/>). The two training loops are compiled when first
/// used: a program either stores its derivatives (<see cref="Train"/>) or recomputes them in backward
/// (<see cref="Backward"/>), so a search compiles one of them per genome, not both.
/// </summary>
internal sealed class GeneratedLoops(GeneratedLoops.Forward evaluate, Func<GeneratedLoops.ForwardTrain> train, Func<GeneratedLoops.Gradient> backward, int lanes)
{
    readonly Lazy<ForwardTrain> train = new(train);
    readonly Lazy<Gradient> backward = new(backward);

    /// <summary>Values alone (evaluation, and the training forward of a program that recomputes).</summary>
    public Forward Evaluate { get; } = evaluate;
    /// <summary>The training forward that stores the derivatives.</summary>
    public ForwardTrain Train => train.Value;
    /// <summary>Backward from x, for a program that recomputes.</summary>
    public Gradient Backward => backward.Value;
    /// <summary>Lanes per vector: 8 or 16.</summary>
    public int Lanes { get; } = lanes;

    /// <summary>The widest loops generated: blocks are padded to a multiple of this.</summary>
    public const int MaxLanes = 16;

    /// <summary>y[0..n) = f(x[0..n)); betas: the block's <see cref="BlockBetas"/>.</summary>
    public delegate void Forward(nint x, nint betas, nint y, int n);

    /// <summary>
    /// Training forward: y = f(x), d = f'(x), and per beta slot df/dbeta per element (betaDerivatives:
    /// one pointer per slot), all from one evaluation of the program and one reverse sweep seeded with 1;
    /// betas: the block's <see cref="BlockBetas"/>.
    /// With <paramref name="stream"/>, d and the beta derivatives go past the caches (non-temporal stores
    /// where aligned): they are read back only in backward, long after, and a cached write costs a read.
    /// </summary>
    public delegate void ForwardTrain(nint x, nint betas, nint y, nint d, nint betaDerivatives, int n, bool stream);

    /// <summary>
    /// Backward from x: the training evaluation again, leaving gx = g * f'(x) and per beta slot the
    /// products g * df/dbeta, added into the <see cref="BlockBetas"/>' sums (or stored as the block's
    /// products): the products the stored path forms from what it stored, in the same order, so the same
    /// bits; nothing else goes to memory.
    /// </summary>
    public delegate void Gradient(nint x, nint betas, nint g, nint gx, int n);
}
