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
    /// that it is applied is checked here; a fresh process observes it (below). Retain's guarantee
    /// holds whatever the history.
    /// </remarks>
    [Fact]
    public void Retain_keeps_freed_memory_resident()
    {
        if (!OperatingSystem.IsLinux()) return;   // glibc's allocator
        try
        {
            Assert.True(HostMemory.Apply(HostMemory.Retain));
            Assert.InRange(ResidentAfterFree(), Size * 3 / 4, long.MaxValue);   // still ours, still resident
            Assert.InRange(ResidentAfterFree(), Size * 3 / 4, long.MaxValue);   // and again, reusing it

            Assert.True(HostMemory.Apply(HostMemory.Release));
        }
        finally { HostMemory.Apply(HostMemory.Retain); }
    }

    /// <summary>
    /// Each mode observed in a fresh process, where no earlier block can serve the allocation: the
    /// bytes that leave the resident set when a touched block of <see cref="Size"/> is freed, after
    /// applying the modes given (in order). A small program compiled here, run by the same dotnet.
    /// </summary>
    static long FreedInFreshProcess(params string[] modes)
    {
        const string program = """
            using System;
            using System.IO;
            using System.Runtime.InteropServices;
            foreach (var mode in args)
                if (!EvoAct.Training.Trainer.HostMemory.Apply(mode)) { Console.WriteLine("unsupported"); return; }
            const int size = 24 << 20;
            long Resident() => long.Parse(File.ReadAllText("/proc/self/statm").Split(' ')[1]) * Environment.SystemPageSize;
            var p = Marshal.AllocHGlobal(size);
            for (int i = 0; i < size; i += 4096) Marshal.WriteByte(p, i, 1);
            long touched = Resident();
            Marshal.FreeHGlobal(p);
            Console.WriteLine(touched - Resident());
            """;
        var dir = Directory.CreateTempSubdirectory("evoact-host-memory").FullName;
        try
        {
            var training = typeof(HostMemory).Assembly.Location;
            var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).Append(training)
                .Select(path => Microsoft.CodeAnalysis.MetadataReference.CreateFromFile(path));
            var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create("probe",
                [Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(program)], references,
                new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.ConsoleApplication));
            Microsoft.CodeAnalysis.Emit.EmitResult emitted;
            using (var image = File.Create(Path.Combine(dir, "probe.dll"))) emitted = compilation.Emit(image);
            Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
            File.Copy(training, Path.Combine(dir, Path.GetFileName(training)));
            File.WriteAllText(Path.Combine(dir, "probe.runtimeconfig.json"),
                """{"runtimeOptions":{"tfm":"net10.0","framework":{"name":"Microsoft.NETCore.App","version":"10.0.0"}}}""");
            var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
            var psi = new System.Diagnostics.ProcessStartInfo(dotnet, [Path.Combine(dir, "probe.dll"), .. modes])
                { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = System.Diagnostics.Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(120_000), "the probe did not finish");
            Assert.True(process.ExitCode == 0, stderr.Result);
            return long.Parse(stdout.Result.Trim());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Release_gives_a_freed_block_back_at_once_and_retain_keeps_it_in_a_fresh_process()
    {
        if (!OperatingSystem.IsLinux()) return;   // glibc's allocator
        Assert.InRange(FreedInFreshProcess(HostMemory.Release), Size * 3 / 4, long.MaxValue);
        Assert.InRange(FreedInFreshProcess(HostMemory.Retain), long.MinValue, Size / 4);
        // Release after retain puts glibc's thresholds back: the block leaves again.
        Assert.InRange(FreedInFreshProcess(HostMemory.Retain, HostMemory.Release), Size * 3 / 4, long.MaxValue);
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
