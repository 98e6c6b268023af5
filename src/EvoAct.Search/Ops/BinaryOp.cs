namespace EvoAct.Search.Ops;

/// <summary>The 10 binary functions of Ramachandran et al. (2017), in the paper's order.</summary>
public enum BinaryOp
{
    Add, Mul, Sub, Div, Max, Min, Sigmul, GaussDiff, LaplaceDiff, Mix,
}
