using static TorchSharp.torch;

namespace EvoAct.Training.Models;

/// <summary>
/// evoact.training.memory-format: the layout of images, activations and conv weights.
/// "channels-last" (NHWC strides under the NCHW shape) lets libtorch's oneDNN convolutions and the
/// batch norm run without reordering their operands, as torch.channels_last does in PyTorch.
/// TorchSharp 0.107 has no memory_format argument, so the layout is made with strides: permute to
/// NHWC, make that contiguous, permute back; libtorch then keeps it through the network (conv, batch
/// norm and elementwise outputs follow their input's layout). The values are the same in either
/// layout; only the order of floating-point reductions inside the kernels differs.
/// </summary>
public static class MemoryFormat
{
    public const string Contiguous = "contiguous";
    public const string ChannelsLast = "channels-last";

    public static bool IsValid(string format) => format is Contiguous or ChannelsLast;

    /// <summary>A 4-d tensor in channels-last layout (a no-op when it already is); other ranks unchanged.</summary>
    public static Tensor ToChannelsLast(Tensor x) =>
        x.dim() == 4 && !IsChannelsLast(x) ? x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : x.alias();

    /// <summary>Whether x is laid out N, H, W, C in memory (strides C*H*W, 1, W*C, C).</summary>
    public static bool IsChannelsLast(Tensor x)
    {
        if (x.dim() != 4) return false;
        // size(d) and stride(d): shape and stride() build an array per call (a microsecond; activations ask per step).
        long c = x.size(1), w = x.size(3);
        return x.stride(1) == 1 && x.stride(3) == c && x.stride(2) == w * c;
    }

    /// <summary>Re-lays every 4-d parameter (the conv weights) of <paramref name="model"/> in place.</summary>
    public static void Apply(nn.Module model, string format)
    {
        if (!IsValid(format)) throw new ArgumentException($"unknown memory format '{format}' (expected {Contiguous} or {ChannelsLast})");
        if (format != ChannelsLast) return;
        using var noGrad = no_grad();
        foreach (var p in model.parameters())
        {
            if (p.dim() != 4 || IsChannelsLast(p)) continue;
            using var relaid = ToChannelsLast(p);
            p.set_(relaid);
        }
    }

    /// <summary>The input batch in the model's layout.</summary>
    public static Tensor Input(Tensor x, string format) => format == ChannelsLast ? ToChannelsLast(x) : x.alias();
}
