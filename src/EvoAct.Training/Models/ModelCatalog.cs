using static TorchSharp.torch;

namespace EvoAct.Training.Models;

/// <summary>A child network by name; Published is the parameter count its paper reports (CIFAR-10).</summary>
public sealed record ModelSpec(string Name, string Description, double? PublishedMillions, Func<int, int, ActivationFactory, nn.Module<Tensor, Tensor>> Create)
{
    /// <summary>The network for this input and class count, with weights drawn from <paramref name="seed"/>.</summary>
    public nn.Module<Tensor, Tensor> Build(int inChannels, int classes, ActivationFactory activation, long seed = 0)
    {
        var model = Create(inChannels, classes, activation);
        Init.Initialize(model, seed);
        return model;
    }
}

/// <summary>
/// The child networks a preset can name. The proxy ResNet's depth and width come from
/// evoact.training.model.proxy-*; the rest are fixed architectures from their papers.
/// </summary>
public static class ModelCatalog
{
    public static IReadOnlyList<ModelSpec> All(int proxyBlocks = 1, int proxyWidth = 8, int proxyStemStride = 1) =>
    [
        CifarResNet(3, 0.27), CifarResNet(5, 0.46), CifarResNet(7, 0.66), CifarResNet(9, 0.85), CifarResNet(18, 1.7),
        new("preact-resnet164", "ResNet-164, pre-activation bottleneck (He et al. 2016b)", 1.7,
            (inC, classes, act) => new PreActResNet(18, inC, classes, act)),
        new("wrn-28-10", "Wide ResNet 28-10 (Zagoruyko & Komodakis 2016)", 36.5,
            (inC, classes, act) => new WideResNet(28, 10, inC, classes, act)),
        new("densenet-bc-100-12", "DenseNet-BC, depth 100, growth 12 (Huang et al. 2017)", 0.8,
            (inC, classes, act) => new DenseNetBC(100, 12, inC, classes, act)),
        new("proxy-resnet", $"CIFAR-style ResNet-{6 * proxyBlocks + 2} of width {proxyWidth}, stem stride {proxyStemStride}, the CPU search proxy", null,
            (inC, classes, act) => new CifarResNet(proxyBlocks, proxyWidth, inC, classes, act, proxyStemStride)),
    ];

    static ModelSpec CifarResNet(int n, double published) =>
        new($"resnet{6 * n + 2}", $"CIFAR ResNet-{6 * n + 2}, basic blocks, option A shortcuts (He et al. 2016)", published,
            (inC, classes, act) => new CifarResNet(n, 16, inC, classes, act));

    public static ModelSpec? Find(string name, int proxyBlocks = 1, int proxyWidth = 8, int proxyStemStride = 1) =>
        All(proxyBlocks, proxyWidth, proxyStemStride).FirstOrDefault(m => m.Name == name);

    public static long ParameterCount(nn.Module module) => module.parameters().Sum(p => p.numel());
}
