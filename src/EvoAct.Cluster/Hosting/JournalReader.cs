using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.Persistence;

namespace EvoAct.Cluster.Hosting;

/// <summary>
/// The read side of `status` and `top`: the run's events read from the journal through
/// Akka.Persistence.Query and folded by <see cref="RunState"/>, the same fold the population actor
/// uses. Works while the run is live (another process writing) and after it.
/// </summary>
public static class JournalReader
{
    public static async Task<RunState?> ReadAsync(PersistenceSettings persistence, string dataDirectory, string run)
    {
        bool sqlite = persistence.Provider == JournalProvider.Sqlite;
        if (sqlite && File.Exists(dataDirectory)) throw DataDirectory.IsAFile(dataDirectory);
        if (sqlite && !File.Exists(AkkaSetup.SqlitePath(dataDirectory)))
            return null;
        PostgresJournal.Check(persistence);
        var system = ActorSystem.Create("evoact-reader", AkkaSetup.Build(persistence, dataDirectory));
        try
        {
            var journal = OpenReadJournal(system);
            var state = new RunState();
            await journal.CurrentEventsByPersistenceId(PopulationActor.PersistenceIdOf(run), 0, long.MaxValue)
                         .RunForeach(env => state.Apply((IRunEvent)env.Event), system.Materializer());
            return state.Started ? state : null;
        }
        catch (Exception e) when (sqlite && Persistence.SqliteJournalFile.IsSqliteFailure(e))
        {
            // Damage the open-time check did not see (it reads the header and SQLite's quick_check).
            throw Persistence.SqliteJournalFile.Unreadable(AkkaSetup.SqlitePath(dataDirectory), e);
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>
    /// The read journal's constructor waits 5 s for the write journal to initialise (on PostgreSQL it
    /// creates or checks the tables), and throws an AskTimeoutException past that: on a busy machine or
    /// database it does. Try a few times, then say so in one line instead of a stack trace.
    /// </summary>
    internal static SqlReadJournal OpenReadJournal(ActorSystem system)
    {
        const int attempts = 4;
        for (int i = 1; ; i++)
        {
            try
            {
                return PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
            }
            catch (Exception e) when (e is AskTimeoutException || e.GetBaseException() is AskTimeoutException)
            {
                if (i == attempts) throw new JournalUnavailableException($"the journal did not answer within {attempts * 5} s");
            }
        }
    }
}
