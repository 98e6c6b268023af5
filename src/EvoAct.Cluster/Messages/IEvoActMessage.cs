namespace EvoAct.Cluster.Messages;

/// <summary>
/// Marker for everything EvoAct sends between actors or persists: bound to <see cref="Serialization.EvoActSerializer"/>,
/// which writes JSON with an explicit manifest per type (never a type name taken from the wire).
/// </summary>
public interface IEvoActMessage;
