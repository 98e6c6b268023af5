namespace EvoAct.Search.Strategies;

/// <summary>
/// The asynchronous successive-halving rule (ASHA): a candidate that reaches rung r with score s is
/// promoted if s ranks within the top ceil(keep * n) of the n scores recorded at rung r so far,
/// its own included. It decides with what is known when the candidate arrives and never waits for a
/// rung to fill, so the first arrivals go on. A rung without a score (the candidate diverged or
/// failed there) is never promoted and records nothing.
/// </summary>
public sealed class Promotion
{
    readonly double keep;
    readonly List<double>[] scores;

    public Promotion(FidelitySettings settings, IReadOnlyList<IReadOnlyList<double>>? recorded = null)
    {
        keep = settings.Keep;
        scores = Enumerable.Range(0, Math.Max(0, settings.Rungs.Count - 1)).Select(r => new List<double>(recorded is not null && r < recorded.Count ? recorded[r] : [])).ToArray();
    }

    /// <summary>The scores recorded at each decision rung, in arrival order (what a snapshot keeps).</summary>
    public IReadOnlyList<IReadOnlyList<double>> Scores => scores;

    /// <summary>Whether a candidate with this score at this rung would go on; changes nothing.</summary>
    public bool WouldPromote(int rung, double? score)
    {
        if (score is not { } s || !double.IsFinite(s)) return false;
        var at = scores[rung];
        int better = at.Count(x => x > s);
        int n = at.Count + 1;
        return better < (int)Math.Ceiling(keep * n);
    }

    /// <summary>Records a score at a rung (decided now, or replayed from the journal).</summary>
    public void Record(int rung, double? score)
    {
        if (score is { } s && double.IsFinite(s)) scores[rung].Add(s);
    }
}
