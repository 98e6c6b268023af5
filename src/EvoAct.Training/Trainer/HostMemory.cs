using System.Runtime.InteropServices;

namespace EvoAct.Training.Trainer;

/// <summary>
/// How the C library's allocator treats the memory of freed CPU tensors (evoact.training.host-memory).
///
/// Why: every training step allocates its activations and gradients afresh (ResNet-20 at batch 128:
/// about 70 MiB) and frees them at the end. With glibc's defaults the freed top of the heap is
/// given back to the kernel (trim) and the large tensors are mmap'ed and munmap'ed one by one, so
/// the next step page-faults all of it in again: about 18,000 faults, 10% of a step's CPU time in
/// the kernel (perf). <see cref="Retain"/> keeps freed memory in the process for the next step, as
/// PyTorch's CUDA caching allocator does on the GPU: no trimming, and tensors up to 32 MiB (glibc's
/// ceiling for this setting) come from the heap. RSS then stays at the peak of one step instead of
/// going up and down with it.
/// </summary>
public static class HostMemory
{
    /// <summary>Keep freed memory for reuse (the default).</summary>
    public const string Retain = "retain";
    /// <summary>The C library's defaults.</summary>
    public const string Release = "release";

    const int M_TRIM_THRESHOLD = -1, M_TOP_PAD = -2, M_MMAP_THRESHOLD = -3;
    const int TopPad = 64 << 20;             // glibc's per-thread heaps are 64 MiB at most
    const int MmapThresholdMax = 32 << 20;   // DEFAULT_MMAP_THRESHOLD_MAX on 64-bit glibc: larger values are refused
    const int GlibcDefault = 128 << 10;      // glibc's default for all three

    static string? applied;

    public static bool IsValid(string mode) => mode is Retain or Release;

    /// <summary>
    /// The mode in effect: the one last applied, or null before any (the C library's defaults).
    /// </summary>
    public static string? Applied => Volatile.Read(ref applied);

    /// <summary>
    /// Applies a mode to the whole process (the allocator is process-wide). Returns false where it
    /// cannot be applied (not glibc): the defaults stay. <see cref="Release"/> after <see cref="Retain"/>
    /// restores glibc's default thresholds (what retain already kept is given back as glibc trims).
    /// </summary>
    public static bool Apply(string mode)
    {
        if (!IsValid(mode)) throw new ArgumentException($"host memory: expected {Retain} or {Release}, got '{mode}'");
        if (Applied == mode || (mode == Release && Applied is null)) return true;   // nothing to change
        if (!OperatingSystem.IsLinux()) return false;
        // The top pad: a trainer on a thread other than the main one allocates from a per-thread
        // arena of 64 MiB heaps, and glibc deletes such a heap once all of it is free, whatever the
        // trim threshold, unless the top pad is as large as a heap. Measured on ResNet-20 steps off
        // the main thread: up to 12,000 faults per step without the pad, 0-4,100 with it (22,500
        // with glibc's defaults). Release sets glibc's default values, which turns off the dynamic
        // thresholds the untouched defaults have; that only matters for patterns like Retain's.
        var (trim, mmap, pad) = mode == Retain ? (int.MaxValue, MmapThresholdMax, TopPad) : (GlibcDefault, GlibcDefault, GlibcDefault);
        bool ok;
        try
        {
            ok = mallopt(M_TRIM_THRESHOLD, trim) == 1 && mallopt(M_MMAP_THRESHOLD, mmap) == 1 && mallopt(M_TOP_PAD, pad) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;   // not glibc (musl has no such tuning)
        }
        if (ok) Volatile.Write(ref applied, mode);
        return ok;
    }

    [DllImport("libc.so.6", EntryPoint = "mallopt")]
    static extern int mallopt(int param, int value);
}
