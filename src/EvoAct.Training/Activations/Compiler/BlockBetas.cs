using System.Runtime.InteropServices;

namespace EvoAct.Training.Activations.Compiler;

/// <summary>
/// Where a block's betas come from and where their d/dbeta goes, for the generated loops (passed by
/// pointer). Two modes, chosen by the shape alone (<see cref="BlockInterpreter{T}.Broadcasts"/>):
/// <list type="bullet">
/// <item><b>Planes</b> (NCHW planes of at least <see cref="GeneratedLoops.MaxLanes"/> values, the usual
/// case): <see cref="Values"/> holds each slot's per-channel betas; the loop keeps the plane's beta
/// broadcast in a register and, backward, adds each vector's g df/dbeta into the unit's lane sums
/// (<see cref="Sums"/>: per slot, <see cref="Lanes"/> floats per channel; element j of the block into
/// lane j mod <see cref="Lanes"/>), so no beta register is filled and no product is stored. A vector
/// spans at most two planes: where it reaches a plane's end the lanes are split by a mask.</item>
/// <item><b>Elements</b> (channels-last rows, (N, C), planes shorter than a vector): <see cref="Values"/>
/// holds each slot's block register, filled per element; backward writes the products to
/// <see cref="Sums"/> (per slot, the block's products) for the interpreter's reduction.</item>
/// </list>
/// Either way every lane's sum sees the same additions in the same order as
/// <see cref="BlockInterpreter{T}"/>'s reduction over stored products, whatever the vector width.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BlockBetas
{
    /// <summary>Lane sums per channel in planes mode: both vector widths add element j into lane j mod 16.</summary>
    public const int Lanes = 16;

    /// <summary>Per slot: the betas of every channel (planes) or the block's beta register (elements).</summary>
    public nint Values;
    /// <summary>Backward, per slot: the unit's lane sums, <see cref="Lanes"/> per channel (planes), or the block's products g df/dbeta (elements).</summary>
    public nint Sums;
    /// <summary>1 in planes mode, 0 in elements mode.</summary>
    public int Planes;
    /// <summary>Planes mode: the channel of the block's first element, and the block offset where its plane ends.</summary>
    public int Channel, End;
    /// <summary>Planes mode: the values of a plane and the channels.</summary>
    public int Inner, Channels;
    /// <summary>Backward: the block's valid elements (the rest of its last vector is padding, left out of the sums).</summary>
    public int Valid;
}
