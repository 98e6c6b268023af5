using System.Runtime.InteropServices;
using EvoAct.Training.Trainer;

namespace EvoAct.Training.Tests.Trainer;

/// <summary>
/// evoact.training.host-memory, observed the way it matters: whether memory freed by one step is
/// still resident (and so not page-faulted in again) for the next.
/// </summary>
[Collection(HostMemoryCollection.Name)]
public sealed class HostMemoryTests
{
    const int Size = 24 << 20;   // a large activation: above glibc's default mmap threshold, below retain's

    static long ResidentBytes() =>
        long.Parse(File.ReadAllText("/proc/self/statm").Split(' ')[1]) * Environment.SystemPageSize;

    /// <summary>How much of a freed, fully touched block of <see cref="Size"/> bytes stays resident.</summary>
    static long ResidentAfterFree()
    {
        var p = Marshal.AllocHGlobal(Size);   // malloc
        for (int i = 0; i < Size; i += 4096) Marshal.WriteByte(p, i, 1);
        long touched = ResidentBytes();
        Marshal.FreeHGlobal(p);
        long after = ResidentBytes();
        return Size - (touched - after);
    }

    /// <remarks>
    /// Release is glibc's own behaviour, and whether one block freed under it leaves at once depends
    /// on the heap's history in this long-lived test process (glibc serves it from a free chunk kept
    /// earlier when it has one, and a free chunk away from the heap's top is not trimmed), so only
    /// that it is applied is checked. Retain's guarantee holds whatever the history.
    /// </remarks>
    [Fact]
    public void Retain_keeps_freed_memory_resident()
    {
        if (!OperatingSystem.IsLinux()) return;   // glibc's allocator
        try
        {
            Assert.True(HostMemory.Apply(HostMemory.Retain));
            Assert.Equal(HostMemory.Retain, HostMemory.Applied);
            Assert.InRange(ResidentAfterFree(), Size * 3 / 4, long.MaxValue);   // still ours, still resident
            Assert.InRange(ResidentAfterFree(), Size * 3 / 4, long.MaxValue);   // and again, reusing it

            Assert.True(HostMemory.Apply(HostMemory.Release));
            Assert.Equal(HostMemory.Release, HostMemory.Applied);
        }
        finally { HostMemory.Apply(HostMemory.Retain); }
    }

    [Fact]
    public void An_unknown_mode_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => HostMemory.Apply("keep"));
        Assert.Contains("'keep'", e.Message);
    }
}

/// <summary>The allocator mode is process-wide: these tests must not interleave with each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostMemoryCollection
{
    public const string Name = "host memory (process-wide)";
}
