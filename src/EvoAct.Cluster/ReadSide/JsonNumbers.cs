using System.Text.Json;

namespace EvoAct.Cluster.ReadSide;

/// <summary>Numbers as every JSON output writes them (CLI and dashboard API): non-finite is null, since JSON has no NaN.</summary>
public static class JsonNumbers
{
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
