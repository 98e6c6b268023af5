using System.Diagnostics;
using EvoAct.Search;
using EvoAct.Training.Activations;
using EvoAct.Training.Data;
using EvoAct.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace EvoAct.Training.Trainer;

/// <summary>
/// Trains a child network with a candidate activation and returns its validation accuracy, the
/// search's fitness. Made to run hundreds of evaluations in one process: the data is loaded once,
/// every step runs in its own dispose scope, and the model and optimizer are disposed at the end.
/// A non-finite loss ends the run as "diverged"; it never throws.
/// </summary>
public static class ChildTrainer
{
    static int configuredThreads = -1;

    /// <param name="logName">TensorBoard run name under <see cref="TrainerSettings.TensorBoardDir"/> (default: time and activation).</param>
    public static EvaluationResult Evaluate(Activation activation, TrainerSettings s, bool test = false,
                                            IProgress<TrainingProgress>? progress = null, CancellationToken cancel = default, string? logName = null)
    {
        using var training = new ChildTraining(activation, s, test, progress, logName);
        training.RunTo(training.TotalSteps, cancel);
        return training.Final!;
    }

    /// <summary>Accuracy and mean loss over a set, in eval mode (BatchNorm running statistics), without gradients.</summary>
    internal static (double Accuracy, double Loss) Measure(nn.Module<Tensor, Tensor> model, Batches batches, ImageSet set, int batchSize)
    {
        using var noGrad = no_grad();
        long correct = 0;
        double lossSum = 0;
        foreach (var (x, y) in batches.Evaluation(set, batchSize))
        {
            using var scope = NewDisposeScope();
            using var batchX = x;
            using var batchY = y;
            var logits = model.call(x);
            lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
            correct += logits.argmax(1).eq(y).sum().item<long>();
        }
        return ((double)correct / set.Count, lossSum / set.Count);
    }

    internal static void ConfigureThreads(int threads)
    {
        int wanted = threads > 0 ? threads : Environment.ProcessorCount;
        if (Interlocked.Exchange(ref configuredThreads, wanted) == wanted) return;
        set_num_threads(wanted);
    }
}
