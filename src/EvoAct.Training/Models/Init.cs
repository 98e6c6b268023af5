using EvoAct.Search;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EvoAct.Training.Models;

static class Init
{
    /// <summary>
    /// He-normal (fan_out) convolutions as torchvision's ResNets, PyTorch's default uniform for linear
    /// layers, BatchNorm at (1, 0). Drawn from our own seeded generator: torch's global one is shared by
    /// every thread (trainers side by side would perturb each other), and in TorchSharp 0.107 the
    /// init functions' generator argument did not make draws repeatable.
    /// </summary>
    public static void Initialize(nn.Module module, long seed)
    {
        using var _ = no_grad();
        var rng = new Rng((ulong)seed ^ 0x1417_0000_0000UL);
        foreach (var (_, m) in module.named_modules())
        {
            switch (m)
            {
                case Conv2d conv:
                {
                    var w = conv.weight!;
                    double std = Math.Sqrt(2.0 / (w.shape[0] * w.shape[2] * w.shape[3]));
                    Fill(w, () => std * rng.NextGaussian());
                    break;
                }
                case BatchNorm2d bn:
                    nn.init.ones_(bn.weight!);
                    nn.init.zeros_(bn.bias!);
                    break;
                case Linear fc:
                {
                    double bound = 1 / Math.Sqrt(fc.weight!.shape[1]);
                    Fill(fc.weight!, () => bound * (2 * rng.NextDouble() - 1));
                    if (fc.bias is not null) Fill(fc.bias, () => bound * (2 * rng.NextDouble() - 1));
                    break;
                }
            }
        }
    }

    static void Fill(Tensor t, Func<double> draw)
    {
        var values = new float[t.numel()];
        for (int i = 0; i < values.Length; i++) values[i] = (float)draw();
        using var source = tensor(values).view(t.shape);
        t.copy_(source);
    }

    public static Conv2d Conv3x3(long inC, long outC, long stride = 1) => nn.Conv2d(inC, outC, 3, stride: stride, padding: 1, bias: false);
    public static Conv2d Conv1x1(long inC, long outC, long stride = 1) => nn.Conv2d(inC, outC, 1, stride: stride, bias: false);
}
