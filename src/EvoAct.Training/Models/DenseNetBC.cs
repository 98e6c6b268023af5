using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EvoAct.Training.Models;

/// <summary>
/// DenseNet-BC (Huang et al., 2017): three dense blocks of (depth-4)/6 bottleneck layers
/// (BN-act-conv1x1 to 4k, BN-act-conv3x3 to k), transitions BN-act-conv1x1 (compression 0.5)
/// and 2x2 average pooling. DenseNet-BC-100-12 has 0.8M parameters.
/// </summary>
public sealed class DenseNetBC : nn.Module<Tensor, Tensor>
{
    readonly Conv2d stem;
    readonly ModuleList<nn.Module<Tensor, Tensor>> stages = new();
    readonly BatchNorm2d bn;
    readonly nn.Module<Tensor, Tensor> act;
    readonly AdaptiveAvgPool2d pool = nn.AdaptiveAvgPool2d(1);
    readonly Linear fc;

    public DenseNetBC(int depth, int growth, int inChannels, int classes, ActivationFactory activation) : base($"DenseNet-BC-{depth}-{growth}")
    {
        if ((depth - 4) % 6 != 0) throw new ArgumentException("DenseNet-BC depth must be 6n+4");
        int layers = (depth - 4) / 6;
        int channels = 2 * growth;
        stem = Init.Conv3x3(inChannels, channels);
        for (int block = 0; block < 3; block++)
        {
            for (int l = 0; l < layers; l++)
            {
                stages.Add(new DenseLayer(channels, growth, activation));
                channels += growth;
            }
            if (block < 2)
            {
                stages.Add(new Transition(channels, channels / 2, activation));
                channels /= 2;
            }
        }
        bn = nn.BatchNorm2d(channels);
        act = activation(channels);
        fc = nn.Linear(channels, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = stem.call(x);
        foreach (var stage in stages) h = stage.call(h);
        return fc.call(pool.call(act.call(bn.call(h))).flatten(1)).MoveToOuterDisposeScope();
    }

    public sealed class DenseLayer : nn.Module<Tensor, Tensor>
    {
        readonly BatchNorm2d bn1, bn2;
        readonly nn.Module<Tensor, Tensor> act1, act2;
        readonly Conv2d conv1, conv2;

        public DenseLayer(int inC, int growth, ActivationFactory act) : base("DenseLayer")
        {
            bn1 = nn.BatchNorm2d(inC); act1 = act(inC); conv1 = Init.Conv1x1(inC, 4 * growth);
            bn2 = nn.BatchNorm2d(4 * growth); act2 = act(4 * growth); conv2 = Init.Conv3x3(4 * growth, growth);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) =>
            cat([x, conv2.call(act2.call(bn2.call(conv1.call(act1.call(bn1.call(x))))))], 1);
    }

    public sealed class Transition : nn.Module<Tensor, Tensor>
    {
        readonly BatchNorm2d bn;
        readonly nn.Module<Tensor, Tensor> act;
        readonly Conv2d conv;
        readonly AvgPool2d pool = nn.AvgPool2d(2);

        public Transition(int inC, int outC, ActivationFactory activation) : base("Transition")
        {
            bn = nn.BatchNorm2d(inC); act = activation(inC); conv = Init.Conv1x1(inC, outC);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => pool.call(conv.call(act.call(bn.call(x))));
    }
}
