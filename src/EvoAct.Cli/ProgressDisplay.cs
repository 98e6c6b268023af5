using EvoAct.Training.Trainer;
using Spectre.Console;

namespace EvoAct.Cli;

/// <summary>
/// Training progress on stderr (stdout stays clean for --json): a live bar on a terminal, a plain
/// line every 10% otherwise (logs, CI, pipes).
/// </summary>
public static class ProgressDisplay
{
    public static T Run<T>(string title, Func<IProgress<TrainingProgress>, T> work)
    {
        if (Console.IsErrorRedirected)
        {
            int lastDecile = -1;
            return work(new Sync(p =>
            {
                int decile = p.Step * 10 / Math.Max(1, p.TotalSteps);
                if (decile == lastDecile) return;
                lastDecile = decile;
                Console.Error.WriteLine($"{title}: step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} lr {p.LearningRate:G3} {p.ImagesPerSecond:F0} img/s");
            }));
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: 1);
                result = work(new Sync(p =>
                {
                    task.MaxValue = p.TotalSteps;
                    task.Value = p.Step;
                    task.Description = Markup.Escape($"{title}  loss {p.Loss:F3}  {p.ImagesPerSecond:F0} img/s");
                }));
                task.Value = task.MaxValue;
            });
        return result;
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    sealed class Sync(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
