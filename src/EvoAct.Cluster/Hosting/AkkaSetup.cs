using Akka.Configuration;
using Akka.Persistence.Sql;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Config;

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
              stdout-loglevel = WARNING
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
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
                }
              }
              snapshot-store {
                plugin = "{{SnapshotPlugin}}"
                sql {
                  connection-string = "{{Escape(connection)}}"
                  provider-name = "{{provider}}"
                  auto-initialize = true
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
        Directory.CreateDirectory(dataDirectory);
        var connection = $"Data Source={Path.GetFullPath(Path.Combine(dataDirectory, "evoact.db"))}";
        UseWriteAheadLog(connection);
        return ("SQLite.MS", connection);
    }

    /// <summary>
    /// WAL journal mode (a property of the file, so set once): a commit appends to the log instead of
    /// rewriting pages, several times faster per event, and `status` can read while `run` writes.
    /// </summary>
    static void UseWriteAheadLog(string connection)
    {
        using var db = new Microsoft.Data.Sqlite.SqliteConnection(connection);
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode=WAL;";
        cmd.ExecuteNonQuery();
    }

    static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"");
}
