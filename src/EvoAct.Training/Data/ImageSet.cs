using static TorchSharp.torch;

namespace EvoAct.Training.Data;

/// <summary>
/// Images kept as uint8 [N, C, H, W] (4x smaller than float; converted per batch) with int64 labels.
/// </summary>
public sealed class ImageSet : IDisposable
{
    public Tensor Images { get; }
    public Tensor Labels { get; }
    public int Classes { get; }

    public ImageSet(Tensor images, Tensor labels, int classes)
    {
        if (images.dim() != 4) throw new ArgumentException("images must be [N, C, H, W]");
        if (images.shape[0] != labels.shape[0]) throw new ArgumentException("images and labels differ in count");
        Images = images;
        Labels = labels;
        Classes = classes;
    }

    public static ImageSet FromBytes(byte[] pixels, long[] labels, int channels, int height, int width, int classes) =>
        new(tensor(pixels, new long[] { labels.Length, channels, height, width }, ScalarType.Byte), tensor(labels), classes);

    public long Count => Images.shape[0];
    public int Channels => (int)Images.shape[1];
    public int Height => (int)Images.shape[2];
    public int Width => (int)Images.shape[3];

    public ImageSet Select(long[] indices)
    {
        using var idx = tensor(indices);
        return new ImageSet(Images.index_select(0, idx), Labels.index_select(0, idx), Classes);
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
