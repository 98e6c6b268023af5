using EvoAct.Search;
using static TorchSharp.torch;

namespace EvoAct.Training.Data;

/// <summary>
/// A dataset ready to train on: the training set minus a held-out validation split (the search's
/// fitness), the test set (final reports only), and per-channel mean and std of the training part.
/// Loaded once per process and settings: evaluations reuse it.
/// </summary>
public sealed class PreparedData : IDisposable
{
    public ImageSet Train { get; }
    public ImageSet Validation { get; }
    public ImageSet Test { get; }
    public float[] Mean { get; }
    public float[] Std { get; }
    public DataSettings Settings { get; }

    PreparedData(ImageSet train, ImageSet validation, ImageSet test, DataSettings settings)
    {
        (Train, Validation, Test, Settings) = (train, validation, test, settings);
        using var scope = NewDisposeScope();
        var pixels = train.Images.to_type(ScalarType.Float32).div_(255f);
        Mean = pixels.mean([0L, 2L, 3L]).data<float>().ToArray();
        Std = pixels.std([0L, 2L, 3L]).data<float>().ToArray().Select(s => Math.Max(s, 1e-6f)).ToArray();
    }

    static readonly Dictionary<DataSettings, PreparedData> Cache = new();
    static readonly object CacheLock = new();

    /// <summary>The prepared data for these settings, loaded on first use and shared afterwards.</summary>
    public static PreparedData Get(DataSettings settings)
    {
        lock (CacheLock)
        {
            if (!Cache.TryGetValue(settings, out var data)) Cache[settings] = data = Load(settings);
            return data;
        }
    }

    public static PreparedData Load(DataSettings s)
    {
        var (fullTrain, test) = s.Name switch
        {
            "fashion-mnist" => FashionMnist.Load(s.Path),
            "cifar10" => Cifar.Load10(s.Path),
            "cifar100" => Cifar.Load100(s.Path, s.Cifar100FineLabels),
            "synthetic" => SyntheticData.Generate(s.Synthetic.Train, s.Synthetic.Test, s.Synthetic.Classes, s.Synthetic.Channels, s.Synthetic.Size, s.Synthetic.Seed),
            _ => throw new DatasetException($"unknown dataset '{s.Name}' (expected fashion-mnist, cifar10, cifar100 or synthetic)"),
        };
        using (fullTrain)
        {
            long n = fullTrain.Count;
            if (s.ValidationSize <= 0 || s.ValidationSize >= n)
                throw new DatasetException($"{s.Path}: validation size {s.ValidationSize} must be between 1 and {n - 1}, the training set size minus one");
            // A seeded permutation: the split is the same for every candidate, so fitness values compare.
            var order = Permutation(n, new Rng(s.ValidationSeed));
            var validation = order[..s.ValidationSize];
            var train = order[s.ValidationSize..];
            if (s.TrainSubset > 0 && s.TrainSubset < train.Length) train = train[..s.TrainSubset];
            return new PreparedData(fullTrain.Select(train), fullTrain.Select(validation), test, s);
        }
    }

    internal static long[] Permutation(long n, Rng rng)
    {
        var p = new long[n];
        for (long i = 0; i < n; i++) p[i] = i;
        for (long i = n - 1; i > 0; i--)
        {
            long j = rng.Next((int)(i + 1));
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
    }
}
