namespace EvoAct.Cluster.Configuration;

/// <summary>
/// Where a node's trainers run (evoact.trainers.devices, --devices): one trainer per listed device;
/// <c>cpu:N</c> is N CPU trainers. <c>cuda</c> and <c>cuda:K</c> name GPUs (a CUDA build).
/// </summary>
public static class DeviceList
{
    /// <summary>One device per trainer slot, in order; a FormatException names the item that is none.</summary>
    public static IReadOnlyList<string> Parse(IEnumerable<string> items)
    {
        var devices = new List<string>();
        foreach (var item in items.SelectMany(i => i.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            if (item == "cpu" || item == "cuda") { devices.Add(item); continue; }
            if (item.StartsWith("cpu:", StringComparison.Ordinal))
            {
                if (!int.TryParse(item[4..], out var n) || n < 1 || n > 256 || item[4..] != n.ToString())
                    throw new FormatException($"'{item}': cpu:N takes a number of CPU trainers from 1 to 256");
                devices.AddRange(Enumerable.Repeat("cpu", n));
                continue;
            }
            if (item.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(item[5..], out var k) && k >= 0 && item[5..] == k.ToString())
            {
                if (devices.Contains(item)) throw new FormatException($"'{item}' is listed twice: one trainer per GPU");
                devices.Add(item);
                continue;
            }
            throw new FormatException($"'{item}' is not a device: expected cpu, cpu:N, cuda or cuda:K");
        }
        return devices;
    }
}

/// <summary>What one trainer slot trains on: the node's device for it and the node's torch threads, laid over each Work's settings.</summary>
public sealed record LocalTraining(string Device, int Threads);
