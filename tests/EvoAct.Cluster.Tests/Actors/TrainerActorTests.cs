using Akka.TestKit.Xunit2;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Messages;
using EvoAct.Training.Trainer;

namespace EvoAct.Cluster.Tests.Actors;

/// <summary>The trainer's side of the pull protocol, against a test probe standing in for the coordinator.</summary>
public sealed class TrainerActorTests() : TestKit(EvoAct.Cluster.Hosting.AkkaSetup.Build(null, ""))
{
    static Work Job(long id) =>
        new("r", id, "relu(x)", new TrainerSettings());

    [Fact]
    public void A_result_is_sent_again_until_it_is_accepted_and_the_trainer_asks_for_more_meanwhile()
    {
        var coordinator = CreateTestProbe();
        Sys.ActorOf(TrainerActor.Props(coordinator, "t0", new FakeEvaluator(TimeSpan.Zero), CancellationToken.None));
        coordinator.ExpectMsg<RequestWork>();
        coordinator.Reply(Job(7));
        var first = coordinator.ExpectMsg<WorkResult>();
        Assert.Equal(7, first.Id);
        coordinator.ExpectMsg<RequestWork>(); // the next request does not wait for the write

        // No answer (the coordinator's journal is out): the same result comes again.
        var again = coordinator.FishForMessage<WorkResult>(_ => true, TrainerActor.ResendEvery * 3);
        Assert.Equal(first with { Seconds = again.Seconds }, again);

        coordinator.Send(coordinator.LastSender, new ResultAccepted(7));
        // A resend already on its way may still arrive; after that, none.
        coordinator.ReceiveWhile(TimeSpan.FromMilliseconds(500), m => m);
        var later = coordinator.ReceiveWhile(TrainerActor.ResendEvery * 3, m => m);
        Assert.DoesNotContain(later, m => m is WorkResult);
    }
}
