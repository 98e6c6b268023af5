namespace EvoAct.Search.Fingerprints;

/// <summary>Why a candidate is rejected before any training.</summary>
public enum Rejection
{
    /// <summary>NaN or infinity in the output on the probe set (sqrt(x) for x &lt; 0, exp(exp(x)), ...).</summary>
    NonFiniteOutput,
    /// <summary>NaN or infinity in d/dx on the probe set: training would blow up.</summary>
    NonFiniteGradient,
    /// <summary>The same output everywhere: no signal flows through the network.</summary>
    ConstantOutput,
    /// <summary>|output| above the configured bound somewhere on the probe set.</summary>
    OutputTooLarge,
}

public static class RejectionNames
{
    /// <summary>snake_case names for JSON, persistence and logs.</summary>
    public static string Name(this Rejection r) => r switch
    {
        Rejection.NonFiniteOutput => "non_finite_output",
        Rejection.NonFiniteGradient => "non_finite_gradient",
        Rejection.ConstantOutput => "constant_output",
        Rejection.OutputTooLarge => "output_too_large",
        _ => throw new ArgumentOutOfRangeException(nameof(r)),
    };
}
