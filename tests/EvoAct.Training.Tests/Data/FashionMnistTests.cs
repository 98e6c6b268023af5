using EvoAct.Training.Data;

namespace EvoAct.Training.Tests.Data;

/// <summary>Against the real files of Debian's dataset-fashion-mnist (scripts/test.sh installs it).</summary>
public class FashionMnistTests
{
    [Fact]
    public void Reads_the_debian_files()
    {
        Assert.True(Directory.Exists(FashionMnist.DefaultPath), $"{FashionMnist.DefaultPath} missing: apt-get install dataset-fashion-mnist");
        var (train, test) = FashionMnist.Load(FashionMnist.DefaultPath);
        using (train) using (test)
        {
            Assert.Equal(new long[] { 60000, 1, 28, 28 }, train.Images.shape);
            Assert.Equal(new long[] { 10000, 1, 28, 28 }, test.Images.shape);
            Assert.Equal(10, train.Classes);
            // The dataset is balanced: 6,000 training and 1,000 test images per class.
            var trainCounts = train.Labels.bincount(null).data<long>().ToArray();
            var testCounts = test.Labels.bincount(null).data<long>().ToArray();
            Assert.All(trainCounts, c => Assert.Equal(6000, c));
            Assert.All(testCounts, c => Assert.Equal(1000, c));
            // Images are dark backgrounds with bright objects: not all zero, full byte range used.
            Assert.Equal(0, train.Images.min().item<byte>());
            Assert.Equal(255, train.Images.max().item<byte>());
        }
    }
}
