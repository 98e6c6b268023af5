using EvoAct.Cluster.Messages;

namespace EvoAct.Cluster.Actors;

/// <summary>Turns a Work into a WorkResult. Blocking; runs on the trainer's own thread.</summary>
public interface IEvaluator
{
    WorkResult Evaluate(Work work, string workerId, CancellationToken cancel);

    /// <summary>
    /// A Work with rungs (multi-fidelity) as a session that stops at each rung: the trainer asks for the
    /// next stage once the coordinator has decided. Evaluators without rungs train straight through
    /// (one stage, the WorkResult).
    /// </summary>
    ITrainingSession Start(Work work, string workerId) => Straight(this, work, workerId);

    /// <summary>A Work as one stage: the evaluator's <see cref="Evaluate"/>.</summary>
    static ITrainingSession Straight(IEvaluator evaluator, Work work, string workerId) => new OneStage(evaluator, work, workerId);

    sealed class OneStage(IEvaluator evaluator, Work work, string workerId) : ITrainingSession
    {
        public IEvoActMessage Next(CancellationToken cancel) => evaluator.Evaluate(work, workerId, cancel);
        public void Dispose() { }
    }
}

/// <summary>One candidate's training between rungs, kept by its trainer.</summary>
public interface ITrainingSession : IDisposable
{
    /// <summary>Trains on to the next rung: a <see cref="RungResult"/> (then it waits for the decision) or, at the end, the <see cref="WorkResult"/>.</summary>
    IEvoActMessage Next(CancellationToken cancel);
}
