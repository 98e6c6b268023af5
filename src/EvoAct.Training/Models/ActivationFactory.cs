using static TorchSharp.torch;

namespace EvoAct.Training.Models;

/// <summary>
/// Makes the nonlinearity for a layer with the given channel count. Every nonlinearity of a child
/// network is its own instance, so per-channel betas are per layer, as in the paper.
/// </summary>
public delegate nn.Module<Tensor, Tensor> ActivationFactory(int channels);
