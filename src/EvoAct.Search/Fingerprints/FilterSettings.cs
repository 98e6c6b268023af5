namespace EvoAct.Search.Fingerprints;

/// <summary>evoact.filter.*: the bound on |output| over the probe set, and the range below which output counts as constant.</summary>
public sealed record FilterSettings(double MaxAbsOutput = 1e4, double ConstantTolerance = 1e-9)
{
    public static FilterSettings Default { get; } = new();
}
