using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.Tests.Actors;

namespace EvoAct.Cluster.Tests.Configuration;

public sealed class DeviceListTests
{
    [Theory]
    [InlineData("cpu", new[] { "cpu" })]
    [InlineData("cpu:3", new[] { "cpu", "cpu", "cpu" })]
    [InlineData("cuda:0,cuda:1", new[] { "cuda:0", "cuda:1" })]
    [InlineData("cuda, cpu:2", new[] { "cuda", "cpu", "cpu" })]
    public void One_trainer_per_listed_device(string list, string[] devices) =>
        Assert.Equal(devices, DeviceList.Parse([list]));

    [Theory]
    [InlineData("gpu", "'gpu' is not a device")]
    [InlineData("cpu:0", "cpu:N takes a number of CPU trainers from 1 to 256")]
    [InlineData("cpu:two", "cpu:N takes")]
    [InlineData("cuda:-1", "'cuda:-1' is not a device")]
    [InlineData("cuda:1,cuda:1", "'cuda:1' is listed twice")]
    public void Anything_else_is_named(string list, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => DeviceList.Parse([list])).Message);

    [Fact]
    public void The_config_gives_each_slot_its_device_and_the_nodes_threads()
    {
        var dir = RunFixture.TempDir();
        var s = RunFixture.Settings(dir, extra: ["trainers.devices=[\"cpu:2\"]", "training.threads=1"]);
        Assert.Equal(2, s.Trainers.Slots);
        Assert.Equal(new LocalTraining("cpu", 1), s.Trainers.Local(1));
        var plain = RunFixture.Settings(dir, extra: ["trainers.slots=3"]);
        Assert.Equal(3, plain.Trainers.Slots);
        Assert.Equal("cpu", plain.Trainers.Local(2).Device);
        // a node configured without local trainers still knows its device for the ones a command asks for (worker --trainers 2)
        var none = RunFixture.Settings(dir, extra: ["trainers.slots=0", "training.device=cuda:1"]);
        Assert.Equal(0, none.Trainers.Slots);
        Assert.Equal(["cuda:1", "cuda:1"], none.Trainers.WithSlots(2).Devices);
        var bad = Assert.Throws<ConfigException>(() => RunFixture.Settings(dir, extra: ["trainers.devices=[\"tpu\"]"]));
        Assert.Equal("evoact.trainers.devices", bad.Key);
    }
}
