namespace EvoAct.Cli.Tests;

/// <summary>
/// Tests that time real training: they run alone, after the parallel ones. libtorch's OpenMP threads
/// spin while waiting, so a training that shares 2 cores with other processes can slow down tenfold.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "serial: real training";
}
