namespace EvoAct.Training.Data;

/// <summary>
/// CIFAR-10 and CIFAR-100 "binary version" readers. CIFAR-10 records are 1 label byte + 3072 pixel
/// bytes (1024 R, 1024 G, 1024 B, row-major 32x32) in data_batch_1..5.bin and test_batch.bin.
/// CIFAR-100 records are coarse label + fine label + 3072 bytes in train.bin and test.bin.
/// </summary>
public static class Cifar
{
    public const int Pixels = 3 * 32 * 32;

    public static (ImageSet Train, ImageSet Test) Load10(string directory)
    {
        RequireDirectory(directory, "CIFAR-10 binary files data_batch_1..5.bin and test_batch.bin");
        var train = Enumerable.Range(1, 5).Select(i => Path.Combine(directory, $"data_batch_{i}.bin")).ToArray();
        return (Read(train, 1, 0, 10), Read([Path.Combine(directory, "test_batch.bin")], 1, 0, 10));
    }

    /// <param name="fine">true for the 100 fine labels, false for the 20 coarse ones.</param>
    public static (ImageSet Train, ImageSet Test) Load100(string directory, bool fine = true)
    {
        RequireDirectory(directory, "CIFAR-100 binary files train.bin and test.bin");
        int labelIndex = fine ? 1 : 0, classes = fine ? 100 : 20;
        return (Read([Path.Combine(directory, "train.bin")], 2, labelIndex, classes),
                Read([Path.Combine(directory, "test.bin")], 2, labelIndex, classes));
    }

    static ImageSet Read(string[] files, int labelBytes, int labelIndex, int classes)
    {
        int record = labelBytes + Pixels;
        var pixels = new List<byte[]>();
        var labels = new List<long>();
        foreach (var file in files)
        {
            if (!File.Exists(file)) throw new DatasetException($"{file}: file not found (expected a CIFAR binary file of {record}-byte records)");
            var bytes = File.ReadAllBytes(file);
            if (bytes.Length == 0 || bytes.Length % record != 0)
                throw new DatasetException($"{file}: {bytes.Length} bytes is not a whole number of {record}-byte CIFAR records (truncated or not CIFAR-{(labelBytes == 1 ? 10 : 100)})");
            for (int at = 0; at < bytes.Length; at += record)
            {
                int label = bytes[at + labelIndex];
                if (label >= classes) throw new DatasetException($"{file}: label {label} in record {at / record} is out of range 0..{classes - 1}");
                labels.Add(label);
                pixels.Add(bytes[(at + labelBytes)..(at + record)]);
            }
        }
        var all = new byte[pixels.Count * Pixels];
        for (int i = 0; i < pixels.Count; i++) pixels[i].CopyTo(all, i * Pixels);
        return ImageSet.FromBytes(all, labels.ToArray(), 3, 32, 32, classes);
    }

    static void RequireDirectory(string directory, string expected)
    {
        if (!Directory.Exists(directory)) throw new DatasetException($"{directory}: directory not found (expected {expected})");
    }
}
