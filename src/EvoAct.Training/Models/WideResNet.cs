using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EvoAct.Training.Models;

/// <summary>
/// Wide ResNet (Zagoruyko and Komodakis, 2016) WRN-d-k: pre-activation basic blocks, (d-4)/6 per
/// stage, widths 16k, 32k, 64k, 1x1 projection shortcuts where the shape changes. WRN-28-10 has 36.5M
/// parameters. No dropout, as the paper's transfer runs.
/// </summary>
public sealed class WideResNet : nn.Module<Tensor, Tensor>
{
    readonly Conv2d stem;
    readonly ModuleList<WideBlock> blocks = new();
    readonly BatchNorm2d bn;
    readonly nn.Module<Tensor, Tensor> act;
    readonly AdaptiveAvgPool2d pool = nn.AdaptiveAvgPool2d(1);
    readonly Linear fc;

    public WideResNet(int depth, int widen, int inChannels, int classes, ActivationFactory activation) : base($"WRN-{depth}-{widen}")
    {
        if ((depth - 4) % 6 != 0) throw new ArgumentException("WRN depth must be 6n+4");
        int n = (depth - 4) / 6;
        stem = Init.Conv3x3(inChannels, 16);
        int inC = 16;
        for (int stage = 0; stage < 3; stage++)
        {
            int outC = (16 << stage) * widen;
            for (int b = 0; b < n; b++)
            {
                blocks.Add(new WideBlock(inC, outC, stage > 0 && b == 0 ? 2 : 1, activation));
                inC = outC;
            }
        }
        bn = nn.BatchNorm2d(inC);
        act = activation(inC);
        fc = nn.Linear(inC, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = stem.call(x);
        foreach (var block in blocks) h = block.call(h);
        return fc.call(pool.call(act.call(bn.call(h))).flatten(1)).MoveToOuterDisposeScope();
    }

    public sealed class WideBlock : nn.Module<Tensor, Tensor>
    {
        readonly BatchNorm2d bn1, bn2;
        readonly nn.Module<Tensor, Tensor> act1, act2;
        readonly Conv2d conv1, conv2;
        readonly Conv2d? projection;

        public WideBlock(int inC, int outC, int stride, ActivationFactory act) : base("WideBlock")
        {
            bn1 = nn.BatchNorm2d(inC); act1 = act(inC); conv1 = Init.Conv3x3(inC, outC, stride);
            bn2 = nn.BatchNorm2d(outC); act2 = act(outC); conv2 = Init.Conv3x3(outC, outC);
            if (stride != 1 || inC != outC) projection = Init.Conv1x1(inC, outC, stride);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var pre = act1.call(bn1.call(x));
            var shortcut = projection is null ? x : projection.call(pre);
            var h = conv2.call(act2.call(bn2.call(conv1.call(pre))));
            return h + shortcut;
        }
    }
}
