using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EvoAct.Training.Trainer;

/// <summary>
/// TensorBoard scalars of one evaluation (TorchSharp's SummaryWriter): the learning rate, the
/// training loss and accuracy averaged over each epoch, and the final validation (and test) figures.
/// </summary>
sealed class TrainingLog
{
    readonly SummaryWriter writer;
    double lossSum;
    long correct, seen;
    int batches, epoch;

    TrainingLog(SummaryWriter writer) => this.writer = writer;

    public static TrainingLog? Open(string? dir, string name)
    {
        if (string.IsNullOrEmpty(dir)) return null;
        var safe = string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or '/' ? c : '_'));
        return new TrainingLog(utils.tensorboard.SummaryWriter(Path.Combine(dir, safe)));
    }

    public void Batch(double loss, long correctInBatch, long size)
    {
        lossSum += loss;
        batches++;
        correct += correctInBatch;
        seen += size;
    }

    public void Step(int step, double lr, long trainCount, int batchSize)
    {
        if (step % 10 == 0) writer.add_scalar("train/learning_rate", (float)lr, step);
        int epochNow = (int)((long)step * batchSize / Math.Max(1, trainCount));
        if (epochNow > epoch) Flush(step, epochNow);
    }

    public void Final(int step, double validationAccuracy, double validationLoss, double? testAccuracy)
    {
        if (batches > 0) Flush(step, epoch + 1);
        writer.add_scalar("validation/accuracy", (float)validationAccuracy, step);
        writer.add_scalar("validation/loss", (float)validationLoss, step);
        if (testAccuracy is { } t) writer.add_scalar("test/accuracy", (float)t, step);
    }

    void Flush(int step, int newEpoch)
    {
        writer.add_scalar("train/loss_per_epoch", (float)(lossSum / Math.Max(1, batches)), newEpoch);
        writer.add_scalar("train/accuracy_per_epoch", (float)correct / Math.Max(1, seen), newEpoch);
        (lossSum, correct, seen, batches, epoch) = (0, 0, 0, 0, newEpoch);
    }
}
