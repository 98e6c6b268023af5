namespace EvoAct.Search.Strategies;

/// <summary>
/// evoact.evolution.fidelity: multi-fidelity training in the style of ASHA (Li et al. 2020). A
/// candidate trains to the first rung (a fraction of the budget), and goes on to the next only if its
/// validation score there is in the top <see cref="Keep"/> of the scores every candidate reached at
/// that rung so far. The last rung is the full budget (1.0).
/// </summary>
public sealed record FidelitySettings(IReadOnlyList<double> Rungs, double Keep)
{
    public bool Equals(FidelitySettings? o) => o is not null && Keep == o.Keep && Rungs.SequenceEqual(o.Rungs);
    public override int GetHashCode() => HashCode.Combine(Keep, Rungs.Count);
    public override string ToString() => $"rungs [{string.Join(", ", Rungs)}], keep {Keep}";
}
