using EvoAct.Cluster.Configuration;

namespace EvoAct.Cluster.Tests.Configuration;

public sealed class ConfigReaderTests
{
    static ConfigReader With(string key, string value) =>
        new(Akka.Configuration.ConfigurationFactory.ParseString($"{key} = \"{value}\""));

    [Theory]
    [InlineData("250", 250)]
    [InlineData("250ms", 250)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2m", 120_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1d", 86_400_000)]
    public void Durations_read_in_every_unit(string raw, double milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), With("k", raw).Duration("k"));

    [Theory]
    [InlineData("0")]
    [InlineData("0ms")]
    [InlineData("0s")]
    [InlineData("0.0m")]
    [InlineData("0h")]
    public void A_zero_duration_is_refused_in_every_unit(string raw)
    {
        var e = Assert.Throws<ConfigException>(() => With("evoact.run.evaluation-timeout", raw).Duration("evoact.run.evaluation-timeout"));
        Assert.Equal($"evoact.run.evaluation-timeout: must be positive, got '{raw}'", e.Message);
    }

    [Theory]
    [InlineData("0ms")]
    [InlineData("0s")]
    public void A_zero_duration_is_accepted_in_every_unit_where_zero_is_allowed(string raw) =>
        Assert.Equal(TimeSpan.Zero, With("k", raw).Duration("k", allowZero: true));

    [Theory]
    [InlineData("-1s")]
    [InlineData("soon")]
    [InlineData("5 minutes")]
    [InlineData("1e3ms")]
    public void Malformed_durations_are_refused_naming_the_key(string raw)
    {
        var e = Assert.Throws<ConfigException>(() => With("k", raw).Duration("k", allowZero: true));
        Assert.StartsWith("k: expected a duration like 500ms", e.Message);
    }

    [Theory]
    [InlineData("run.evaluation-timeout")]
    [InlineData("run.progress-interval")]
    public void A_zero_timeout_or_interval_is_refused_by_the_run_settings(string key)
    {
        var e = Assert.Throws<ConfigException>(() => RunSettings.Read(new ConfigReader(EvoActConfig.Load(sets: [$"{key}=0ms"]))));
        Assert.Equal($"evoact.{key}", e.Key);
    }

    [Fact]
    public void Fake_trainers_may_be_instant() =>
        Assert.Equal(TimeSpan.Zero, RunSettings.Read(new ConfigReader(EvoActConfig.Load(sets: ["trainers.fake-delay=0s"]))).Trainers.FakeDelay);

    [Fact]
    public void A_zero_down_after_is_refused() =>
        Assert.Equal("evoact.cluster.down-after",
            Assert.Throws<ConfigException>(() => ClusterNodeSettings.Read(new ConfigReader(EvoActConfig.Load(sets: ["cluster.down-after=0s"])))).Key);
}
