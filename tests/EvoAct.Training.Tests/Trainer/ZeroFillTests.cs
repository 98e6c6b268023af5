using System.Runtime.InteropServices;
using EvoAct.Training.Trainer;
using static TorchSharp.torch;

namespace EvoAct.Training.Tests.Trainer;

/// <summary>
/// evoact.training.zero-fill: the probe that finds computations reading memory they never wrote, and
/// the remedy, each on a computation that does so on every machine (torch.empty's contents), since the
/// oneDNN defect itself shows only on some.
/// </summary>
[Collection(HostMemoryCollection.Name)]
public sealed class ZeroFillTests
{
    /// <summary>
    /// glibc's own filling off while it lives: scripts/test.sh runs the suite with MALLOC_PERTURB_=255
    /// on machines with the defect, and glibc then zero-fills every allocation, poison or not.
    /// </summary>
    sealed class NoMallocPerturb : IDisposable
    {
        const int M_PERTURB = -6;
        [DllImport("libc.so.6")] static extern int mallopt(int param, int value);
        public NoMallocPerturb() => mallopt(M_PERTURB, 0);
        public void Dispose() => mallopt(M_PERTURB, int.TryParse(Environment.GetEnvironmentVariable("MALLOC_PERTURB_"), out var p) ? p : 0);
    }

    /// <summary>Reads an allocation it never wrote, as a padded convolution does on the affected machines.</summary>
    static Tensor[] ReadsGarbage() => [empty(4096).add(1)];

    static Tensor[] WritesEverything() => [ones(4096).add(1)];

    [Fact]
    public void The_probe_finds_a_computation_that_reads_what_it_never_wrote()
    {
        Assert.True(ZeroFill.Supported, "c10's zero-fill flag was not found in the loaded libc10");
        using var _ = new NoMallocPerturb();
        Assert.True(ZeroFill.ReadsUninitialisedMemory(ReadsGarbage));
    }

    [Fact]
    public void The_probe_clears_a_computation_that_writes_all_it_reads()
    {
        Assert.False(ZeroFill.ReadsUninitialisedMemory(WritesEverything));
    }

    [Fact]
    public void The_probe_leaves_filling_as_it_found_it()
    {
        bool was = ZeroFill.Enabled;
        try
        {
            foreach (bool state in new[] { true, false })
            {
                ZeroFill.Enabled = state;
                ZeroFill.ReadsUninitialisedMemory(ReadsGarbage);
                Assert.Equal(state, ZeroFill.Enabled);
            }
        }
        finally
        {
            ZeroFill.Enabled = was;
        }
    }

    [Fact]
    public void Zero_filled_allocations_hold_zeros_where_poisoned_memory_is_reused()
    {
        bool was = ZeroFill.Enabled;
        using var _ = new NoMallocPerturb();
        try
        {
            ZeroFill.Enabled = false;
            ZeroFill.Poison();
            using (var garbage = empty(4096))
                Assert.False(garbage.eq(0).all().item<bool>(), "the poisoned memory did not come back: this test would prove nothing");
            ZeroFill.Enabled = true;
            ZeroFill.Poison();
            using var filled = empty(4096);
            Assert.True(filled.eq(0).all().item<bool>());
        }
        finally
        {
            ZeroFill.Enabled = was;
        }
    }

    /// <summary>
    /// The machine probe compares two runs of one training step bit for bit, so that step must repeat
    /// exactly on memory filled alike; else every machine would look defective.
    /// </summary>
    [Fact]
    public void The_narrow_training_step_repeats_bit_for_bit_on_zero_filled_memory()
    {
        bool was = ZeroFill.Enabled;
        try
        {
            ZeroFill.Enabled = true;
            var a = ZeroFill.NarrowTrainingStep();
            var b = ZeroFill.NarrowTrainingStep();
            Assert.True(a.Length > 10);   // the loss and every parameter's gradient
            Assert.All(a.Zip(b), p => Assert.True(ZeroFill.Same(p.First, p.Second)));
            Assert.All(a, t => Assert.True(t.isfinite().all().item<bool>()));
            foreach (var t in a.Concat(b)) t.Dispose();
        }
        finally
        {
            ZeroFill.Enabled = was;
        }
    }

    [Fact]
    public void Explicit_modes_set_the_flag_and_an_unknown_one_is_refused_by_name()
    {
        bool was = ZeroFill.Enabled;
        try
        {
            ZeroFill.Apply(ZeroFill.On);
            Assert.True(ZeroFill.Enabled);
            ZeroFill.Apply(ZeroFill.Off);
            Assert.False(ZeroFill.Enabled);
            var e = Assert.Throws<ArgumentException>(() => ZeroFill.Apply("yes"));
            Assert.Contains("'yes'", e.Message);
        }
        finally
        {
            ZeroFill.Enabled = was;
        }
    }
}
