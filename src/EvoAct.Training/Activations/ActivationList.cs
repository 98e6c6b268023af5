using EvoAct.Search.Expressions;

namespace EvoAct.Training.Activations;

/// <summary>
/// A list of activations as a user writes it on a command line: values repeated or separated by ';',
/// each a baseline name, a comma-separated list of baseline names (relu,swish), or an expression
/// (max(x, sigmoid(x)), whose comma is the expression's own).
/// </summary>
public static class ActivationList
{
    /// <summary>The activations in order, without repeats; a <see cref="FormatException"/> names the part that is neither.</summary>
    public static IReadOnlyList<string> Parse(IEnumerable<string> values)
    {
        var result = new List<string>();
        foreach (var part in values.SelectMany(v => v.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            if (part.Contains(',') && !part.Contains('('))
            {
                foreach (var name in part.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    result.Add(Activation.Baselines.Contains(name) ? name
                        : throw new FormatException($"unknown baseline '{name}'; known: {string.Join(", ", Activation.Baselines)}"));
                continue;
            }
            if (Activation.Baselines.Contains(part)) { result.Add(part); continue; }
            try
            {
                result.Add(ExpressionPrinter.Print(ExpressionParser.Parse(part)));
            }
            catch (ParseException e)
            {
                throw new FormatException($"'{part}' is neither a baseline ({string.Join(", ", Activation.Baselines)}) nor an expression: {e.Message}");
            }
        }
        return result.Distinct().ToArray();
    }
}
