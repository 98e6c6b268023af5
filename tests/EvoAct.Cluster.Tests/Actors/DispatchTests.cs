using EvoAct.Cluster.Actors;

namespace EvoAct.Cluster.Tests.Actors;

public class DispatchTests
{
    static readonly DateTime T0 = new(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    static List<long> TakeAll(Dispatch<string> d, Func<long, bool>? inFlight = null)
    {
        var taken = new List<long>();
        while (d.TryTakePending(inFlight ?? (_ => true), out var id)) taken.Add(id);
        return taken;
    }

    [Fact]
    public void Assign_and_complete()
    {
        var d = new Dispatch<string>();
        Assert.Equal((0, 0), (d.Assigned, d.Pending));
        d.Assign(1, "a", T0.AddMinutes(5));
        d.Assign(2, "b", T0.AddMinutes(5));
        Assert.Equal(2, d.Assigned);
        d.Complete(1);
        Assert.Equal(1, d.Assigned);
        d.Complete(1);  // a duplicate result
        d.Complete(99); // a result for something never assigned here
        Assert.Equal(1, d.Assigned);
        Assert.Equal(0, d.Pending);
        Assert.False(d.TryTakePending(_ => true, out _));
        // completed candidates are not handed out again when their worker goes
        Assert.Empty(d.ReleaseWorker("a"));
        Assert.Equal([2L], d.ReleaseWorker("b"));
    }

    [Fact]
    public void Assigning_again_moves_the_candidate_to_the_new_worker()
    {
        var d = new Dispatch<string>();
        d.Assign(1, "a", T0);
        d.Assign(1, "b", T0.AddHours(1));
        Assert.Equal(1, d.Assigned);
        Assert.Empty(d.ReleaseWorker("a"));
        Assert.Empty(d.Expire(T0.AddMinutes(1))); // the new deadline counts
        Assert.Equal([1L], d.ReleaseWorker("b"));
    }

    [Fact]
    public void Releasing_a_worker_requeues_only_its_candidates()
    {
        var d = new Dispatch<string>();
        d.Assign(1, "a", T0);
        d.Assign(2, "b", T0);
        d.Assign(3, "a", T0);
        d.Assign(4, "c", T0);
        var released = d.ReleaseWorker("a");
        Assert.Equal([1L, 3L], released.Order());
        Assert.Equal(2, d.Assigned);
        Assert.Equal(2, d.Pending);
        Assert.Empty(d.ReleaseWorker("a")); // already released
        Assert.Empty(d.ReleaseWorker("nobody"));
        Assert.Equal([1L, 3L], TakeAll(d).Order());
        // b's and c's are still assigned to them
        Assert.Equal([2L], d.ReleaseWorker("b"));
        Assert.Equal([4L], d.ReleaseWorker("c"));
        Assert.Equal(0, d.Assigned);
    }

    [Fact]
    public void Expire_requeues_exactly_the_candidates_past_their_deadline()
    {
        var d = new Dispatch<string>();
        d.Assign(1, "a", T0.AddMinutes(1));
        d.Assign(2, "b", T0.AddMinutes(2));
        d.Assign(3, "a", T0.AddMinutes(3));
        Assert.Empty(d.Expire(T0));
        Assert.Empty(d.Expire(T0.AddSeconds(59)));
        Assert.Equal([1L], d.Expire(T0.AddMinutes(1))); // at the deadline
        Assert.Equal([2L], d.Expire(T0.AddMinutes(2.5)));
        Assert.Empty(d.Expire(T0.AddMinutes(2.5))); // once
        Assert.Equal(1, d.Assigned);
        Assert.Equal(2, d.Pending);
        Assert.Equal([1L, 2L], TakeAll(d));
        Assert.Equal([3L], d.Expire(T0.AddDays(1)));
    }

    [Fact]
    public void Pending_candidates_come_out_in_order_and_those_no_longer_in_flight_are_skipped()
    {
        var d = new Dispatch<string>();
        foreach (var id in new long[] { 5, 3, 8, 1 }) d.Requeue(id);
        Assert.Equal(4, d.Pending);
        var inFlight = new HashSet<long> { 5, 8, 1 }; // 3's late result arrived meanwhile
        Assert.True(d.TryTakePending(inFlight.Contains, out var first));
        Assert.Equal(5, first);
        Assert.True(d.TryTakePending(inFlight.Contains, out var second));
        Assert.Equal(8, second); // 3 skipped (and dropped)
        inFlight.Remove(1);
        Assert.False(d.TryTakePending(inFlight.Contains, out _));
        Assert.Equal(0, d.Pending);
    }

    [Fact]
    public void Requeue_does_not_duplicate()
    {
        var d = new Dispatch<string>();
        d.Assign(7, "a", T0);
        d.Requeue(7);
        d.Requeue(7);
        Assert.Equal(0, d.Assigned);
        Assert.Empty(d.ReleaseWorker("a"));
        Assert.Empty(d.Expire(T0.AddDays(1)));
        Assert.Equal(1, d.Pending);
        Assert.Equal([7L], TakeAll(d));

        // A worker that dies and then times out does not hand the candidate out twice.
        d.Assign(9, "b", T0);
        d.ReleaseWorker("b");
        d.Expire(T0.AddDays(1));
        d.Requeue(9);
        Assert.Equal([9L], TakeAll(d));
    }

    [Fact]
    public void A_requeued_candidate_can_be_assigned_and_released_again()
    {
        var d = new Dispatch<string>();
        d.Assign(1, "a", T0);
        d.ReleaseWorker("a");
        Assert.True(d.TryTakePending(_ => true, out var id));
        d.Assign(id, "b", T0.AddMinutes(10));
        Assert.Equal((1, 0), (d.Assigned, d.Pending));
        Assert.Equal([1L], d.ReleaseWorker("b"));
        Assert.Equal((0, 1), (d.Assigned, d.Pending));
        d.Complete(1); // its late result arrives: no longer assigned, the queue entry is skipped by TryTakePending
        Assert.False(d.TryTakePending(_ => false, out _));
    }
}
