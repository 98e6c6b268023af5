using System.IO.Compression;

namespace EvoAct.Training.Data;

/// <summary>
/// The IDX format of MNIST and Fashion-MNIST: a big-endian magic (0x0801 labels, 0x0803 images),
/// the dimensions as big-endian int32, then unsigned bytes. Files may be gzipped (".gz") or raw.
/// </summary>
public static class IdxReader
{
    public static byte[] ReadLabels(string path, out int count)
    {
        var dims = Read(path, 0x0801, 1, out var data);
        count = dims[0];
        return data;
    }

    public static byte[] ReadImages(string path, out int count, out int rows, out int cols)
    {
        var dims = Read(path, 0x0803, 3, out var data);
        (count, rows, cols) = (dims[0], dims[1], dims[2]);
        return data;
    }

    static int[] Read(string path, int expectedMagic, int rank, out byte[] data)
    {
        if (!File.Exists(path)) throw new DatasetException($"{path}: file not found (expected an IDX file, gzipped or raw)");
        byte[] bytes;
        try
        {
            using var file = File.OpenRead(path);
            bool gz = file.Length >= 2 && file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
            file.Position = 0;
            using Stream s = gz ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            bytes = ms.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DatasetException($"{path}: corrupt gzip stream ({e.Message})");
        }
        int header = 4 + 4 * rank;
        if (bytes.Length < 4) throw new DatasetException($"{path}: truncated: {bytes.Length} bytes, expected an IDX header of {header}");
        int magic = BigEndian(bytes, 0);
        if (magic != expectedMagic)
            throw new DatasetException($"{path}: wrong magic 0x{magic:x8}, expected 0x{expectedMagic:x8} (IDX {(rank == 1 ? "labels" : "images")})");
        if (bytes.Length < header) throw new DatasetException($"{path}: truncated: {bytes.Length} bytes, expected an IDX header of {header}");
        var dims = Enumerable.Range(0, rank).Select(i => BigEndian(bytes, 4 + 4 * i)).ToArray();
        long expected = dims.Aggregate(1L, (a, d) => a * d);
        if (bytes.Length - header < expected)
            throw new DatasetException($"{path}: truncated: {bytes.Length - header} data bytes, expected {expected} for dimensions {string.Join("x", dims)}");
        data = bytes[header..(header + (int)expected)];
        return dims;
    }

    static int BigEndian(byte[] b, int at) => (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
}
