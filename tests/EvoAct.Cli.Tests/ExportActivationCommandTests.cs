namespace EvoAct.Cli.Tests;

public class ExportActivationCommandTests
{
    [Fact]
    public void Prints_a_pytorch_module_and_a_torchsharp_module()
    {
        var py = EvoactProcess.Run("export-activation", "swish", "--lang", "python", "--class", "Swish");
        Assert.True(py.ExitCode == 0, py.ToString());
        Assert.Contains("class Swish(nn.Module):", py.Stdout);
        Assert.Contains("f(x) = x * sigmoid(beta * x)", py.Stdout);
        var cs = EvoactProcess.Run("export-activation", "max(x, sigmoid(x))", "--lang", "csharp");
        Assert.True(cs.ExitCode == 0, cs.ToString());
        Assert.Contains("public sealed class EvolvedActivation : nn.Module<Tensor, Tensor>", cs.Stdout);
        Assert.Contains("maximum(x, t0)", cs.Stdout);
    }

    [Theory]
    [InlineData("sigmod(x)", "python")]
    [InlineData("relu", "python")]
    [InlineData("x", "java")]
    public void Bad_input_exits_2(string expression, string lang)
    {
        var r = EvoactProcess.Run("export-activation", expression, "--lang", lang);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.StderrLines);
    }
}
