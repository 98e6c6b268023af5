namespace EvoAct.Training.Data;

/// <summary>Fashion-MNIST from its four IDX files (Debian: dataset-fashion-mnist).</summary>
public static class FashionMnist
{
    public const string DefaultPath = "/usr/share/datasets/fashion-mnist";

    public static (ImageSet Train, ImageSet Test) Load(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DatasetException($"{directory}: directory not found (expected Fashion-MNIST IDX files; on Debian: apt-get install dataset-fashion-mnist)");
        return (Read(directory, "train"), Read(directory, "t10k"));
    }

    static ImageSet Read(string directory, string prefix)
    {
        var images = IdxReader.ReadImages(Find(directory, $"{prefix}-images-idx3-ubyte"), out int n, out int rows, out int cols);
        var labels = IdxReader.ReadLabels(Find(directory, $"{prefix}-labels-idx1-ubyte"), out int m);
        if (n != m) throw new DatasetException($"{directory}: {prefix} has {n} images but {m} labels");
        return ImageSet.FromBytes(images, labels.Select(l => (long)l).ToArray(), 1, rows, cols, 10);
    }

    /// <summary>Gzipped or raw, as distributed or unpacked.</summary>
    static string Find(string directory, string name)
    {
        foreach (var candidate in new[] { name + ".gz", name, name.Replace("-idx", ".idx") })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        return Path.Combine(directory, name + ".gz");
    }
}
