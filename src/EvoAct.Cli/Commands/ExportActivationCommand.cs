using System.CommandLine;
using EvoAct.Search.Expressions;
using EvoAct.Training.Activations;
using EvoAct.Training.Export;

namespace EvoAct.Cli.Commands;

/// <summary>`evoact export-activation EXPR --lang csharp|python`: source of a standalone module.</summary>
public static class ExportActivationCommand
{
    public static Command Create()
    {
        var expression = new Argument<string>("expression") { Description = "An expression, or swish" };
        var lang = new Option<string>("--lang") { Description = "python (PyTorch nn.Module) or csharp (TorchSharp module)", Required = true };
        lang.AcceptOnlyFromAmong("python", "csharp");
        var name = new Option<string>("--class") { Description = "Class name", DefaultValueFactory = _ => "EvolvedActivation" };
        var command = new Command("export-activation", "Print the source of a standalone PyTorch or TorchSharp module computing the activation") { expression, lang, name };
        command.SetAction(r =>
        {
            var text = r.GetValue(expression)!;
            var activation = Activation.Parse(text);
            if (activation.Expression is null)
                throw new UsageException($"'{text}' is a built-in of PyTorch and TorchSharp already; export an expression instead");
            var cls = r.GetValue(name)!;
            if (!System.Text.RegularExpressions.Regex.IsMatch(cls, "^[A-Za-z_][A-Za-z0-9_]*$")) throw new UsageException($"--class: '{cls}' is not an identifier");
            Console.Write(r.GetValue(lang) == "python" ? ActivationSource.Python(activation.Expression, cls) : ActivationSource.CSharp(activation.Expression, cls));
            return 0;
        });
        return command;
    }
}
