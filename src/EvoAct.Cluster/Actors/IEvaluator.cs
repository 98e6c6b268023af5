using EvoAct.Cluster.Messages;

namespace EvoAct.Cluster.Actors;

/// <summary>Turns a Work into a WorkResult. Blocking; runs on the trainer's own thread.</summary>
public interface IEvaluator
{
    WorkResult Evaluate(Work work, string workerId, CancellationToken cancel);
}
