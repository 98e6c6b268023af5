using EvoAct.Training.Data;
using EvoAct.Training.Models;
using EvoAct.Training.Trainer;

namespace EvoAct.Cluster.Configuration;

/// <summary>Reads evoact.training into <see cref="TrainerSettings"/>, checking every key.</summary>
public static class TrainingConfig
{
    const string T = "evoact.training";

    public static TrainerSettings Read(ConfigReader c)
    {
        int blocks = c.Int($"{T}.proxy.blocks", 1, 100), width = c.Int($"{T}.proxy.width", 1, 4096);
        var model = c.String($"{T}.model");
        if (ModelCatalog.Find(model, blocks, width) is null)
            throw new ConfigException($"{T}.model", $"unknown model '{model}'; known: {string.Join(", ", ModelCatalog.All().Select(m => m.Name))}");
        var s = new TrainerSettings
        {
            Model = model,
            ProxyBlocks = blocks,
            ProxyWidth = width,
            ProxyStemStride = c.Int($"{T}.proxy.stem-stride", 1, 4),
            Steps = c.Int($"{T}.steps", 0),
            Epochs = c.Double($"{T}.epochs", 0),
            BatchSize = c.Int($"{T}.batch-size", 1),
            EvalBatchSize = c.Int($"{T}.eval-batch-size", 1),
            LearningRate = c.Double($"{T}.optimizer.learning-rate", 0),
            Momentum = c.Double($"{T}.optimizer.momentum", 0, 1),
            Nesterov = c.Bool($"{T}.optimizer.nesterov"),
            WeightDecay = c.Double($"{T}.optimizer.weight-decay", 0),
            Schedule = c.Choice($"{T}.schedule.kind", "cosine", "step"),
            WarmupSteps = c.Int($"{T}.schedule.warmup-steps", 0),
            StepMilestones = Milestones(c),
            StepGamma = c.Double($"{T}.schedule.gamma", 0, 1),
            Device = Device(c.String($"{T}.device")),
            Threads = c.Int($"{T}.threads", 0, 1024),
            Seed = (ulong)c.Long($"{T}.seed", 0),
            HostMemory = c.Choice($"{T}.host-memory", Training.Trainer.HostMemory.Retain, Training.Trainer.HostMemory.Release),
            ZeroFill = c.Choice($"{T}.zero-fill", Training.Trainer.ZeroFill.Auto, Training.Trainer.ZeroFill.On, Training.Trainer.ZeroFill.Off),
            ActivationKernels = c.Choice($"{T}.activation-kernels", Training.Activations.ActivationKernels.Compiled, Training.Activations.ActivationKernels.Composed),
            Data = Data(c),
            TensorBoardDir = c.Bool($"{T}.tensorboard.enabled") ? c.String($"{T}.tensorboard.dir") : null,
            Curve = Fractions(c, $"{T}.curve", upToOne: true),
            RecordTest = c.Bool($"{T}.record-test"),
        };
        if (s.Steps == 0 && s.Epochs <= 0) throw new ConfigException($"{T}.steps", "steps is 0 and epochs is 0: set one of them");
        return s;
    }

    static DataSettings Data(ConfigReader c)
    {
        const string D = $"{T}.data";
        return new DataSettings
        {
            Name = c.Choice($"{D}.name", "fashion-mnist", "cifar10", "cifar100", "synthetic"),
            Path = c.String($"{D}.path"),
            TrainSubset = c.Int($"{D}.train-subset", 0),
            ValidationSize = c.Int($"{D}.validation-size", 1),
            ValidationSeed = (ulong)c.Long($"{D}.validation-seed", 0),
            CropPadding = c.Int($"{D}.crop-padding", 0, 64),
            HorizontalFlip = c.Bool($"{D}.horizontal-flip"),
            Cifar100FineLabels = c.Choice($"{D}.cifar100-labels", "fine", "coarse") == "fine",
            Synthetic = new SyntheticSettings(
                c.Int($"{D}.synthetic.train", 2), c.Int($"{D}.synthetic.test", 1), c.Int($"{D}.synthetic.classes", 2, 1000),
                c.Int($"{D}.synthetic.channels", 1, 16), c.Int($"{D}.synthetic.size", 4, 256), (ulong)c.Long($"{D}.synthetic.seed", 0)),
        };
    }

    static IReadOnlyList<double> Milestones(ConfigReader c) => Fractions(c, $"{T}.schedule.milestones", upToOne: false);

    /// <summary>A list of fractions of the budget: in (0, 1), or (0, 1] when <paramref name="upToOne"/>.</summary>
    static IReadOnlyList<double> Fractions(ConfigReader c, string key, bool upToOne)
    {
        var what = key.EndsWith("curve") ? "curve points" : "milestones";
        return c.StringList(key).Select(v =>
            double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var m) && m > 0 && (m < 1 || upToOne && m == 1)
                ? m : throw new ConfigException(key, $"{what} are fractions of the budget in (0, {(upToOne ? "1]" : "1)")}, got '{v}'")).ToArray();
    }

    static string Device(string device)
    {
        if (device == "cpu" || device == "cuda" || (device.StartsWith("cuda:") && int.TryParse(device[5..], out var n) && n >= 0)) return device;
        throw new ConfigException($"{T}.device", $"expected cpu, cuda or cuda:N, got '{device}'");
    }
}
