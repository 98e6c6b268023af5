using EvoAct.Search.Genomes;
using EvoAct.Search.Ops;

namespace EvoAct.Search.Mutation;

/// <summary>
/// Changes exactly one unary or one binary slot to a different op allowed by the search space, or
/// (with the identity probability) nothing. Which kind is drawn by the configured weights; a kind
/// that cannot change anything (a space with one op of that kind) is never drawn.
/// </summary>
public sealed class Mutator(SearchSpace space, MutationSettings settings)
{
    public Mutant Mutate(Genome parent, Rng rng)
    {
        if (rng.NextDouble() < settings.IdentityProbability) return new Mutant(parent, MutationRecord.Identity);

        double wu = space.Unary.Count > 1 ? settings.UnaryWeight : 0;
        double wb = space.Binary.Count > 1 ? settings.BinaryWeight : 0;
        if (wu + wb <= 0) return new Mutant(parent, MutationRecord.Identity);

        if (rng.NextDouble() * (wu + wb) < wu)
        {
            int slot = rng.Next(parent.UnarySlots);
            var old = parent.Unary(slot);
            var op = PickOther(space.Unary, old, rng);
            return new Mutant(parent.WithUnary(slot, op), new MutationRecord(MutationKind.Unary, slot, old.Name(), op.Name()));
        }
        else
        {
            int slot = rng.Next(parent.BinarySlots);
            var old = parent.Binary(slot);
            var op = PickOther(space.Binary, old, rng);
            return new Mutant(parent.WithBinary(slot, op), new MutationRecord(MutationKind.Binary, slot, old.Name(), op.Name()));
        }
    }

    /// <summary>Uniform over the allowed ops other than <paramref name="current"/>.</summary>
    static T PickOther<T>(IReadOnlyList<T> allowed, T current, Rng rng) where T : struct
    {
        var others = allowed.Where(o => !EqualityComparer<T>.Default.Equals(o, current)).ToArray();
        return others[rng.Next(others.Length)];
    }
}
