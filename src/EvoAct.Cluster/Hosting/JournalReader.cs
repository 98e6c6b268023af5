using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Config;
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
        if (persistence.Provider == "sqlite" && !File.Exists(Path.Combine(dataDirectory, "evoact.db")))
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
    static SqlReadJournal OpenReadJournal(ActorSystem system)
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
