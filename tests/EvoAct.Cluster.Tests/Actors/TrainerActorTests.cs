using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using EvoAct.Cluster.Actors;
using EvoAct.Cluster.Hosting;
using EvoAct.Cluster.Messages;
using EvoAct.Training.Trainer;

namespace EvoAct.Cluster.Tests.Actors;

/// <summary>
/// The trainer's side of the pull protocol, against a test probe standing in for the population. A
/// result is sent again every <see cref="TrainerActor.ResendEvery"/> until a <see cref="ResultAccepted"/>
/// comes, so the tests that are not about the resend accept each result, as the population does once
/// it is durable, and skip a resend that may already be on its way.
/// </summary>
public sealed class TrainerActorTests() : TestKit(AkkaSetup.Build(null, ""))
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    static Work Work(long id, string expression = "relu(x)") => new("r", id, expression, new TrainerSettings());

    /// <summary>Answers from a function, on the trainer's thread, and says when each call started and returned.</summary>
    sealed class ScriptedEvaluator(Func<Work, CancellationToken, WorkResult> evaluate) : IEvaluator
    {
        public readonly ManualResetEventSlim Started = new(), Returned = new();

        public WorkResult Evaluate(Work work, string workerId, CancellationToken cancel)
        {
            Started.Set();
            try { return evaluate(work, cancel); }
            finally { Returned.Set(); }
        }
    }

    (IActorRef Trainer, TestProbe Population, TestProbe Monitor) Start(IEvaluator evaluator, CancellationToken cancel = default)
    {
        var population = CreateTestProbe();
        var monitor = CreateTestProbe();
        var trainer = Sys.ActorOf(TrainerActor.Props(population, "w", evaluator, cancel, monitor));
        return (trainer, population, monitor);
    }

    static WorkResult Completed(Work w) => new(w.Id, "w", "completed", 0.5, null, 0.1);

    /// <summary>The next request for work, past any resend of a result already seen.</summary>
    static RequestWork ExpectRequest(TestProbe population) => (RequestWork)population.FishForMessage(m => m is RequestWork, Wait);

    /// <summary>The result for <paramref name="id"/>, past any resend of an earlier one; accepted, as a durable one is.</summary>
    static WorkResult ExpectResult(TestProbe population, long id)
    {
        var r = (WorkResult)population.FishForMessage(m => m is WorkResult w && w.Id == id, Wait);
        population.Reply(new ResultAccepted(id));
        return r;
    }

    [Fact]
    public void Trains_what_it_is_given_reports_the_result_with_its_expression_and_asks_again()
    {
        var (trainer, population, _) = Start(new ScriptedEvaluator((w, _) => Completed(w)));
        Assert.Equal("w", population.ExpectMsg<RequestWork>(Wait).WorkerId);
        population.Reply(Work(7, "tanh(x)"));
        var result = population.ExpectMsg<WorkResult>(Wait);
        Assert.Equal((7L, "completed", 0.5, "tanh(x)"), (result.Id, result.Status, result.Fitness!.Value, result.Expression));
        Assert.Equal(trainer, population.LastSender);
        population.Reply(new ResultAccepted(7));
        ExpectRequest(population);
    }

    [Fact]
    public void A_result_is_sent_again_until_it_is_accepted_and_the_trainer_asks_for_more_meanwhile()
    {
        var coordinator = CreateTestProbe();
        Sys.ActorOf(TrainerActor.Props(coordinator, "t0", new FakeEvaluator(TimeSpan.Zero), CancellationToken.None));
        coordinator.ExpectMsg<RequestWork>(Wait);
        var trainer = coordinator.LastSender;
        coordinator.Reply(Work(7));
        var first = coordinator.ExpectMsg<WorkResult>(Wait);
        Assert.Equal(7, first.Id);
        coordinator.ExpectMsg<RequestWork>(Wait); // the next request does not wait for the write

        // No answer (the coordinator's journal is out): the same result comes again.
        var again = coordinator.FishForMessage<WorkResult>(_ => true, TrainerActor.ResendEvery * 3);
        Assert.Equal(first with { Seconds = again.Seconds }, again);

        coordinator.Send(trainer, new ResultAccepted(7));
        // A marker, not a wait: the next candidate's result is sent after the trainer has taken the
        // acceptance in, so a resend of 7 that was on its way has arrived before it. None after.
        coordinator.Send(trainer, Work(8));
        coordinator.FishForMessage<WorkResult>(r => r.Id == 8, Wait);
        var later = coordinator.ReceiveWhile(TrainerActor.ResendEvery * 3, m => m);
        Assert.DoesNotContain(later, m => m is WorkResult { Id: 7 });
        Assert.Contains(later, m => m is WorkResult { Id: 8 }); // unaccepted: it is still sent again
    }

    [Fact]
    public void Asks_again_when_no_answer_comes_and_the_same_candidate_is_then_trained_once()
    {
        var calls = 0;
        var (_, population, _) = Start(new ScriptedEvaluator((w, _) => { Interlocked.Increment(ref calls); return Completed(w); }));
        population.ExpectMsg<RequestWork>(Wait);
        // The answer is lost: the trainer asks again by itself (after 5 s).
        Assert.Equal("w", population.ExpectMsg<RequestWork>(Wait).WorkerId);
        // The population answers a repeated request with the same candidate: it is trained once per answer.
        population.Reply(Work(3));
        Assert.Equal(3, ExpectResult(population, 3).Id);
        ExpectRequest(population);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void No_work_makes_it_ask_again_and_a_finished_run_is_told_to_the_monitor()
    {
        var (_, population, monitor) = Start(new ScriptedEvaluator((w, _) => Completed(w)));
        population.ExpectMsg<RequestWork>(Wait);
        population.Reply(new NoWork(false));
        population.ExpectMsg<RequestWork>(Wait);
        monitor.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        population.Reply(new NoWork(true));
        monitor.ExpectMsg<TrainerActor.RunIsFinished>(Wait);
        // Still there: a finished run may be extended by a resume with a larger budget.
        population.ExpectMsg<RequestWork>(Wait);
        population.Reply(Work(9));
        Assert.Equal(9, ExpectResult(population, 9).Id);
    }

    [Fact]
    public void After_cancel_no_result_is_sent_and_nothing_more_is_asked()
    {
        using var stop = new CancellationTokenSource();
        var evaluator = new ScriptedEvaluator((w, cancel) =>
        {
            cancel.WaitHandle.WaitOne();
            cancel.ThrowIfCancellationRequested();
            return Completed(w);
        });
        var (trainer, population, _) = Start(evaluator, stop.Token);
        population.ExpectMsg<RequestWork>(Wait);
        population.Reply(Work(1));
        Assert.True(evaluator.Started.Wait(Wait), "the evaluation did not start");
        stop.Cancel();
        Assert.True(evaluator.Returned.Wait(Wait), "the evaluation did not stop on cancel");
        // Work that arrives after the cancel is not trained either; nothing is kept to resend.
        trainer.Tell(Work(2), population.Ref);
        population.ExpectNoMsg(TrainerActor.ResendEvery + TimeSpan.FromSeconds(0.5));
    }

    [Fact]
    public void An_exception_in_the_evaluator_is_a_failed_result_with_its_reason_and_the_trainer_goes_on()
    {
        var (_, population, _) = Start(new ScriptedEvaluator((w, _) =>
            w.Id == 4 ? throw new InvalidOperationException("out of device memory\nat line 2") : Completed(w)));
        population.ExpectMsg<RequestWork>(Wait);
        population.Reply(Work(4, "sin(x)"));
        var failed = population.ExpectMsg<WorkResult>(Wait);
        Assert.Equal((4L, "failed", (double?)null, "sin(x)"), (failed.Id, failed.Status, failed.Fitness, failed.Expression));
        Assert.Equal("InvalidOperationException: out of device memory", failed.Reason);
        ExpectRequest(population);
        // Like any result, a failed one is kept and sent again until it is accepted.
        var again = (WorkResult)population.FishForMessage(m => m is WorkResult, TrainerActor.ResendEvery * 3);
        Assert.Equal(failed, again);
        population.Reply(new ResultAccepted(4));
        population.Reply(Work(5));
        Assert.Equal("completed", ExpectResult(population, 5).Status);
    }

    [Fact]
    public void The_slot_trains_on_its_own_device_and_threads_and_says_which_device_it_used()
    {
        Work? seen = null;
        var evaluator = new ScriptedEvaluator((w, _) => { seen = w; return Completed(w); });
        var population = CreateTestProbe();
        Sys.ActorOf(TrainerActor.Props(population, "w", evaluator, default, null, new Cluster.Configuration.LocalTraining("cuda:3", 7)));
        ExpectRequest(population);
        population.Reply(Work(1) with { Training = new TrainerSettings { Device = "cpu", Threads = 2 } });
        var r = ExpectResult(population, 1);
        Assert.Equal(("cuda:3", 7), (seen!.Training.Device, seen.Training.Threads));
        Assert.Equal("cuda:3", r.Device);
    }
}
