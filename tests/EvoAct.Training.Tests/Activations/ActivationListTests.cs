using EvoAct.Training.Activations;

namespace EvoAct.Training.Tests.Activations;

public class ActivationListTests
{
    [Fact]
    public void Baselines_and_expressions_mix_repeated_or_separated_by_semicolons()
    {
        Assert.Equal(["relu", "swish", "max(x, sigmoid(x))", "cos(x) - x"],
                     ActivationList.Parse(["relu,swish", "max(x, sigmoid(x)); cos(x) - x", "relu"]));
    }

    [Fact]
    public void An_expression_is_printed_canonically_so_that_one_written_twice_is_trained_once()
    {
        Assert.Equal(["max(x, sigmoid(x))"], ActivationList.Parse(["max( x ,sigmoid(x) )", "max(x, sigmoid(x))"]));
    }

    [Theory]
    [InlineData("relu,mish", "unknown baseline 'mish'")]
    [InlineData("max(x", "'max(x' is neither a baseline")]
    [InlineData("sin", "'sin' is neither a baseline")]
    public void What_is_neither_is_named(string value, string message)
    {
        Assert.Contains(message, Assert.Throws<FormatException>(() => ActivationList.Parse([value])).Message);
    }
}
