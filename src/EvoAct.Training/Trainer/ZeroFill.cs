using System.Runtime.InteropServices;
using EvoAct.Training.Models;
using static TorchSharp.torch;

namespace EvoAct.Training.Trainer;

/// <summary>
/// Whether libtorch zero-fills the CPU memory it allocates (evoact.training.zero-fill: auto, on, off).
///
/// Why: on some machines LibTorch 2.10's oneDNN convolutions read the channel padding of their blocked
/// buffers (a layer whose channels are not a multiple of oneDNN's block, 16 with AVX-512 and 8 with
/// AVX2, is padded up to it) without having written it. Where that padding holds what an earlier
/// tensor left there, a fixed-seed training of a narrow network diverges at random (seen on a 2-core
/// AMD EPYC VM: the smoke preset, width 4, in 3-7 of 10 identical runs) or differs in its last bits.
/// Zero-filled allocations hold the zeros oneDNN assumes, at a price (24-38% of a cpu-proxy step on
/// an Intel Xeon), so <see cref="Auto"/> pays it only where a probe finds the defect: once per
/// process, before the first training, it poisons freed memory with NaN and trains a narrow network
/// one step, and compares that bit for bit with the same step on zero-filled memory.
/// The switch is c10's own flag (FLAGS_caffe2_cpu_allocator_do_zero_fill), which every CPU tensor
/// and every buffer of oneDNN's (ideep allocates through c10) goes through.
/// </summary>
public static unsafe class ZeroFill
{
    public const string Auto = "auto";
    public const string On = "on";
    public const string Off = "off";

    public static bool IsValid(string mode) => mode is Auto or On or Off;

    static readonly byte* flag = FindFlag();
    static readonly Lazy<bool> machineNeedsIt = new(() => ReadsUninitialisedMemory(NarrowTrainingStep));

    /// <summary>False where c10's flag could not be found (not Linux, or another libtorch build): nothing is filled then.</summary>
    public static bool Supported => flag != null;

    /// <summary>c10's flag: every CPU allocation from now on is zero-filled.</summary>
    public static bool Enabled
    {
        get => flag != null && *flag != 0;
        set { if (flag != null) *flag = value ? (byte)1 : (byte)0; }
    }

    /// <summary>
    /// Applies a mode to the whole process. <see cref="Auto"/> probes the machine the first time (a
    /// fraction of a second) and switches filling on where the probe finds the defect, saying so once
    /// on stderr; an explicit on or off is the user's and is not probed.
    /// </summary>
    public static void Apply(string mode)
    {
        if (!IsValid(mode)) throw new ArgumentException($"zero-fill: expected {Auto}, {On} or {Off}, got '{mode}'");
        if (!Supported) return;
        if (mode != Auto) { Enabled = mode == On; return; }
        bool announce = !machineNeedsIt.IsValueCreated;
        if (!machineNeedsIt.Value) return;
        Enabled = true;
        if (announce)
            Console.Error.WriteLine("evoact: this machine's convolutions read memory they never wrote (oneDNN's channel padding; see README " +
                                    "\"Reliability\"): training with zero-filled allocations, which is slower (evoact.training.zero-fill = auto; off to refuse)");
    }

    /// <summary>
    /// True when <paramref name="compute"/> gives a different result on memory poisoned with NaN than
    /// on zero-filled memory: it reads memory it never wrote. Deterministic computations only (the
    /// comparison is bit for bit). Leaves filling as it found it.
    /// </summary>
    internal static bool ReadsUninitialisedMemory(Func<Tensor[]> compute)
    {
        bool was = Enabled;
        try
        {
            Enabled = true;
            var reference = compute();
            Enabled = false;
            Poison();
            var poisoned = compute();
            try
            {
                // NaN equals nothing: a reference with NaN in it would count as a finding, but
                // zero-filled memory gives finite values wherever the computation's inputs are finite.
                return reference.Length != poisoned.Length || !reference.Zip(poisoned).All(p => Same(p.First, p.Second));
            }
            finally
            {
                foreach (var t in reference.Concat(poisoned)) t.Dispose();
            }
        }
        finally
        {
            Enabled = was;
        }
    }

    /// <summary>Equal in shape and element for element (NaN equals nothing).</summary>
    internal static bool Same(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var eq = a.eq(b);
        using var all = eq.all();
        return all.item<bool>();
    }

    /// <summary>
    /// Fills blocks of the sizes a small network's tensors have with NaN and frees them, between
    /// small blocks that stay allocated meanwhile so that the freed ones cannot merge into the top of
    /// the heap and go back to the kernel: the allocations that follow get NaN-filled memory.
    /// </summary>
    internal static void Poison()
    {
        var keep = new List<Tensor>();
        var poison = new List<Tensor>();
        for (int i = 0; i < 64; i++)
        {
            poison.Add(full(new long[] { 2048 + 512 * (i % 24) }, float.NaN));   // 8-56 KB: below glibc's mmap threshold in every mode
            keep.Add(empty(16));
        }
        foreach (var t in poison) t.Dispose();
        foreach (var t in keep) t.Dispose();
    }

    /// <summary>
    /// One training step's loss and gradients of the smoke preset's network (the proxy at width 4,
    /// stride-1 stem: convs of 4, 8 and 16 channels) on 8 images of 8x8: oneDNN pads its narrow convs,
    /// and every buffer, padded, stays small enough to come from the poisoned blocks.
    /// </summary>
    internal static Tensor[] NarrowTrainingStep()
    {
        using var model = ModelCatalog.Find("proxy-resnet", 1, 4, 1)!.Build(1, 10, _ => nn.ReLU(), 1);
        model.train();
        using var scope = NewDisposeScope();
        var x = randn(8, 1, 8, 8, generator: new Generator(2));
        var y = tensor(new long[] { 0, 1, 2, 3, 4, 5, 6, 7 });
        var loss = nn.functional.cross_entropy(model.call(x), y);
        loss.backward();
        var result = new[] { loss.detach().clone() }.Concat(model.parameters().Select(p => p.grad!.detach().clone())).ToArray();
        foreach (var t in result) t.MoveToOuterDisposeScope();
        return result;
    }

    static byte* FindFlag()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            _ = get_num_threads();   // libtorch, and with it libc10, is loaded
            var path = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                           .Where(f => f.Length >= 6 && Path.GetFileName(f[5]) == "libc10.so").Select(f => f[5]).FirstOrDefault();
            if (path is null || !NativeLibrary.TryLoad(path, out var lib)) return null;
            return NativeLibrary.TryGetExport(lib, "FLAGS_caffe2_cpu_allocator_do_zero_fill", out var p) ? (byte*)p : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
