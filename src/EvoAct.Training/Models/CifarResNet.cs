using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EvoAct.Training.Models;

/// <summary>
/// The CIFAR ResNets of He et al. (2016), depth 6n+2: a 3x3 conv, three stages of n basic blocks
/// (widths w, 2w, 4w; stride 2 entering stages 2 and 3), global average pooling and a linear layer.
/// Shortcuts are option A (identity; subsample and zero-pad channels where the shape changes), the
/// paper's choice for CIFAR, which gives ResNet-20 its 0.27M parameters. With n and w from config it
/// is also the small proxy network for CPU search (optionally with a stride-2 stem).
/// </summary>
public sealed class CifarResNet : nn.Module<Tensor, Tensor>
{
    readonly Conv2d stem;
    readonly BatchNorm2d stemBn;
    readonly nn.Module<Tensor, Tensor> stemAct;
    readonly ModuleList<BasicBlock> blocks = new();
    readonly AdaptiveAvgPool2d pool = nn.AdaptiveAvgPool2d(1);
    readonly Linear fc;

    public CifarResNet(int blocksPerStage, int width, int inChannels, int classes, ActivationFactory act, int stemStride = 1) : base($"ResNet{6 * blocksPerStage + 2}")
    {
        // A stride-2 stem (proxy only) quarters the cost of every layer: the CPU proxy trades resolution for width.
        stem = Init.Conv3x3(inChannels, width, stemStride);
        stemBn = nn.BatchNorm2d(width);
        stemAct = act(width);
        int inC = width;
        for (int stage = 0; stage < 3; stage++)
        {
            int outC = width << stage;
            for (int b = 0; b < blocksPerStage; b++)
            {
                blocks.Add(new BasicBlock(inC, outC, stage > 0 && b == 0 ? 2 : 1, act));
                inC = outC;
            }
        }
        fc = nn.Linear(inC, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = stemAct.call(stemBn.call(stem.call(x)));
        foreach (var block in blocks) h = block.call(h);
        return fc.call(pool.call(h).flatten(1)).MoveToOuterDisposeScope();
    }

    public sealed class BasicBlock : nn.Module<Tensor, Tensor>
    {
        readonly Conv2d conv1, conv2;
        readonly BatchNorm2d bn1, bn2;
        readonly nn.Module<Tensor, Tensor> act1, act2;
        readonly long stride, padChannels;

        public BasicBlock(int inC, int outC, int stride, ActivationFactory act) : base("BasicBlock")
        {
            conv1 = Init.Conv3x3(inC, outC, stride);
            bn1 = nn.BatchNorm2d(outC);
            act1 = act(outC);
            conv2 = Init.Conv3x3(outC, outC);
            bn2 = nn.BatchNorm2d(outC);
            act2 = act(outC);
            this.stride = stride;
            padChannels = outC - inC;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var h = bn2.call(conv2.call(act1.call(bn1.call(conv1.call(x)))));
            var shortcut = x;
            if (stride > 1) shortcut = shortcut.slice(2, 0, x.shape[2], stride).slice(3, 0, x.shape[3], stride);
            if (padChannels > 0) shortcut = nn.functional.pad(shortcut, [0, 0, 0, 0, padChannels / 2, padChannels - padChannels / 2]);
            return act2.call(h + shortcut);
        }
    }
}
