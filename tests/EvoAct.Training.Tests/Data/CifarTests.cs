using EvoAct.Training.Data;

namespace EvoAct.Training.Tests.Data;

/// <summary>Small files generated in exactly the CIFAR binary format.</summary>
public sealed class CifarTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("evoact-cifar").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>Record i: label bytes, then R, G, B planes where pixel p of plane c is (i + 3c + p) mod 256.</summary>
    static byte[] Records(int count, int labelBytes, Func<int, byte[]> labels)
    {
        var data = new List<byte>();
        for (int i = 0; i < count; i++)
        {
            data.AddRange(labels(i).Take(labelBytes));
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < 1024; p++) data.Add((byte)((i + 3 * c + p) % 256));
        }
        return data.ToArray();
    }

    [Fact]
    public void Cifar10_reads_five_training_batches_and_the_test_batch()
    {
        for (int b = 1; b <= 5; b++) File.WriteAllBytes(Path.Combine(dir, $"data_batch_{b}.bin"), Records(4, 1, i => [(byte)((b + i) % 10)]));
        File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), Records(3, 1, i => [(byte)(9 - i)]));

        var (train, test) = Cifar.Load10(dir);
        using (train) using (test)
        {
            Assert.Equal(new long[] { 20, 3, 32, 32 }, train.Images.shape);
            Assert.Equal(new long[] { 3, 3, 32, 32 }, test.Images.shape);
            Assert.Equal(new long[] { 9, 8, 7 }, test.Labels.data<long>().ToArray());
            Assert.Equal(1L, train.Labels[0].item<long>()); // batch 1, record 0
            // Planes are R, G, B, each row-major: test record 2, green plane, row 1 col 5 = (2 + 3 + 37) % 256.
            Assert.Equal((byte)42, test.Images[2, 1, 1, 5].item<byte>());
        }
    }

    [Theory]
    [InlineData(true, 100)]
    [InlineData(false, 20)]
    public void Cifar100_reads_fine_or_coarse_labels(bool fine, int classes)
    {
        File.WriteAllBytes(Path.Combine(dir, "train.bin"), Records(5, 2, i => [(byte)(i % 20), (byte)(50 + i)]));
        File.WriteAllBytes(Path.Combine(dir, "test.bin"), Records(2, 2, i => [(byte)(19 - i), (byte)(99 - i)]));

        var (train, test) = Cifar.Load100(dir, fine);
        using (train) using (test)
        {
            Assert.Equal(classes, train.Classes);
            Assert.Equal(fine ? new long[] { 50, 51, 52, 53, 54 } : [0, 1, 2, 3, 4], train.Labels.data<long>().ToArray());
            Assert.Equal(fine ? new long[] { 99, 98 } : [19, 18], test.Labels.data<long>().ToArray());
            Assert.Equal((byte)((1 + 0 + 0) % 256), test.Images[1, 0, 0, 0].item<byte>());
        }
    }

    [Fact]
    public void Truncated_file_names_the_file_and_the_record_size()
    {
        for (int b = 1; b <= 5; b++) File.WriteAllBytes(Path.Combine(dir, $"data_batch_{b}.bin"), Records(2, 1, _ => [1]));
        var test = Records(2, 1, _ => [1]);
        File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), test[..^10]);
        var e = Assert.Throws<DatasetException>(() => Cifar.Load10(dir));
        Assert.Contains("test_batch.bin", e.Message);
        Assert.Contains("3073-byte", e.Message);
    }

    [Fact]
    public void Cifar100_file_read_as_cifar10_is_rejected()
    {
        // A CIFAR-100 record is 3074 bytes: 3 records are not a whole number of 3073-byte CIFAR-10 records.
        for (int b = 1; b <= 5; b++) File.WriteAllBytes(Path.Combine(dir, $"data_batch_{b}.bin"), Records(3, 2, _ => [1, 1]));
        File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), Records(1, 1, _ => [1]));
        Assert.Throws<DatasetException>(() => Cifar.Load10(dir));
    }

    [Fact]
    public void Missing_batch_and_missing_directory_are_reported()
    {
        File.WriteAllBytes(Path.Combine(dir, "data_batch_1.bin"), Records(1, 1, _ => [1]));
        Assert.Contains("data_batch_2.bin: file not found", Assert.Throws<DatasetException>(() => Cifar.Load10(dir)).Message);
        Assert.Contains("directory not found", Assert.Throws<DatasetException>(() => Cifar.Load100(Path.Combine(dir, "x"))).Message);
    }
}
