using System.CommandLine;
using EvoAct.Training.Activations;
using EvoAct.Training.Models;

namespace EvoAct.Cli.Commands;

/// <summary>`evoact models`: the child networks with their parameter counts (CIFAR-10 input, ReLU).</summary>
public static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "List the child networks and their parameter counts (3x32x32 input, 10 classes)");
        command.SetAction(_ =>
        {
            var relu = Activation.Parse("relu").Factory;
            Console.WriteLine($"{"model",-20} {"parameters",12} {"published",10}  description");
            foreach (var spec in ModelCatalog.All())
            {
                using var model = spec.Build(3, 10, relu);
                long count = ModelCatalog.ParameterCount(model);
                string published = spec.PublishedMillions is { } p ? $"{p}M" : "-";
                Console.WriteLine($"{spec.Name,-20} {count,12:N0} {published,10}  {spec.Description}");
            }
            return 0;
        });
        return command;
    }
}
