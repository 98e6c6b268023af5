using System.Buffers;
using EvoAct.Search.Expressions;
using EvoAct.Search.Ops;
using static EvoAct.Search.Expressions.SpecialFunctions;

namespace EvoAct.Search.Fingerprints;

/// <summary>
/// Evaluates an expression on the whole probe set at once, one node at a time over arrays, instead of
/// walking the tree once per point. Probing is most of the coordinator's cost per proposal (the filter
/// and the fingerprint need 1,101 points at two betas), and this does it several times faster: no
/// per-point recursion and dispatch, derivative terms reuse the value (sigmoid, tanh, exp are computed
/// once, not three times), and the value-only pass skips derivatives altogether.
/// <para>
/// The results are bit-for-bit those of <see cref="ExpressionEvaluator"/>, the reference semantics:
/// each formula below is the scalar one, with the same operations in the same order (tested
/// exhaustively over the ops), so fingerprints already in a journal stay valid.
/// </para>
/// </summary>
public static class ProbeEvaluator
{
    static readonly double[] Xs = ProbeSet.Points.ToArray();
    static readonly double TwoOverSqrtPi = 2 / Math.Sqrt(Math.PI); // computed as the scalar code computes it

    /// <summary>The number of probe points; the length of every output span.</summary>
    public static int Count => Xs.Length;

    /// <summary>Values at every probe point, with every beta at <paramref name="beta"/>.</summary>
    public static void Values(Expr e, double beta, Span<double> values)
    {
        // Power's scalar semantics depend on whether its exponent varies with x (x^2 is a product only
        // for a constant exponent), which needs derivatives: such trees go the dual way.
        if (HasPower(e))
        {
            var d = ArrayPool<double>.Shared.Rent(Xs.Length);
            try { Duals(e, beta, values, d.AsSpan(0, Xs.Length)); }
            finally { ArrayPool<double>.Shared.Return(d); }
            return;
        }
        Eval(e, beta, values[..Xs.Length], default);
    }

    /// <summary>Values and derivatives d/dx at every probe point.</summary>
    public static void Duals(Expr e, double beta, Span<double> values, Span<double> derivatives) =>
        Eval(e, beta, values[..Xs.Length], derivatives[..Xs.Length]);

    /// <summary>Whether any beta reaches the output: if not, the values at every beta are the same numbers.</summary>
    public static bool UsesBeta(Expr e) => e switch
    {
        BetaParam => true,
        UnaryCall u => u.Op is UnaryOp.Scale or UnaryOp.Shift or UnaryOp.Beta || UsesBeta(u.Arg),
        BinaryCall b => b.Op is BinaryOp.GaussDiff or BinaryOp.LaplaceDiff or BinaryOp.Mix || UsesBeta(b.Left) || UsesBeta(b.Right),
        Power p => UsesBeta(p.Base) || UsesBeta(p.Exponent),
        _ => false,
    };

    static bool HasPower(Expr e) => e switch
    {
        Power => true,
        UnaryCall u => HasPower(u.Arg),
        BinaryCall b => HasPower(b.Left) || HasPower(b.Right),
        _ => false,
    };

    /// <summary>Writes e into v (and its derivative into d, unless d is empty), in place, node by node.</summary>
    static void Eval(Expr e, double beta, Span<double> v, Span<double> d)
    {
        bool dual = !d.IsEmpty;
        switch (e)
        {
            case VarX:
                Xs.CopyTo(v);
                if (dual) d.Fill(1);
                return;
            case BetaParam:
                v.Fill(beta);
                if (dual) d.Fill(0);
                return;
            case Constant c:
                v.Fill(c.Value);
                if (dual) d.Fill(0);
                return;
            case UnaryCall u:
                Eval(u.Arg, beta, v, d);
                if (dual) UnaryDual(u.Op, beta, v, d); else UnaryValue(u.Op, beta, v);
                return;
            case BinaryCall or Power:
            {
                int n = v.Length;
                var right = ArrayPool<double>.Shared.Rent(dual ? 2 * n : n);
                try
                {
                    Span<double> rv = right.AsSpan(0, n), rd = dual ? right.AsSpan(n, n) : default;
                    if (e is BinaryCall b)
                    {
                        Eval(b.Left, beta, v, d);
                        Eval(b.Right, beta, rv, rd);
                        if (dual) BinaryDual(b.Op, beta, v, d, rv, rd); else BinaryValue(b.Op, beta, v, rv);
                    }
                    else
                    {
                        var p = (Power)e;
                        Eval(p.Base, beta, v, d);
                        Eval(p.Exponent, beta, rv, rd);
                        for (int i = 0; i < n; i++) (v[i], d[i]) = ExpressionEvaluator.Pow(new Dual(v[i], d[i]), new Dual(rv[i], rd[i]));
                    }
                }
                finally { ArrayPool<double>.Shared.Return(right); }
                return;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(e));
        }
    }

    static double Sign(double v) => double.IsNaN(v) ? double.NaN : Math.Sign(v);

    static void UnaryValue(UnaryOp op, double beta, Span<double> v)
    {
        switch (op)
        {
            case UnaryOp.X: return;
            case UnaryOp.Neg: for (int i = 0; i < v.Length; i++) v[i] = -v[i]; return;
            case UnaryOp.Abs: for (int i = 0; i < v.Length; i++) v[i] = Math.Abs(v[i]); return;
            case UnaryOp.Square: for (int i = 0; i < v.Length; i++) v[i] = v[i] * v[i]; return;
            case UnaryOp.Cube: for (int i = 0; i < v.Length; i++) v[i] = v[i] * v[i] * v[i]; return;
            case UnaryOp.Sqrt: for (int i = 0; i < v.Length; i++) v[i] = Math.Sqrt(v[i]); return;
            case UnaryOp.Scale: for (int i = 0; i < v.Length; i++) v[i] = beta * v[i]; return;
            case UnaryOp.Shift: for (int i = 0; i < v.Length; i++) v[i] = v[i] + beta; return;
            case UnaryOp.LogAbs: for (int i = 0; i < v.Length; i++) v[i] = Math.Log(Math.Abs(v[i]) + OpNames.Eps); return;
            case UnaryOp.Exp: for (int i = 0; i < v.Length; i++) v[i] = Math.Exp(v[i]); return;
            case UnaryOp.Sin: for (int i = 0; i < v.Length; i++) v[i] = Math.Sin(v[i]); return;
            case UnaryOp.Cos: for (int i = 0; i < v.Length; i++) v[i] = Math.Cos(v[i]); return;
            case UnaryOp.Sinh: for (int i = 0; i < v.Length; i++) v[i] = Math.Sinh(v[i]); return;
            case UnaryOp.Cosh: for (int i = 0; i < v.Length; i++) v[i] = Math.Cosh(v[i]); return;
            case UnaryOp.Tanh: for (int i = 0; i < v.Length; i++) v[i] = Math.Tanh(v[i]); return;
            case UnaryOp.Asinh: for (int i = 0; i < v.Length; i++) v[i] = Math.Asinh(v[i]); return;
            case UnaryOp.Atan: for (int i = 0; i < v.Length; i++) v[i] = Math.Atan(v[i]); return;
            case UnaryOp.Sinc: for (int i = 0; i < v.Length; i++) v[i] = Sinc(v[i]); return;
            case UnaryOp.Relu: for (int i = 0; i < v.Length; i++) v[i] = Math.Max(v[i], 0); return;
            case UnaryOp.Min0: for (int i = 0; i < v.Length; i++) v[i] = Math.Min(v[i], 0); return;
            case UnaryOp.Sigmoid: for (int i = 0; i < v.Length; i++) v[i] = Sigmoid(v[i]); return;
            case UnaryOp.Softplus: for (int i = 0; i < v.Length; i++) v[i] = Softplus(v[i]); return;
            case UnaryOp.Gauss: for (int i = 0; i < v.Length; i++) v[i] = Math.Exp(-v[i] * v[i]); return;
            case UnaryOp.Erf: for (int i = 0; i < v.Length; i++) v[i] = Erf(v[i]); return;
            case UnaryOp.Beta: v.Fill(beta); return;
            default: throw new ArgumentOutOfRangeException(nameof(op));
        }
    }

    /// <summary>The chain rule as Dual.Apply does it: d = f'(v) * d, with f' written exactly as in the scalar code.</summary>
    static void UnaryDual(UnaryOp op, double beta, Span<double> v, Span<double> d)
    {
        int n = v.Length;
        switch (op)
        {
            case UnaryOp.X: return;
            case UnaryOp.Neg: for (int i = 0; i < n; i++) (v[i], d[i]) = (-v[i], -1 * d[i]); return;
            case UnaryOp.Abs: for (int i = 0; i < n; i++) (v[i], d[i]) = (Math.Abs(v[i]), Sign(v[i]) * d[i]); return;
            case UnaryOp.Square: for (int i = 0; i < n; i++) (v[i], d[i]) = (v[i] * v[i], 2 * v[i] * d[i]); return;
            case UnaryOp.Cube: for (int i = 0; i < n; i++) (v[i], d[i]) = (v[i] * v[i] * v[i], 3 * v[i] * v[i] * d[i]); return;
            case UnaryOp.Sqrt:
                for (int i = 0; i < n; i++) { double s = Math.Sqrt(v[i]); (v[i], d[i]) = (s, 0.5 / s * d[i]); }
                return;
            case UnaryOp.Scale: for (int i = 0; i < n; i++) (v[i], d[i]) = (beta * v[i], beta * d[i]); return;
            case UnaryOp.Shift: for (int i = 0; i < n; i++) (v[i], d[i]) = (v[i] + beta, 1 * d[i]); return;
            case UnaryOp.LogAbs:
                for (int i = 0; i < n; i++)
                {
                    double x = v[i];
                    (v[i], d[i]) = (Math.Log(Math.Abs(x) + OpNames.Eps), Sign(x) / (Math.Abs(x) + OpNames.Eps) * d[i]);
                }
                return;
            case UnaryOp.Exp:
                for (int i = 0; i < n; i++) { double f = Math.Exp(v[i]); (v[i], d[i]) = (f, f * d[i]); }
                return;
            case UnaryOp.Sin: for (int i = 0; i < n; i++) (v[i], d[i]) = (Math.Sin(v[i]), Math.Cos(v[i]) * d[i]); return;
            case UnaryOp.Cos: for (int i = 0; i < n; i++) (v[i], d[i]) = (Math.Cos(v[i]), -Math.Sin(v[i]) * d[i]); return;
            case UnaryOp.Sinh: for (int i = 0; i < n; i++) (v[i], d[i]) = (Math.Sinh(v[i]), Math.Cosh(v[i]) * d[i]); return;
            case UnaryOp.Cosh: for (int i = 0; i < n; i++) (v[i], d[i]) = (Math.Cosh(v[i]), Math.Sinh(v[i]) * d[i]); return;
            case UnaryOp.Tanh:
                for (int i = 0; i < n; i++) { double t = Math.Tanh(v[i]); (v[i], d[i]) = (t, (1 - t * t) * d[i]); }
                return;
            case UnaryOp.Asinh: for (int i = 0; i < n; i++) (v[i], d[i]) = (Math.Asinh(v[i]), 1 / Math.Sqrt(v[i] * v[i] + 1) * d[i]); return;
            case UnaryOp.Atan: for (int i = 0; i < n; i++) (v[i], d[i]) = (Math.Atan(v[i]), 1 / (1 + v[i] * v[i]) * d[i]); return;
            case UnaryOp.Sinc: for (int i = 0; i < n; i++) (v[i], d[i]) = (Sinc(v[i]), SincDerivative(v[i]) * d[i]); return;
            case UnaryOp.Relu: for (int i = 0; i < n; i++) (v[i], d[i]) = (Math.Max(v[i], 0), (v[i] > 0 ? 1 : 0) * d[i]); return;
            case UnaryOp.Min0: for (int i = 0; i < n; i++) (v[i], d[i]) = (Math.Min(v[i], 0), (v[i] < 0 ? 1 : 0) * d[i]); return;
            case UnaryOp.Sigmoid:
                for (int i = 0; i < n; i++) { double s = Sigmoid(v[i]); (v[i], d[i]) = (s, s * (1 - s) * d[i]); }
                return;
            case UnaryOp.Softplus: for (int i = 0; i < n; i++) (v[i], d[i]) = (Softplus(v[i]), Sigmoid(v[i]) * d[i]); return;
            case UnaryOp.Gauss:
                for (int i = 0; i < n; i++) { double x = v[i], g = Math.Exp(-x * x); (v[i], d[i]) = (g, -2 * x * g * d[i]); }
                return;
            case UnaryOp.Erf:
                for (int i = 0; i < n; i++) { double x = v[i]; (v[i], d[i]) = (Erf(x), TwoOverSqrtPi * Math.Exp(-x * x) * d[i]); }
                return;
            case UnaryOp.Beta: v.Fill(beta); d.Fill(0); return;
            default: throw new ArgumentOutOfRangeException(nameof(op));
        }
    }

    static void BinaryValue(BinaryOp op, double beta, Span<double> u, ReadOnlySpan<double> w)
    {
        int n = u.Length;
        switch (op)
        {
            case BinaryOp.Add: for (int i = 0; i < n; i++) u[i] = u[i] + w[i]; return;
            case BinaryOp.Sub: for (int i = 0; i < n; i++) u[i] = u[i] - w[i]; return;
            case BinaryOp.Mul: for (int i = 0; i < n; i++) u[i] = u[i] * w[i]; return;
            case BinaryOp.Div: for (int i = 0; i < n; i++) u[i] = u[i] / (w[i] + OpNames.Eps); return;
            case BinaryOp.Max:
            case BinaryOp.Min:
                for (int i = 0; i < n; i++)
                {
                    double a = u[i], b = w[i];
                    if (double.IsNaN(a) || double.IsNaN(b)) { u[i] = double.NaN; continue; }
                    bool takeB = op == BinaryOp.Max ? a < b : a > b;
                    if (takeB) u[i] = b; // otherwise a: taken, or a tie
                }
                return;
            case BinaryOp.Sigmul: for (int i = 0; i < n; i++) u[i] = Sigmoid(u[i]) * w[i]; return;
            case BinaryOp.GaussDiff: for (int i = 0; i < n; i++) { double x = u[i] - w[i]; u[i] = Math.Exp(-beta * x * x); } return;
            case BinaryOp.LaplaceDiff: for (int i = 0; i < n; i++) u[i] = Math.Exp(-beta * Math.Abs(u[i] - w[i])); return;
            case BinaryOp.Mix: for (int i = 0; i < n; i++) u[i] = beta * u[i] + (1 - beta) * w[i]; return;
            default: throw new ArgumentOutOfRangeException(nameof(op));
        }
    }

    /// <summary>The scalar binary rule applied at every point (its arithmetic is cheap next to probing's transcendental calls).</summary>
    static void BinaryDual(BinaryOp op, double beta, Span<double> u, Span<double> du, ReadOnlySpan<double> w, ReadOnlySpan<double> dw)
    {
        for (int i = 0; i < u.Length; i++)
            (u[i], du[i]) = ExpressionEvaluator.Binary(op, new Dual(u[i], du[i]), new Dual(w[i], dw[i]), beta);
    }
}
