using EvoAct.Cluster.Configuration;

namespace EvoAct.Cluster.Hosting;

/// <summary>The run's data directory (--data), made ready for the lock file and the SQLite journal, or refused in one line.</summary>
public static class DataDirectory
{
    public static void Prepare(string directory)
    {
        if (File.Exists(directory)) throw IsAFile(directory);
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A path through a file, a read-only or full file system, no permission.
            throw new BadInputException($"--data: cannot create directory '{directory}': {e.Message}");
        }
    }

    public static BadInputException IsAFile(string directory) => new($"--data: '{directory}' is a file, not a directory");

    /// <summary>What a failed write in the directory says, for the one line: the OS's reason.</summary>
    public static BadInputException Unwritable(string directory, Exception e) =>
        new($"--data: cannot write in '{directory}': {e.Message}");
}
