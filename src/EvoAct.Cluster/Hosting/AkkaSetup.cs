using Akka.Configuration;
using Akka.Persistence.Sql;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Configuration;

namespace EvoAct.Cluster.Hosting;

/// <summary>The Akka side of the config: serialization bindings, the trainers' pinned dispatcher, persistence.</summary>
public static class AkkaSetup
{
    public const string JournalPlugin = "akka.persistence.journal.sql";
    public const string SnapshotPlugin = "akka.persistence.snapshot-store.sql";

    /// <param name="persistence">null on nodes that keep no journal (workers): nothing is opened or created.</param>
    public static Akka.Configuration.Config Build(PersistenceSettings? persistence, string dataDirectory, Akka.Configuration.Config? user = null)
    {
        var journal = persistence is null ? "" : JournalConfig(persistence, dataDirectory);
        var text = $$"""
            akka {
              loglevel = WARNING
              loggers = ["EvoAct.Cluster.Hosting.OneLineLogger, EvoAct.Cluster"]
              stdout-loglevel = WARNING
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              # The CLI owns SIGTERM and Ctrl-C (StopSignal): it stops the run, then shuts the system
              # down itself. Akka's own SIGTERM hook would leave the cluster under the stopping run
              # (the coordinator's last answer then never comes) and races the process's exit.
              coordinated-shutdown.run-by-clr-shutdown-hook = off
              actor {
                serializers.evoact = "EvoAct.Cluster.Serialization.EvoActSerializer, EvoAct.Cluster"
                serialization-bindings { "EvoAct.Cluster.Messages.IEvoActMessage, EvoAct.Cluster" = evoact }
              }
              {{journal}}
            }
            {{TrainerActor.Dispatcher}} {
              type = PinnedDispatcher
            }
            {{PopulationActor.Dispatcher}} {
              type = PinnedDispatcher
            }
            """;
        var config = ConfigurationFactory.ParseString(text);
        if (user is not null) config = user.WithFallback(config);
        return config.WithFallback(SqlPersistence.DefaultConfiguration);
    }

    static string JournalConfig(PersistenceSettings persistence, string dataDirectory)
    {
        var (provider, connection) = Connection(persistence, dataDirectory);
        return $$"""
            persistence {
              journal {
                plugin = "{{JournalPlugin}}"
                sql {
                  connection-string = "{{Escape(connection)}}"
                  provider-name = "{{provider}}"
                  auto-initialize = true
                  # After a journal outage the coordinator retries within seconds (JournalSupervisor);
                  # the default 30 s reset would fail those retries fast for half a minute more.
                  circuit-breaker.reset-timeout = 2s
                }
              }
              snapshot-store {
                plugin = "{{SnapshotPlugin}}"
                sql {
                  connection-string = "{{Escape(connection)}}"
                  provider-name = "{{provider}}"
                  auto-initialize = true
                  # After a journal outage the coordinator retries within seconds (JournalSupervisor);
                  # the default 30 s reset would fail those retries fast for half a minute more.
                  circuit-breaker.reset-timeout = 2s
                }
              }
              query.journal.sql {
                connection-string = "{{Escape(connection)}}"
                provider-name = "{{provider}}"
              }
            }
            """;
    }

    /// <summary>linq2db provider name and connection string; SQLite lives in the run's data directory.</summary>
    public static (string Provider, string Connection) Connection(PersistenceSettings p, string dataDirectory)
    {
        if (p.Provider == JournalProvider.Postgres) return ("PostgreSQL.15", p.ConnectionString);
        DataDirectory.Prepare(dataDirectory);
        var path = SqlitePath(dataDirectory);
        Persistence.SqliteJournalFile.Open(path); // checked (and in WAL mode) before Akka opens it
        return ("SQLite.MS", $"Data Source={path}");
    }

    public static string SqlitePath(string dataDirectory) => Path.GetFullPath(Path.Combine(dataDirectory, "evoact.db"));

    static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"");
}
