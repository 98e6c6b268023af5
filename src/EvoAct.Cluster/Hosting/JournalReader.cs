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
        if (persistence.Provider == JournalProvider.Sqlite && !File.Exists(Path.Combine(dataDirectory, "evoact.db")))
            return null;
        var system = ActorSystem.Create("evoact-reader", AkkaSetup.Build(persistence, dataDirectory));
        try
        {
            var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
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
}
