namespace EvoAct.Training.Data;

/// <summary>A missing, truncated or malformed dataset file: names the file and what was expected.</summary>
public sealed class DatasetException(string message) : Exception(message);
