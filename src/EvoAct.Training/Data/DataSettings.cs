namespace EvoAct.Training.Data;

/// <summary>evoact.training.data.*: which dataset, where, how much of it, and the validation split.</summary>
public sealed record DataSettings
{
    public string Name { get; init; } = "synthetic";            // fashion-mnist | cifar10 | cifar100 | synthetic
    public string Path { get; init; } = FashionMnist.DefaultPath;
    public int TrainSubset { get; init; }                        // 0 = the whole training set (after the validation split)
    public int ValidationSize { get; init; } = 5000;
    public ulong ValidationSeed { get; init; }
    public int CropPadding { get; init; }                        // random crop after zero padding (CIFAR: 4)
    public bool HorizontalFlip { get; init; }                    // random horizontal flip (CIFAR: true)
    public bool Cifar100FineLabels { get; init; } = true;
    public SyntheticSettings Synthetic { get; init; } = new();
}

public sealed record SyntheticSettings(int Train = 2000, int Test = 500, int Classes = 4, int Channels = 1, int Size = 8, ulong Seed = 1);
