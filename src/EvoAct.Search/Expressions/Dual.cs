namespace EvoAct.Search.Expressions;

/// <summary>A value and its derivative d/dx (forward-mode automatic differentiation).</summary>
public readonly record struct Dual(double Value, double Derivative)
{
    public static Dual Variable(double x) => new(x, 1);
    public static Dual Const(double c) => new(c, 0);

    /// <summary>Chain rule for an elementwise function f with derivative f'.</summary>
    public Dual Apply(double f, double fPrime) => new(f, fPrime * Derivative);
}
