using EvoAct.Search;
using static TorchSharp.torch;

namespace EvoAct.Training.Data;

/// <summary>
/// Turns uint8 images into normalised float batches, with the augmentation of He et al. for CIFAR
/// (zero-pad, random crop back to size, random horizontal flip) when enabled.
/// </summary>
public sealed class Batches(PreparedData data, Device device) : IDisposable
{
    readonly Tensor mean = tensor(data.Mean).view(1, -1, 1, 1);
    readonly Tensor std = tensor(data.Std).view(1, -1, 1, 1);

    /// <summary>An endless stream of shuffled training batches (reshuffled every epoch), seeded.</summary>
    public IEnumerable<(Tensor X, Tensor Y)> Training(int batchSize, Rng rng)
    {
        var set = data.Train;
        int size = (int)Math.Min(batchSize, set.Count);
        while (true)
        {
            var order = PreparedData.Permutation(set.Count, rng);
            for (int at = 0; at + size <= order.Length; at += size)
                yield return Make(set, order[at..(at + size)], augment: true, rng);
        }
    }

    /// <summary>Every image of a set once, in order, unaugmented.</summary>
    public IEnumerable<(Tensor X, Tensor Y)> Evaluation(ImageSet set, int batchSize)
    {
        for (long at = 0; at < set.Count; at += batchSize)
        {
            long end = Math.Min(at + batchSize, set.Count);
            yield return Make(set, LongRange(at, end), augment: false, null);
        }
    }

    /// <summary>The batch tensors belong to the caller, who disposes them; every intermediate is freed here.</summary>
    (Tensor X, Tensor Y) Make(ImageSet set, long[] indices, bool augment, Rng? rng)
    {
        using var scope = NewDisposeScope();
        var idx = tensor(indices);
        var x = set.Images.index_select(0, idx).to_type(ScalarType.Float32).div_(255f).sub_(mean).div_(std);
        var y = set.Labels.index_select(0, idx);
        if (augment && rng is not null)
        {
            if (data.Settings.CropPadding > 0) x = RandomCrop(x, data.Settings.CropPadding, rng);
            if (data.Settings.HorizontalFlip) x = RandomFlip(x, rng);
        }
        return (x.to(device).MoveToOuterDisposeScope(), y.to(device).MoveToOuterDisposeScope());
    }

    static Tensor RandomCrop(Tensor x, int pad, Rng rng)
    {
        long n = x.shape[0], h = x.shape[2], w = x.shape[3];
        var padded = nn.functional.pad(x, [pad, pad, pad, pad]);
        var crops = new Tensor[n];
        for (long i = 0; i < n; i++)
            crops[i] = padded[i].narrow(1, rng.Next(2 * pad + 1), h).narrow(2, rng.Next(2 * pad + 1), w);
        return stack(crops);
    }

    static Tensor RandomFlip(Tensor x, Rng rng)
    {
        long n = x.shape[0];
        var flags = new bool[n];
        for (long i = 0; i < n; i++) flags[i] = rng.Next(2) == 1;
        var mask = tensor(flags).view(n, 1, 1, 1);
        return where(mask, x.flip(3), x);
    }

    public void Dispose()
    {
        mean.Dispose();
        std.Dispose();
    }

    static long[] LongRange(long from, long to)
    {
        var r = new long[to - from];
        for (long i = 0; i < r.Length; i++) r[i] = from + i;
        return r;
    }
}
