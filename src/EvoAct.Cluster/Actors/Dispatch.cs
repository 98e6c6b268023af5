namespace EvoAct.Cluster.Actors;

/// <summary>
/// Which worker trains which candidate, until when, and what must be handed out again: candidates
/// of a worker that died or left, of one that ran past the timeout, or in flight when the run was
/// interrupted. Pure bookkeeping, so it is tested without actors.
/// </summary>
public sealed class Dispatch<TWorker> where TWorker : notnull
{
    readonly Dictionary<long, (TWorker Worker, DateTime Deadline)> assigned = new();
    readonly Queue<long> pending = new();

    public int Assigned => assigned.Count;
    public int Pending => pending.Count;

    public void Assign(long id, TWorker worker, DateTime deadline) => assigned[id] = (worker, deadline);

    /// <summary>The candidate this worker is training, if any (a worker trains one at a time).</summary>
    public long? AssignedTo(TWorker worker)
    {
        foreach (var (id, a) in assigned)
            if (EqualityComparer<TWorker>.Default.Equals(a.Worker, worker)) return id;
        return null;
    }

    public bool IsAssigned(long id) => assigned.ContainsKey(id);

    /// <summary>A result arrived (or the candidate is no longer in flight).</summary>
    public void Complete(long id) => assigned.Remove(id);

    /// <summary>Queue for re-dispatch, e.g. in-flight candidates found on recovery.</summary>
    public void Requeue(long id)
    {
        assigned.Remove(id);
        if (!pending.Contains(id)) pending.Enqueue(id);
    }

    /// <summary>The worker is gone: its candidates go back to the queue.</summary>
    public IReadOnlyList<long> ReleaseWorker(TWorker worker)
    {
        var ids = assigned.Where(a => EqualityComparer<TWorker>.Default.Equals(a.Value.Worker, worker)).Select(a => a.Key).ToList();
        ids.ForEach(Requeue);
        return ids;
    }

    /// <summary>Candidates past their deadline go back to the queue (a late result is still accepted once).</summary>
    public IReadOnlyList<long> Expire(DateTime now)
    {
        var ids = assigned.Where(a => a.Value.Deadline <= now).Select(a => a.Key).ToList();
        ids.ForEach(Requeue);
        return ids;
    }

    /// <summary>The next queued candidate that is still in flight.</summary>
    public bool TryTakePending(Func<long, bool> stillInFlight, out long id)
    {
        while (pending.TryDequeue(out id))
            if (stillInFlight(id)) return true;
        return false;
    }
}
