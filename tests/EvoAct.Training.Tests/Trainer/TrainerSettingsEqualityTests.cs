using System.Reflection;
using EvoAct.Training.Activations;
using EvoAct.Training.Data;
using EvoAct.Training.Trainer;

namespace EvoAct.Training.Tests.Trainer;

/// <summary>
/// TrainerSettings.Equals is the resume check: a run resumes only under equal settings, because
/// fitness values from different setups cannot be compared. Every property must be either compared,
/// or listed here as not affecting fitness; a new property fails this test until someone decides.
/// </summary>
public sealed class TrainerSettingsEqualityTests
{
    /// <summary>Speed and logging only: switching them never makes a run incompatible.</summary>
    static readonly string[] NotAffectingFitness = [nameof(TrainerSettings.HostMemory), nameof(TrainerSettings.TensorBoardDir),
                                                    nameof(TrainerSettings.Curve), nameof(TrainerSettings.RecordTest),
                                                    // zero-filled memory changes no result where convolutions read only what
                                                    // they wrote, and makes them right where they do not
                                                    nameof(TrainerSettings.ZeroFill),
                                                    // the training node's (issue 11): a cluster mixes GPU and CPU workers
                                                    nameof(TrainerSettings.Device), nameof(TrainerSettings.Threads)];

    static IEnumerable<PropertyInfo> Properties(Type t) =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract");

    /// <summary>A copy of <paramref name="o"/> (the record's own clone) with one property set to another value.</summary>
    static T With<T>(T o, PropertyInfo p) where T : class
    {
        var copy = (T)typeof(T).GetMethod("<Clone>$")!.Invoke(o, null)!;
        p.SetValue(copy, p.Name == nameof(TrainerSettings.ActivationKernels) ? OtherKernels((string)p.GetValue(o)!) : Other(p.PropertyType, p.GetValue(o)));
        return copy;
    }

    /// <summary>ActivationKernels is a closed choice: the other one, not a made-up name.</summary>
    static string OtherKernels(string k) => k == ActivationKernels.Compiled ? ActivationKernels.Composed : ActivationKernels.Compiled;

    static object? Other(Type t, object? v) => v switch
    {
        null when t == typeof(string) => "elsewhere",
        string s => s + "-other",
        int i => i + 1,
        ulong u => u + 1,
        double d => d + 0.5,
        bool b => !b,
        IReadOnlyList<double> l => l.Append(0.9).ToArray(),
        DataSettings d => d with { ValidationSize = d.ValidationSize + 1 },
        SyntheticSettings s => s with { Seed = s.Seed + 1 },
        _ => throw new Xunit.Sdk.XunitException($"no other value for a {t.Name}: teach this test the new property's type"),
    };

    public static TheoryData<string> TrainerProperties => new(Properties(typeof(TrainerSettings)).Select(p => p.Name));

    [Theory]
    [MemberData(nameof(TrainerProperties))]
    public void Each_property_is_compared_unless_listed_as_not_affecting_fitness(string name)
    {
        var s = new TrainerSettings();
        var changed = With(s, typeof(TrainerSettings).GetProperty(name)!);
        if (NotAffectingFitness.Contains(name))
        {
            Assert.True(s.Equals(changed), $"{name} is listed as not affecting fitness, but Equals compares it");
            Assert.Equal(s.GetHashCode(), changed.GetHashCode());
        }
        else
            Assert.False(s.Equals(changed), $"TrainerSettings.Equals ignores {name}: compare it, or list it in NotAffectingFitness if it cannot change fitness");
    }

    /// <summary>Compiled and composed kernels differ in the last bits: fitness from one is not comparable with the other.</summary>
    [Fact]
    public void Compiled_and_composed_kernels_are_different_settings()
    {
        var compiled = new TrainerSettings { ActivationKernels = ActivationKernels.Compiled };
        Assert.False(compiled.Equals(compiled with { ActivationKernels = ActivationKernels.Composed }));
        Assert.True(compiled.Equals(new TrainerSettings { ActivationKernels = ActivationKernels.Compiled }));
    }

    [Fact]
    public void Equal_values_in_other_lists_are_equal()
    {
        var a = new TrainerSettings { StepMilestones = [0.3, 0.6] };
        var b = new TrainerSettings { StepMilestones = new List<double> { 0.3, 0.6 } };
        Assert.True(a.Equals(b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    public static TheoryData<string> DataProperties => new(
        Properties(typeof(DataSettings)).Select(p => $"DataSettings.{p.Name}").Concat(Properties(typeof(SyntheticSettings)).Select(p => $"SyntheticSettings.{p.Name}")));

    [Theory]
    [MemberData(nameof(DataProperties))]
    public void Every_data_setting_is_compared(string qualified)
    {
        var (type, name) = (qualified.Split('.')[0], qualified.Split('.')[1]);
        var s = new TrainerSettings();
        var data = type == nameof(DataSettings)
            ? With(s.Data, typeof(DataSettings).GetProperty(name)!)
            : s.Data with { Synthetic = With(s.Data.Synthetic, typeof(SyntheticSettings).GetProperty(name)!) };
        Assert.False(s.Equals(s with { Data = data }), $"a change of {qualified} is not seen by TrainerSettings.Equals");
    }
}
