using EvoAct.Search;

namespace EvoAct.Training.Data;

/// <summary>
/// A learnable toy problem generated from a seed, for tests and the smoke preset: each class has a
/// random prototype image, samples are noisy copies. Nonlinear enough that the activation matters a little.
/// </summary>
public static class SyntheticData
{
    public static (ImageSet Train, ImageSet Test) Generate(int trainCount, int testCount, int classes, int channels, int size, ulong seed, double noise = 0.35)
    {
        var rng = new Rng(seed);
        int pixels = channels * size * size;
        var prototypes = new double[classes][];
        for (int c = 0; c < classes; c++)
        {
            prototypes[c] = new double[pixels];
            for (int p = 0; p < pixels; p++) prototypes[c][p] = rng.NextDouble();
        }
        return (Make(trainCount), Make(testCount));

        ImageSet Make(int n)
        {
            var bytes = new byte[n * pixels];
            var labels = new long[n];
            for (int i = 0; i < n; i++)
            {
                int c = rng.Next(classes);
                labels[i] = c;
                for (int p = 0; p < pixels; p++)
                    bytes[i * pixels + p] = (byte)Math.Clamp(255 * (prototypes[c][p] + noise * rng.NextGaussian()), 0, 255);
            }
            return ImageSet.FromBytes(bytes, labels, channels, size, size, classes);
        }
    }
}
