namespace EvoAct.Search.Ops;

/// <summary>The 25 unary functions of Ramachandran et al. (2017), in the paper's order.</summary>
public enum UnaryOp
{
    X, Neg, Abs, Square, Cube, Sqrt, Scale, Shift, LogAbs, Exp,
    Sin, Cos, Sinh, Cosh, Tanh, Asinh, Atan, Sinc, Relu, Min0,
    Sigmoid, Softplus, Gauss, Erf, Beta,
}
