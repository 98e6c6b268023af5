using TorchSharp;
using static TorchSharp.torch;

namespace EvoAct.Training.Tests;

public class TorchLoadsTests
{
    [Fact]
    public void Torch_initialises_and_runs_a_backward_pass()
    {
        // Fails with a DllNotFoundException / version error if the GLIBCXX patch did not run.
        var x = tensor(new[] { 1.0, 2.0, 3.0 }, dtype: float64, requires_grad: true);
        var y = (x * x).sum();
        y.backward();
        Assert.Equal(new[] { 2.0, 4.0, 6.0 }, x.grad!.data<double>().ToArray());
    }
}
