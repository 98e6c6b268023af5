using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.Hosting;

namespace EvoAct.Cluster.Tests.Configuration;

public sealed class RunSettingsTests
{
    static RunSettings Read(params string[] sets) => RunSettings.Read(new ConfigReader(EvoActConfig.Load(sets: sets)));

    [Fact]
    public void Postgres_needs_a_connection_string()
    {
        var e = Assert.Throws<ConfigException>(() => Read("persistence.provider=postgres"));
        Assert.Equal("evoact.persistence.connection-string: required when provider = postgres", e.Message);
    }

    [Fact]
    public void Postgres_takes_the_connection_string_as_given_and_sqlite_lives_in_the_data_directory()
    {
        // A quoted ';' in the password: valid (main checks the string with Npgsql), and passed on exactly as written.
        const string cs = "Host=127.0.0.1;Port=5432;Username=evoact;Password='a;b';Database=evoact";
        var s = Read("persistence.provider=postgres", $"persistence.connection-string=\"{cs}\"");
        Assert.Equal(new PersistenceSettings(JournalProvider.Postgres, cs), s.Persistence);
        Assert.Equal(("PostgreSQL.15", cs), AkkaSetup.Connection(s.Persistence, "unused"));

        var dir = Directory.CreateTempSubdirectory("evoact-settings").FullName;
        try
        {
            var sqlite = Read().Persistence;
            Assert.Equal(JournalProvider.Sqlite, sqlite.Provider);
            Assert.Equal(("SQLite.MS", $"Data Source={Path.Combine(dir, "evoact.db")}"), AkkaSetup.Connection(sqlite, dir));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void An_unknown_provider_is_refused() =>
        Assert.Equal("evoact.persistence.provider: expected one of sqlite, postgres, got 'mysql'",
            Assert.Throws<ConfigException>(() => Read("persistence.provider=mysql")).Message);

    static readonly string[] Tls =
    [
        "akka.remote.dot-netty.tcp.enable-ssl=true",
        "akka.remote.dot-netty.tcp.ssl.suppress-validation=false",
        "akka.remote.dot-netty.tcp.ssl.certificate.path=\"/etc/evoact/node.pfx\"",
        "akka.remote.dot-netty.tcp.ssl.certificate.password=secret",
        "akka.loglevel=ERROR",
    ];

    [Fact]
    public void Akka_keys_pass_through_to_every_actor_system_and_win_over_evoacts_own()
    {
        // No journal is opened: the SQLite provider only needs a directory to name the file in.
        var s = Read(Tls) is var r ? r with { Persistence = new PersistenceSettings(JournalProvider.Postgres, "Host=127.0.0.1") } : null!;
        var nodes = ClusterNodeSettings.Read(new ConfigReader(EvoActConfig.Load(sets: Tls)));
        var configs = new[]
        {
            ("run", AkkaSetup.Build(s.Persistence, "runs", s.UserAkka)),
            ("seed", ClusterNode.AkkaConfig(nodes, 4053, [ClusterNode.Coordinator], s.Persistence, "runs", s.UserAkka)),
            ("worker", ClusterNode.AkkaConfig(nodes, 0, [ClusterNode.Trainer], null, "", s.UserAkka)),
        };
        foreach (var (name, c) in configs)
        {
            Assert.True(c.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"), name);
            Assert.False(c.GetBoolean("akka.remote.dot-netty.tcp.ssl.suppress-validation"), name);
            Assert.Equal("/etc/evoact/node.pfx", c.GetString("akka.remote.dot-netty.tcp.ssl.certificate.path"));
            Assert.Equal("secret", c.GetString("akka.remote.dot-netty.tcp.ssl.certificate.password"));
            Assert.Equal("ERROR", c.GetString("akka.loglevel"));   // EvoAct's own is WARNING
            // EvoAct's settings that the user did not touch are still there.
            Assert.Equal("evoact", c.GetString("akka.actor.serialization-bindings.\"EvoAct.Cluster.Messages.IEvoActMessage, EvoAct.Cluster\""));
        }
        Assert.Equal("127.0.0.1", configs[1].Item2.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal(4053, configs[1].Item2.GetInt("akka.remote.dot-netty.tcp.port"));
    }

    [Fact]
    public void Without_akka_keys_nothing_is_passed()
    {
        Assert.True(Read().UserAkka.IsEmpty);
        Assert.False(AkkaSetup.Build(null, "").GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
    }

    [Fact]
    public void Akka_keys_are_not_taken_for_unknown_evoact_keys()
    {
        // evoact.* keys are checked; akka.* keys are Akka's, passed on without EvoAct's check.
        Assert.Equal("ERROR", Read("akka.loglevel=ERROR").UserAkka.GetString("akka.loglevel"));
        Assert.Throws<ConfigException>(() => Read("evoact.akka.loglevel=ERROR"));
    }

    [Fact]
    public void Providers_and_trainer_kinds_are_closed_sets_with_the_configs_names()
    {
        Assert.Equal(["torch", "fake", "table"], Enum.GetValues<TrainerKind>().Select(k => ConfigNames.TrainerKind[k]));
        Assert.Equal(["sqlite", "postgres"], Enum.GetValues<JournalProvider>().Select(p => ConfigNames.Provider[p]));
        Assert.Equal(TrainerKind.Fake, Read("trainers.kind=fake").Trainers.Kind);
        Assert.IsType<EvoAct.Cluster.Actors.FakeEvaluator>(Read("trainers.kind=fake").Trainers.Evaluator());
        Assert.IsType<EvoAct.Cluster.Actors.TorchEvaluator>(Read().Trainers.Evaluator());
    }

    [Theory]
    [InlineData("trainers.kind=Fake", "evoact.trainers.kind: expected one of torch, fake, table, got 'Fake'")]
    [InlineData("trainers.kind=1", "evoact.trainers.kind: expected one of torch, fake, table, got '1'")]
    [InlineData("persistence.provider=0", "evoact.persistence.provider: expected one of sqlite, postgres, got '0'")]
    [InlineData("persistence.provider=SQLite", "evoact.persistence.provider: expected one of sqlite, postgres, got 'SQLite'")]
    public void Only_the_exact_names_are_taken(string set, string message) =>
        Assert.Equal(message, Assert.Throws<ConfigException>(() => Read(set)).Message);
}
