namespace EvoAct.Search.Expressions;

/// <summary>A malformed expression; the message names the 1-based column and what was expected.</summary>
public sealed class ParseException(string message, int column) : Exception(message)
{
    public int Column { get; } = column;
}
