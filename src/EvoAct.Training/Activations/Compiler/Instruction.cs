namespace EvoAct.Training.Activations.Compiler;

/// <summary>
/// The compiler's primitive ops. The grammar's composite ops (logabs, div, gauss, sigmul, gaussdiff,
/// laplacediff, mix, scale, shift) are lowered to these in the order the composed TorchSharp ops
/// compute them, so both paths round alike; each primitive has one forward and one backward kernel.
/// </summary>
internal enum OpCode : byte
{
    /// <summary>The register holds <see cref="Instruction.K"/> everywhere.</summary>
    Const,
    /// <summary>The register holds beta number <see cref="Instruction.Beta"/> of each element's channel.</summary>
    Beta,
    Neg, Abs, Square, Cube, Sqrt, Log, Exp, Sin, Cos, Sinh, Cosh, Tanh, Asinh, Atan, Sinc, Relu, Min0,
    Sigmoid, Softplus, Erf,
    /// <summary>a ^ K for a constant exponent (torch's pow(tensor, scalar)).</summary>
    PowConst,
    Add, Sub, Mul, Div, Max, Min,
    /// <summary>a ^ b for an exponent that is itself an expression (torch's pow(tensor, tensor)).</summary>
    Pow,
}

/// <summary>
/// One step of a program: register i + 1 is the result of instruction i (register 0 is x), so
/// operands always name earlier registers. <see cref="A"/> and <see cref="B"/> are operand
/// registers (-1 when unused), <see cref="K"/> the constant of Const and PowConst, and
/// <see cref="Beta"/> the input slot of a Beta instruction.
/// </summary>
internal readonly record struct Instruction(OpCode Op, int A = -1, int B = -1, double K = 0, int Beta = -1)
{
    public bool IsBinary => Op >= OpCode.Add;
    public bool HasOperand => Op is not (OpCode.Const or OpCode.Beta);
}
