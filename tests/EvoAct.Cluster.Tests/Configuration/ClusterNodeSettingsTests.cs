using EvoAct.Cluster.Configuration;

namespace EvoAct.Cluster.Tests.Configuration;

public sealed class ClusterNodeSettingsTests
{
    static ClusterNodeSettings Read(params string[] sets) => ClusterNodeSettings.Read(new ConfigReader(EvoActConfig.Load(sets: sets)));

    [Fact]
    public void The_defaults_bind_to_loopback_with_one_seed()
    {
        var c = Read();
        Assert.Equal(("127.0.0.1", 4053, TimeSpan.FromSeconds(10)), (c.Hostname, c.SeedPort, c.DownAfter));
        Assert.Equal(["akka.tcp://evoact@127.0.0.1:4053"], c.SeedNodes);
    }

    [Fact]
    public void Several_seed_nodes_by_host_name_or_address_are_accepted()
    {
        var c = Read("cluster.seed-nodes=[\"akka.tcp://evoact@10.0.0.1:4053\", \"akka.tcp://evoact@seed-2.lan:5000\"]");
        Assert.Equal(["akka.tcp://evoact@10.0.0.1:4053", "akka.tcp://evoact@seed-2.lan:5000"], c.SeedNodes);
    }

    [Theory]
    [InlineData("akka.tcp://other@127.0.0.1:4053")]   // another actor system's name: it would never join
    [InlineData("akka.tcp://evoact@127.0.0.1")]       // no port
    [InlineData("akka.udp://evoact@127.0.0.1:4053")]
    [InlineData("evoact@127.0.0.1:4053")]
    [InlineData("akka.tcp://evoact@127.0.0.1:4053/user")]
    [InlineData("akka.tcp://evoact@127.0.0.1:port")]
    public void A_malformed_seed_node_is_refused_naming_the_key_and_the_address(string seed)
    {
        var e = Assert.Throws<ConfigException>(() => Read($"cluster.seed-nodes=[\"{seed}\"]"));
        Assert.Equal($"evoact.cluster.seed-nodes: '{seed}' is not a seed node address like akka.tcp://evoact@127.0.0.1:4053", e.Message);
    }

    [Fact]
    public void A_malformed_seed_node_on_the_command_line_names_the_option()
    {
        var e = Assert.Throws<ConfigException>(() => ClusterNodeSettings.Read(new ConfigReader(EvoActConfig.Load()), ["akka.tcp://evoact@127.0.0.1:4053", "localhost:4053"]));
        Assert.Equal("--seed-nodes", e.Key);
        Assert.Contains("'localhost:4053'", e.Message);
    }

    [Fact]
    public void An_empty_seed_list_is_refused()
    {
        Assert.Equal("evoact.cluster.seed-nodes: needs at least one seed node", Assert.Throws<ConfigException>(() => Read("cluster.seed-nodes=[]")).Message);
        Assert.Equal("evoact.cluster.seed-nodes",
            Assert.Throws<ConfigException>(() => ClusterNodeSettings.Read(new ConfigReader(EvoActConfig.Load()), [])).Key);
    }

    [Theory]
    [InlineData("cluster.seed-port=0")]
    [InlineData("cluster.seed-port=65536")]
    public void A_seed_port_out_of_range_is_refused(string set) =>
        Assert.Equal("evoact.cluster.seed-port", Assert.Throws<ConfigException>(() => Read(set)).Key);
}
