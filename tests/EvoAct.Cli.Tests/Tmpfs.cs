using System.Diagnostics;

namespace EvoAct.Cli.Tests;

/// <summary>
/// A small tmpfs mounted for one test (a full or read-only file system, for real). Needs root and
/// mount(8), as CI has; elsewhere the tests that use it are skipped, with the reason.
/// </summary>
public sealed class Tmpfs : IDisposable
{
    public string Path { get; }

    public Tmpfs(string options)
    {
        Path = Directory.CreateTempSubdirectory("evoact-tmpfs").FullName;
        var (rc, output) = Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", Path);
        if (rc != 0) throw new InvalidOperationException($"mount -t tmpfs -o {options} failed: {output}");
    }

    /// <summary>Fills the file system to the last byte (dd until ENOSPC).</summary>
    public void Fill() => Run("dd", "if=/dev/zero", $"of={FillPath}", "bs=4k");

    /// <summary>Gives back what <see cref="Fill"/> took.</summary>
    public void Free() => File.Delete(FillPath);

    string FillPath => System.IO.Path.Combine(Path, "fill");

    public void Dispose()
    {
        Run("umount", Path);
        Directory.Delete(Path);
    }

    static (int, string) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }

    /// <summary>Whether this process may mount a tmpfs: probed once, by mounting one.</summary>
    public static readonly Lazy<string?> Unavailable = new(() =>
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root") return "needs root on Linux to mount a tmpfs";
        try
        {
            using var probe = new Tmpfs("size=64k");
            return null;
        }
        catch (Exception e)
        {
            return $"cannot mount a tmpfs here: {e.Message}";
        }
    });
}

/// <summary>A fact that needs <see cref="Tmpfs"/>: skipped, saying why, where it cannot mount one.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (Tmpfs.Unavailable.Value is { } why) Skip = why;
    }
}
