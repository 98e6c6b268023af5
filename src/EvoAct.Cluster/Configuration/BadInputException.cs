namespace EvoAct.Cluster.Configuration;

/// <summary>
/// A file or directory the command was pointed at cannot be used (a corrupt journal, a data path
/// that is a file, a full disk): the message names it and the problem, on one line, and nothing has
/// been written. The CLI prints it and exits 2, as for any bad input.
/// </summary>
public sealed class BadInputException(string message) : Exception(message);
