using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace EvoAct.Training.Activations;

/// <summary>
/// Runs C# loops on libtorch's own OpenMP thread team (libgomp's GOMP_parallel, the call that
/// `#pragma omp parallel` compiles to), as at::parallel_for does. Why not Parallel.For: after every
/// parallel region libgomp's workers keep spinning for a while, so a .NET pool thread started right
/// after a libtorch op (every activation sits between a batch norm and a conv) finds its core busy
/// with a spinning worker and the kernel gets no faster with two threads. On the same team the
/// spinning worker picks the work up at once. libgomp is found among the libraries libtorch loaded;
/// without it (another OpenMP runtime, another OS) the work falls back to Parallel.For.
/// </summary>
internal static unsafe class OpenMp
{
    static readonly delegate* unmanaged<delegate* unmanaged<void*, void>, void*, uint, uint, void> parallel;
    static readonly delegate* unmanaged<int> threadNum, numThreads;

    static OpenMp()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            _ = get_num_threads();   // libtorch, and with it libgomp, is loaded
            var path = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                           .Where(f => f.Length >= 6 && Path.GetFileName(f[5]).StartsWith("libgomp", StringComparison.Ordinal))
                           .Select(f => f[5]).FirstOrDefault();
            if (path is null || !NativeLibrary.TryLoad(path, out var lib)) return;
            if (NativeLibrary.TryGetExport(lib, "GOMP_parallel", out var p) &&
                NativeLibrary.TryGetExport(lib, "omp_get_thread_num", out var t) &&
                NativeLibrary.TryGetExport(lib, "omp_get_num_threads", out var n))
            {
                parallel = (delegate* unmanaged<delegate* unmanaged<void*, void>, void*, uint, uint, void>)p;
                threadNum = (delegate* unmanaged<int>)t;
                numThreads = (delegate* unmanaged<int>)n;
            }
        }
        catch (IOException) { }
    }

    public static bool Available => parallel != null;

    sealed class Job(long units, Action<long> body)
    {
        public readonly long Units = units;
        public readonly Action<long> Body = body;
        public Exception? Error;
        public int TeamSize;
    }

    /// <summary>
    /// body(u) for u in [0, units), contiguous ranges per thread (the same split as libtorch's).
    /// Returns the number of threads that ran (the team OpenMP actually gave, which may be fewer than asked).
    /// </summary>
    public static int For(long units, int threads, Action<long> body)
    {
        if (!Available)
        {
            long chunk = (units + threads - 1) / threads;
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                for (long u = t * chunk, end = Math.Min(units, (t + 1) * chunk); u < end; u++) body(u);
            });
            return threads;
        }
        var job = new Job(units, body);
        var handle = GCHandle.Alloc(job);
        try { parallel(&Worker, (void*)GCHandle.ToIntPtr(handle), (uint)threads, 0); }
        finally { handle.Free(); }
        if (job.Error is not null) throw new AggregateException(job.Error);
        return job.TeamSize;
    }

    [UnmanagedCallersOnly]
    static void Worker(void* data)
    {
        var job = (Job)GCHandle.FromIntPtr((IntPtr)data).Target!;
        try
        {
            int t = threadNum(), n = numThreads();
            if (t == 0) job.TeamSize = n;
            long chunk = (job.Units + n - 1) / n;
            for (long u = t * chunk, end = Math.Min(job.Units, (t + 1) * chunk); u < end; u++) job.Body(u);
        }
        catch (Exception e) { job.Error = e; }   // never unwind into libgomp
    }
}
