using EvoAct.Training.Activations;
using EvoAct.Training.Models;
using static TorchSharp.torch;

namespace EvoAct.Training.Tests.Models;

public class ModelCatalogTests
{
    static readonly ActivationFactory Relu = Activation.Parse("relu").Factory;

    /// <summary>Published figures (CIFAR-10): He et al. 2016a/b, Zagoruyko and Komodakis 2016, Huang et al. 2017.</summary>
    [Theory]
    [InlineData("resnet20", 0.27)]
    [InlineData("resnet32", 0.46)]
    [InlineData("resnet44", 0.66)]
    [InlineData("resnet56", 0.85)]
    [InlineData("resnet110", 1.7)]
    [InlineData("preact-resnet164", 1.7)]
    [InlineData("wrn-28-10", 36.5)]
    [InlineData("densenet-bc-100-12", 0.8)]
    public void Parameter_counts_match_the_papers(string name, double millions)
    {
        var spec = ModelCatalog.Find(name)!;
        using var model = spec.Build(3, 10, Relu);
        double count = ModelCatalog.ParameterCount(model) / 1e6;
        // The papers round to two significant digits.
        Assert.InRange(count, millions * 0.96, millions * 1.04);
    }

    [Theory]
    [InlineData("resnet20", 3, 10)]
    [InlineData("preact-resnet164", 3, 100)]
    [InlineData("densenet-bc-100-12", 3, 10)]
    [InlineData("proxy-resnet", 1, 10)]
    public void Forward_gives_one_logit_per_class(string name, int inC, int classes)
    {
        using var model = ModelCatalog.Find(name)!.Build(inC, classes, Relu);
        model.eval();
        using var _ = no_grad();
        using var x = randn(2, inC, 32, 32);
        using var y = model.call(x);
        Assert.Equal(new long[] { 2, classes }, y.shape);
    }

    /// <summary>
    /// The relu baseline runs in place. That is only right where a model applies its activations to
    /// tensors nothing else reads: the same weights must give the same logits and gradients as an
    /// out-of-place ReLU, in every model of the catalogue.
    /// </summary>
    [Theory]
    [InlineData("resnet20")]
    [InlineData("preact-resnet164")]
    [InlineData("wrn-28-10")]
    [InlineData("densenet-bc-100-12")]
    [InlineData("proxy-resnet")]
    public void In_place_relu_trains_exactly_as_out_of_place(string name)
    {
        var spec = ModelCatalog.Find(name)!;
        using var inPlace = spec.Build(3, 10, Relu, seed: 7);
        using var outOfPlace = spec.Build(3, 10, _ => nn.ReLU(), seed: 7);
        Assert.NotEmpty(inPlace.modules().OfType<TorchSharp.Modules.ReLU>());
        inPlace.train();
        outOfPlace.train();
        using var x = randn(4, 3, 8, 8, generator: new TorchSharp.torch.Generator(3));
        using var y = tensor(new long[] { 0, 1, 2, 3 });
        using var a = nn.functional.cross_entropy(inPlace.call(x), y);
        using var b = nn.functional.cross_entropy(outOfPlace.call(x), y);
        Assert.Equal(b.item<float>(), a.item<float>());
        a.backward();
        b.backward();
        foreach (var ((n, p), (_, q)) in inPlace.named_parameters().Zip(outOfPlace.named_parameters()))
            Assert.True(p.grad!.eq(q.grad!).all().item<bool>(), $"{name}: gradient of {n} differs");
    }

    [Fact]
    public void Searched_activation_replaces_every_nonlinearity_with_per_layer_betas()
    {
        var swish = Activation.Parse("x * sigmoid(beta * x)");
        using var model = ModelCatalog.Find("resnet20")!.Build(3, 10, swish.Factory);
        var acts = model.modules().OfType<ActivationModule>().ToArray();
        // Stem + 2 per basic block, 9 blocks: 19 nonlinearities, each with its own beta per channel.
        Assert.Equal(19, acts.Length);
        Assert.Equal(new[] { 16L, 16, 16, 16, 16, 16, 16, 32, 32, 32, 32, 32, 32, 64, 64, 64, 64, 64, 64 },
                     acts.Select(a => a.Betas.Single().shape[0]));
        Assert.Empty(model.modules().OfType<TorchSharp.Modules.ReLU>());
    }

    [Fact]
    public void Proxy_depth_and_width_come_from_settings()
    {
        using var small = ModelCatalog.Find("proxy-resnet", 1, 8)!.Build(1, 10, Relu);
        using var deeper = ModelCatalog.Find("proxy-resnet", 2, 8)!.Build(1, 10, Relu);
        using var wider = ModelCatalog.Find("proxy-resnet", 1, 16)!.Build(1, 10, Relu);
        long s = ModelCatalog.ParameterCount(small), d = ModelCatalog.ParameterCount(deeper), w = ModelCatalog.ParameterCount(wider);
        Assert.True(d > s && w > s);
        Assert.InRange((double)w / s, 3.0, 4.2); // conv weights scale with width^2
    }
}
