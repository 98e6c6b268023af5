using static TorchSharp.torch;

namespace EvoAct.Training.Tests;

/// <summary>
/// Tests whose meaning depends on libtorch's intra-op thread count, which is process-wide: a
/// training elsewhere in this assembly sets it to 1 (evoact.training.threads), and in parallel with
/// it "split over threads" would compare one thread with one thread. They run alone, after the
/// parallel tests, each with the count it needs set and the previous one put back.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchThreadsCollection
{
    public const string Name = "torch threads (process-wide)";
}

/// <summary>Sets libtorch's thread count for the test's duration, and checks it took.</summary>
public sealed class TorchThreads : IDisposable
{
    readonly int previous = get_num_threads();

    TorchThreads(int threads)
    {
        set_num_threads(threads);
        Assert.Equal(threads, get_num_threads());
    }

    /// <summary>At least two threads, even on a one-core machine: the point is the split, not the speed.</summary>
    public static TorchThreads Several() => new(Math.Max(2, Environment.ProcessorCount));

    public void Dispose() => set_num_threads(previous);
}
