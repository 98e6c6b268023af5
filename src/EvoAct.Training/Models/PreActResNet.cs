using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EvoAct.Training.Models;

/// <summary>
/// Pre-activation ResNet with bottleneck blocks (He et al., "Identity Mappings", 2016), depth 9n+2:
/// ResNet-164 has n = 18 and 1.7M parameters. Each block is BN-act-conv1x1, BN-act-conv3x3,
/// BN-act-conv1x1 (x4 expansion); projection shortcuts (1x1 conv) where the shape changes.
/// </summary>
public sealed class PreActResNet : nn.Module<Tensor, Tensor>
{
    const int Expansion = 4;
    readonly Conv2d stem;
    readonly ModuleList<Bottleneck> blocks = new();
    readonly BatchNorm2d bn;
    readonly nn.Module<Tensor, Tensor> act;
    readonly AdaptiveAvgPool2d pool = nn.AdaptiveAvgPool2d(1);
    readonly Linear fc;

    public PreActResNet(int blocksPerStage, int inChannels, int classes, ActivationFactory activation) : base($"PreActResNet{9 * blocksPerStage + 2}")
    {
        stem = Init.Conv3x3(inChannels, 16);
        int inC = 16;
        for (int stage = 0; stage < 3; stage++)
        {
            int planes = 16 << stage;
            for (int b = 0; b < blocksPerStage; b++)
            {
                blocks.Add(new Bottleneck(inC, planes, stage > 0 && b == 0 ? 2 : 1, activation));
                inC = planes * Expansion;
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

    public sealed class Bottleneck : nn.Module<Tensor, Tensor>
    {
        readonly BatchNorm2d bn1, bn2, bn3;
        readonly nn.Module<Tensor, Tensor> act1, act2, act3;
        readonly Conv2d conv1, conv2, conv3;
        readonly Conv2d? projection;

        public Bottleneck(int inC, int planes, int stride, ActivationFactory act) : base("Bottleneck")
        {
            bn1 = nn.BatchNorm2d(inC); act1 = act(inC); conv1 = Init.Conv1x1(inC, planes);
            bn2 = nn.BatchNorm2d(planes); act2 = act(planes); conv2 = Init.Conv3x3(planes, planes, stride);
            bn3 = nn.BatchNorm2d(planes); act3 = act(planes); conv3 = Init.Conv1x1(planes, planes * Expansion);
            if (stride != 1 || inC != planes * Expansion) projection = Init.Conv1x1(inC, planes * Expansion, stride);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var pre = act1.call(bn1.call(x));
            var shortcut = projection is null ? x : projection.call(pre);
            var h = conv1.call(pre);
            h = conv2.call(act2.call(bn2.call(h)));
            h = conv3.call(act3.call(bn3.call(h)));
            return h + shortcut;
        }
    }
}
