using System.Text.Encodings.Web;
using System.Text.Json;

namespace EvoAct.Cli;

/// <summary>One JSON object on one line of stdout. Non-finite numbers are null (JSON has no NaN).</summary>
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

    public static void Number(this Utf8JsonWriter w, string name, double? v)
    {
        if (v is { } d && double.IsFinite(d)) w.WriteNumber(name, d); else w.WriteNull(name);
    }

    public static void Numbers(this Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
            if (double.IsFinite(v)) w.WriteNumberValue(v); else w.WriteNullValue();
        w.WriteEndArray();
    }
}
