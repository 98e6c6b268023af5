using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EvoAct.Training.Models;

static class Init
{
    /// <summary>He-normal (fan_out) convolutions, BN at (1, 0), as torchvision's ResNets.</summary>
    public static void HeNormal(nn.Module module)
    {
        using var _ = no_grad();
        foreach (var (_, m) in module.named_modules())
        {
            switch (m)
            {
                case Conv2d conv: nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU); break;
                case BatchNorm2d bn: nn.init.ones_(bn.weight); nn.init.zeros_(bn.bias); break;
                case Linear fc when fc.bias is not null: nn.init.zeros_(fc.bias); break;
            }
        }
    }

    public static Conv2d Conv3x3(long inC, long outC, long stride = 1) => nn.Conv2d(inC, outC, 3, stride: stride, padding: 1, bias: false);
    public static Conv2d Conv1x1(long inC, long outC, long stride = 1) => nn.Conv2d(inC, outC, 1, stride: stride, bias: false);
}
