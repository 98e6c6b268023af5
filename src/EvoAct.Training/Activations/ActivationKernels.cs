namespace EvoAct.Training.Activations;

/// <summary>
/// evoact.training.activation-kernels: how searched expressions run on CPU. compiled (the default):
/// the whole expression as one fused kernel (<see cref="Compiler.CompiledActivation"/>); composed:
/// one TorchSharp op per node, as before the compiler (and always on CUDA or float16).
/// </summary>
public static class ActivationKernels
{
    public const string Compiled = "compiled";
    public const string Composed = "composed";

    public static bool IsValid(string kernels) => kernels is Compiled or Composed;
}
