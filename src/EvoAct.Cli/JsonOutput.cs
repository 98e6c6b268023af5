using System.Text.Encodings.Web;
using System.Text.Json;

namespace EvoAct.Cli;

/// <summary>One JSON object on one line of stdout. Numbers: <see cref="Cluster.ReadSide.JsonNumbers"/> (non-finite is null).</summary>
public static class JsonOutput
{
    // Relaxed escaping: expressions keep their '+' and '<' readable instead of \u002B.
    static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(Action<Utf8JsonWriter> body)
    {
        using var stream = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stream, Options))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
    }
}
