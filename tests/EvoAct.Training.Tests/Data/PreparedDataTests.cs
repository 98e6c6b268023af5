using EvoAct.Search;
using EvoAct.Training.Data;
using static TorchSharp.torch;

namespace EvoAct.Training.Tests.Data;

public class PreparedDataTests
{
    static DataSettings Synthetic(int validation = 100, int subset = 0, ulong seed = 0, int crop = 0, bool flip = false) => new()
    {
        Name = "synthetic", ValidationSize = validation, ValidationSeed = seed, TrainSubset = subset,
        CropPadding = crop, HorizontalFlip = flip,
        Synthetic = new SyntheticSettings(Train: 500, Test: 50, Classes: 3, Channels: 2, Size: 8, Seed: 7),
    };

    static HashSet<string> Rows(ImageSet set) =>
        Enumerable.Range(0, (int)set.Count).Select(i => string.Join(",", set.Images[i].flatten().data<byte>().ToArray())).ToHashSet();

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void Validation_is_held_out_of_training_with_the_configured_size()
    {
        using var data = PreparedData.Load(Synthetic(validation: 100));
        Assert.Equal(100, data.Validation.Count);
        Assert.Equal(400, data.Train.Count);
        Assert.Equal(50, data.Test.Count);
        Assert.Empty(Rows(data.Train).Intersect(Rows(data.Validation)));
    }

    [Fact]
    public void Split_is_deterministic_per_seed_and_differs_across_seeds()
    {
        using var a = PreparedData.Load(Synthetic(seed: 1));
        using var b = PreparedData.Load(Synthetic(seed: 1));
        using var c = PreparedData.Load(Synthetic(seed: 2));
        Assert.True(Same(a.Validation.Labels, b.Validation.Labels) && Same(a.Validation.Images, b.Validation.Images));
        Assert.False(Same(a.Validation.Images, c.Validation.Images));
    }

    [Fact]
    public void Train_subset_limits_the_training_split_only()
    {
        using var data = PreparedData.Load(Synthetic(validation: 100, subset: 150));
        Assert.Equal(150, data.Train.Count);
        Assert.Equal(100, data.Validation.Count);
    }

    [Fact]
    public void Bad_validation_size_is_a_dataset_error()
    {
        Assert.Throws<DatasetException>(() => PreparedData.Load(Synthetic(validation: 500)));
    }

    [Fact]
    public void Batches_are_normalised_per_channel()
    {
        using var data = PreparedData.Load(Synthetic());
        using var batches = new Batches(data, CPU);
        var (x, y) = batches.Evaluation(data.Train, 1000).Single();
        using (x) using (y)
        {
            var mean = x.mean([0L, 2L, 3L]).data<float>().ToArray();
            var std = x.std([0L, 2L, 3L]).data<float>().ToArray();
            Assert.All(mean, m => Assert.InRange(m, -1e-3, 1e-3));
            Assert.All(std, s => Assert.InRange(s, 0.999, 1.001));
            Assert.Equal(new long[] { 400, 2, 8, 8 }, x.shape);
        }
    }

    [Fact]
    public void Augmentation_crops_and_flips_and_keeps_shapes()
    {
        using var plain = PreparedData.Load(Synthetic());
        using var augmented = PreparedData.Load(Synthetic(crop: 2, flip: true));
        using var pb = new Batches(plain, CPU);
        using var ab = new Batches(augmented, CPU);
        var (x0, y0) = pb.Training(64, new Rng(3)).First();
        var (x1, y1) = ab.Training(64, new Rng(3)).First();
        using (x0) using (y0) using (x1) using (y1)
        {
            Assert.Equal(x0.shape, x1.shape);
            Assert.True(Same(y0, y1)); // same order: same labels
            Assert.False(x0.allclose(x1));          // but moved or mirrored pixels
        }
    }
}
