namespace EvoAct.Cluster.Actors;

/// <summary>An exception in training as the one-line reason a failed evaluation carries.</summary>
public static class Failure
{
    public static string Reason(Exception e) => $"{e.GetType().Name}: {e.Message.Split('\n')[0]}";
}
