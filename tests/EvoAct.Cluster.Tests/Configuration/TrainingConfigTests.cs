using EvoAct.Cluster.Configuration;
using EvoAct.Training.Trainer;

namespace EvoAct.Cluster.Tests.Configuration;

public class TrainingConfigTests
{
    static TrainerSettings Read(string? preset = null, params string[] sets) =>
        TrainingConfig.Read(new ConfigReader(EvoActConfig.Load(preset, null, sets)));

    [Fact]
    public void The_cpu_proxy_preset_spells_out_the_defaults()
    {
        Assert.Equal(Read(), Read("cpu-proxy"));
        Assert.Equal("fashion-mnist", Read().Data.Name);
        Assert.Equal(("proxy-resnet", 16, 2, 600), (Read().Model, Read().ProxyWidth, Read().ProxyStemStride, Read().Steps));
    }

    [Fact]
    public void Paper_preset_is_resnet20_on_cifar10_for_10k_steps_at_batch_128()
    {
        var s = Read("paper-resnet20-cifar10");
        Assert.Equal(("resnet20", 10000, 128, "cifar10"), (s.Model, s.Steps, s.BatchSize, s.Data.Name));
        Assert.Equal((4, true), (s.Data.CropPadding, s.Data.HorizontalFlip));
    }

    [Fact]
    public void Smoke_preset_is_synthetic_and_tiny()
    {
        var s = Read("smoke");
        Assert.Equal("synthetic", s.Data.Name);
        Assert.True(s.Steps <= 50 && s.ProxyWidth <= 8);
    }

    [Theory]
    [InlineData("training.model=resnet21", "evoact.training.model")]
    [InlineData("training.steps=-1", "evoact.training.steps")]
    [InlineData("training.schedule.kind=linear", "evoact.training.schedule.kind")]
    [InlineData("training.schedule.milestones=[0.5, 1.5]", "evoact.training.schedule.milestones")]
    [InlineData("training.optimizer.momentum=2", "evoact.training.optimizer.momentum")]
    [InlineData("training.optimizer.nesterov=maybe", "evoact.training.optimizer.nesterov")]
    [InlineData("training.device=cuda:x", "evoact.training.device")]
    [InlineData("training.data.cifar100-labels=medium", "evoact.training.data.cifar100-labels")]
    [InlineData("training.host-memory=keep", "evoact.training.host-memory")]
    [InlineData("training.activation-kernels=fused", "evoact.training.activation-kernels")]
    [InlineData("training.zero-fill=yes", "evoact.training.zero-fill")]
    public void Bad_values_name_their_key(string set, string key)
    {
        var e = Assert.Throws<ConfigException>(() => Read(null, set));
        Assert.Equal(key, e.Key);
    }

    [Fact]
    public void Activation_kernels_are_compiled_by_default_and_part_of_the_fitness_settings()
    {
        Assert.Equal(EvoAct.Training.Activations.ActivationKernels.Compiled, Read().ActivationKernels);
        var composed = Read(null, "training.activation-kernels=composed");
        Assert.Equal(EvoAct.Training.Activations.ActivationKernels.Composed, composed.ActivationKernels);
        Assert.NotEqual(Read(), composed);   // the two differ in the last bits: not comparable
    }

    [Fact]
    public void Host_memory_is_retained_by_default_and_does_not_change_the_fitness_settings()
    {
        Assert.Equal(HostMemory.Retain, Read().HostMemory);
        var release = Read(null, "training.host-memory=release");
        Assert.Equal(HostMemory.Release, release.HostMemory);
        Assert.Equal(Read(), release);   // speed only: results recorded under either compare equal
    }

    [Fact]
    public void Zero_fill_is_auto_by_default_and_does_not_change_the_fitness_settings()
    {
        Assert.Equal(ZeroFill.Auto, Read().ZeroFill);
        var on = Read(null, "training.zero-fill=on");
        Assert.Equal(ZeroFill.On, on.ZeroFill);
        Assert.Equal(ZeroFill.Off, Read(null, "training.zero-fill=off").ZeroFill);
        Assert.Equal(Read(), on);   // filling changes no result where the defect is absent, and fixes them where present
    }

    [Fact]
    public void Steps_zero_needs_epochs()
    {
        Assert.Equal("evoact.training.steps", Assert.Throws<ConfigException>(() => Read(null, "training.steps=0")).Key);
        Assert.Equal(2.5, Read(null, "training.steps=0", "training.epochs=2.5").Epochs);
    }

    [Fact]
    public void Tensorboard_is_off_by_default_and_takes_its_directory_when_on()
    {
        Assert.Null(Read().TensorBoardDir);
        Assert.Equal("/tmp/tb", Read(null, "training.tensorboard.enabled=true", "training.tensorboard.dir=/tmp/tb").TensorBoardDir);
        // Logging does not make a different child-training setup: a run may switch it on when resuming.
        Assert.Equal(Read(), Read(null, "training.tensorboard.enabled=true"));
    }

    [Fact]
    public void Cuda_devices_are_accepted_in_config()
    {
        Assert.Equal("cuda:1", Read(null, "training.device=\"cuda:1\"").Device);
        Assert.Equal("cuda:1", Read(null, "training.device=cuda:1").Device); // unquoted on the command line
    }
}
