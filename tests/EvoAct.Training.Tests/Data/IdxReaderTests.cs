using System.IO.Compression;
using EvoAct.Training.Data;

namespace EvoAct.Training.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("evoact-idx").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static byte[] Idx(int magic, int[] dims, byte[] data)
    {
        var ms = new MemoryStream();
        void Int(int v) { ms.WriteByte((byte)(v >> 24)); ms.WriteByte((byte)(v >> 16)); ms.WriteByte((byte)(v >> 8)); ms.WriteByte((byte)v); }
        Int(magic);
        foreach (var d in dims) Int(d);
        ms.Write(data);
        return ms.ToArray();
    }

    static byte[] Gzip(byte[] raw)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(raw);
        return ms.ToArray();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_images_and_labels_raw_or_gzipped(bool gz)
    {
        var pixels = Enumerable.Range(0, 3 * 2 * 4).Select(i => (byte)(i * 7)).ToArray();
        var images = Idx(0x0803, [3, 2, 4], pixels);
        var labels = Idx(0x0801, [3], [9, 0, 4]);
        var ip = Path.Combine(dir, "img"); var lp = Path.Combine(dir, "lbl");
        File.WriteAllBytes(ip, gz ? Gzip(images) : images);
        File.WriteAllBytes(lp, gz ? Gzip(labels) : labels);

        var readPixels = IdxReader.ReadImages(ip, out int n, out int rows, out int cols);
        var readLabels = IdxReader.ReadLabels(lp, out int m);

        Assert.Equal((3, 2, 4, 3), (n, rows, cols, m));
        Assert.Equal(pixels, readPixels);
        Assert.Equal(new byte[] { 9, 0, 4 }, readLabels);
    }

    [Fact]
    public void Wrong_magic_names_the_file_and_the_expected_magic()
    {
        var path = Path.Combine(dir, "labels-as-images");
        File.WriteAllBytes(path, Idx(0x0801, [3], [1, 2, 3]));
        var e = Assert.Throws<DatasetException>(() => IdxReader.ReadImages(path, out _, out _, out _));
        Assert.Contains(path, e.Message);
        Assert.Contains("wrong magic 0x00000801, expected 0x00000803", e.Message);
    }

    [Fact]
    public void Truncated_data_is_reported_with_sizes()
    {
        var path = Path.Combine(dir, "short.gz");
        File.WriteAllBytes(path, Gzip(Idx(0x0803, [10, 28, 28], new byte[100])));
        var e = Assert.Throws<DatasetException>(() => IdxReader.ReadImages(path, out _, out _, out _));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("7840", e.Message);
    }

    [Fact]
    public void Truncated_header_and_missing_file_are_reported()
    {
        var path = Path.Combine(dir, "tiny");
        File.WriteAllBytes(path, [0, 0, 8]);
        Assert.Contains("truncated", Assert.Throws<DatasetException>(() => IdxReader.ReadLabels(path, out _)).Message);
        var missing = Path.Combine(dir, "nope");
        Assert.Contains("file not found", Assert.Throws<DatasetException>(() => IdxReader.ReadLabels(missing, out _)).Message);
    }

    [Fact]
    public void Missing_fashion_mnist_directory_is_one_clear_error()
    {
        var e = Assert.Throws<DatasetException>(() => FashionMnist.Load(Path.Combine(dir, "absent")));
        Assert.Contains("directory not found", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }
}
