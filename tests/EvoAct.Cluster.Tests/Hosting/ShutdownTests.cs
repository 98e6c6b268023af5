using Akka.Actor;
using EvoAct.Cluster.Hosting;

namespace EvoAct.Cluster.Tests.Hosting;

/// <summary>Stopping an actor system is bounded and never throws, whatever holds it up.</summary>
public sealed class ShutdownTests
{
    /// <summary>Holds termination up for as long as its gate stays shut, as an uncancellable training step does.</summary>
    sealed class Stuck(ManualResetEventSlim gate) : ReceiveActor
    {
        protected override void PostStop() => gate.Wait(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_system_held_up_past_the_limit_is_left_with_one_line_and_no_exception()
    {
        using var gate = new ManualResetEventSlim();
        var system = ActorSystem.Create("stuck");
        system.ActorOf(Props.Create(() => new Stuck(gate)));
        var said = new List<string>();
        try
        {
            Assert.False(await Shutdown.Bounded(system, limit: TimeSpan.FromMilliseconds(300), say: said.Add));
            Assert.Equal(["evoact: the actor system did not stop within 0.3 s; exiting anyway (everything settled is in the journal)"], said);
        }
        finally
        {
            gate.Set();
            await system.WhenTerminated;
        }
    }

    [Fact]
    public async Task A_system_that_stops_in_time_says_nothing()
    {
        var system = ActorSystem.Create("fine");
        var said = new List<string>();
        Assert.True(await Shutdown.Bounded(system, say: said.Add));
        Assert.Empty(said);
        Assert.True(system.WhenTerminated.IsCompleted);
    }
}
