using System.Text;
using EvoAct.Cluster.Persistence;
using EvoAct.Cluster.Tests.Actors;
using EvoAct.Search.Strategies;
using EvoAct.Search.Fingerprints;
using EvoAct.Search.Mutation;

namespace EvoAct.Cluster.Tests.Persistence;

[Collection(SerializerCollection.Name)]
public sealed class WireNamesTests(SerializerFixture fixture)
{
    [Fact]
    public void Each_value_has_the_name_journals_hold_and_reads_back_from_it()
    {
        Assert.Equal(["completed", "diverged", "failed", "rejected", "deduplicated", "stopped"], Enum.GetValues<EvaluationStatus>().Select(v => WireNames.Status[v]));
        Assert.Equal(["train", "rejected", "deduplicated", "final-check", "parent-check"], Enum.GetValues<ProposalKind>().Select(v => WireNames.Proposal[v]));
        Assert.Equal(["identity", "unary", "binary"], Enum.GetValues<MutationKind>().Select(v => WireNames.Mutation[v]));
        Assert.Equal(["NonFiniteOutput", "NonFiniteGradient", "ConstantOutput", "OutputTooLarge"], Enum.GetValues<Rejection>().Select(v => WireNames.Rejection[v]));
        foreach (var v in Enum.GetValues<EvaluationStatus>()) Assert.Equal(v, WireNames.Status.Parse(WireNames.Status[v]));
        foreach (var v in Enum.GetValues<ProposalKind>()) Assert.Equal(v, WireNames.Proposal.Parse(WireNames.Proposal[v]));
        foreach (var v in Enum.GetValues<MutationKind>()) Assert.Equal(v, WireNames.Mutation.Parse(WireNames.Mutation[v]));
        foreach (var v in Enum.GetValues<Rejection>()) Assert.Equal(v, WireNames.Rejection.Parse(WireNames.Rejection[v]));
    }

    [Fact]
    public void The_names_are_those_the_earlier_writers_derived_from_the_enums()
    {
        // Before the closed sets, statuses, kinds and mutations were written as ToString().ToLowerInvariant()
        // and rejections as ToString(): every name already in a journal or snapshot is one of these.
        Assert.All(Enum.GetValues<EvaluationStatus>(), v => Assert.Equal(v.ToString().ToLowerInvariant(), WireNames.Status[v]));
        // FinalCheck and ParentCheck came after the closed sets: their names are new ("final-check", "parent-check"), no journal had them before.
        Assert.All(Enum.GetValues<ProposalKind>().Where(v => v is not (ProposalKind.FinalCheck or ProposalKind.ParentCheck)), v => Assert.Equal(v.ToString().ToLowerInvariant(), WireNames.Proposal[v]));
        Assert.All(Enum.GetValues<MutationKind>(), v => Assert.Equal(v.ToString().ToLowerInvariant(), WireNames.Mutation[v]));
        Assert.All(Enum.GetValues<Rejection>(), v => Assert.Equal(v.ToString(), WireNames.Rejection[v]));
    }

    [Theory]
    [InlineData("3")]          // Enum.Parse took the number
    [InlineData("Completed")]  // and any case
    [InlineData("COMPLETED")]
    [InlineData(" completed")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_else_is_refused_naming_the_set(string? name)
    {
        var e = Assert.Throws<FormatException>(() => WireNames.Status.Parse(name));
        Assert.Equal($"unknown evaluation status '{name}' (expected one of completed, diverged, failed, rejected, deduplicated, stopped)", e.Message);
    }

    [Fact]
    public void A_mapping_that_misses_a_value_is_refused_at_once()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new ClosedSet<MutationKind>("mutation kind", (MutationKind.Unary, "unary")));
        Assert.Equal("no wire name for mutation kind Identity, Binary", e.Message);
    }

    /// <summary>Rows as EvoAct has written them since schema 1 (taken from a journal; a rejected and a deduplicated proposal added in the same format).</summary>
    static readonly (string Manifest, string Json)[] Recorded =
    [
        ("CandidateProposed", """{"SchemaVersion":1,"Id":1,"Genome":"cube min0 sub | erf exp gaussdiff","Expression":"gaussdiff(erf(x^3 - min0(x)), exp(x))","Fingerprint":"a87608ab3c66d1e4","ParentId":null,"MutationKind":null,"MutationSlot":-1,"MutationFrom":null,"MutationTo":null,"Sample":[],"Kind":"train","Rejection":null,"CachedFitness":null,"RngState":7681369315911520508,"At":"2026-12-02T00:07:19.5994003Z"}"""),
        ("EvaluationSettled", """{"SchemaVersion":1,"Id":1,"Status":"completed","Fitness":0.42658605421935003,"Reason":null,"Worker":"vm/0","Seconds":0.001,"At":"2026-12-02T00:07:19.651287Z"}"""),
        ("CandidateProposed", """{"SchemaVersion":1,"Id":2,"Genome":"cosh cosh gaussdiff | sinh sinh gaussdiff","Expression":"gaussdiff(sinh(gaussdiff(cosh(x), cosh(x))), sinh(x))","Fingerprint":"e34040613c111a9c","ParentId":null,"MutationKind":null,"MutationSlot":-1,"MutationFrom":null,"MutationTo":null,"Sample":[],"Kind":"train","Rejection":null,"CachedFitness":null,"RngState":2298681937012504954,"At":"2026-12-02T00:07:19.659997Z"}"""),
        ("EvaluationSettled", """{"SchemaVersion":1,"Id":2,"Status":"diverged","Fitness":null,"Reason":"non-finite loss at step 7","Worker":"vm/0","Seconds":0.5,"At":"2026-12-02T00:07:19.6618312Z"}"""),
        ("CandidatesProposed", """{"SchemaVersion":1,"Proposals":[{"SchemaVersion":1,"Id":3,"Genome":"sqrt x add | x x add","Expression":"sqrt(x) + x + x","Fingerprint":"0000000000000000","ParentId":1,"MutationKind":"unary","MutationSlot":0,"MutationFrom":"cube","MutationTo":"sqrt","Sample":[1,2],"Kind":"rejected","Rejection":"NonFiniteOutput","CachedFitness":null,"RngState":6896045811037514862,"At":"2026-12-02T00:07:19.6845873Z"},{"SchemaVersion":1,"Id":4,"Genome":"cube min0 sub | erf exp gaussdiff","Expression":"gaussdiff(erf(x^3 - min0(x)), exp(x))","Fingerprint":"a87608ab3c66d1e4","ParentId":1,"MutationKind":"identity","MutationSlot":-1,"MutationFrom":null,"MutationTo":null,"Sample":[1,1],"Kind":"deduplicated","Rejection":null,"CachedFitness":0.42658605421935003,"RngState":1,"At":"2026-12-02T00:07:19.69Z"},{"SchemaVersion":1,"Id":5,"Genome":"cosh cosh add | sinh sinh gaussdiff","Expression":"gaussdiff(sinh(cosh(x) \u002B cosh(x)), sinh(x))","Fingerprint":"b3182efb0b3880ac","ParentId":2,"MutationKind":"binary","MutationSlot":0,"MutationFrom":"gaussdiff","MutationTo":"add","Sample":[2,1],"Kind":"train","Rejection":null,"CachedFitness":null,"RngState":2,"At":"2026-12-02T00:07:19.7Z"}],"At":"2026-12-02T00:07:19.7Z"}"""),
        ("EvaluationSettled", """{"SchemaVersion":1,"Id":5,"Status":"failed","Fitness":null,"Reason":"ArgumentException: unknown model","Worker":"vm/1","Seconds":0.01,"At":"2026-12-02T00:07:19.8Z"}"""),
    ];

    [Fact]
    public void Events_already_in_journals_still_read_and_fold()
    {
        var state = new RunState();
        state.Apply(fixture.RoundTrip(new RunStarted(Schema.Version, "old", RunFixture.Settings("unused", maxEvaluations: 10, population: 4).Plan, DateTime.UnixEpoch)));
        foreach (var (manifest, json) in Recorded)
            state.Apply((IRunEvent)fixture.Serializer.FromBinary(Encoding.UTF8.GetBytes(json), manifest));
        var h = state.Evolution!.History.ToDictionary(e => e.Id);
        Assert.Equal(
            [EvaluationStatus.Completed, EvaluationStatus.Diverged, EvaluationStatus.Rejected, EvaluationStatus.Deduplicated, EvaluationStatus.Failed],
            h.Values.OrderBy(e => e.Id).Select(e => e.Status));
        Assert.Equal(Rejection.NonFiniteOutput, h[3].Proposal.Rejection);
        Assert.Equal(
            [MutationKind.Unary, MutationKind.Identity, MutationKind.Binary],
            new[] { 3L, 4, 5 }.Select(id => h[id].Proposal.Mutation!.Kind));
        Assert.Equal(0.42658605421935003, h[4].Fitness);
        Assert.Equal("non-finite loss at step 7", h[2].Reason);
        // And they are written back under the same names.
        var again = RunState.ToEvent(h[3].Proposal, DateTime.UnixEpoch);
        Assert.Equal(("rejected", "unary", "NonFiniteOutput"), (again.Kind, again.MutationKind, again.Rejection));
    }

    [Fact]
    public void A_status_outside_the_set_in_a_journal_is_refused_not_guessed()
    {
        var state = new RunState();
        state.Apply(new RunStarted(Schema.Version, "old", RunFixture.Settings("unused", maxEvaluations: 10, population: 4).Plan, DateTime.UnixEpoch));
        state.Apply((IRunEvent)fixture.Serializer.FromBinary(Encoding.UTF8.GetBytes(Recorded[0].Json), Recorded[0].Manifest));
        var e = Assert.Throws<FormatException>(() => state.Apply(new EvaluationSettled(Schema.Version, 1, "0", 0.5, null, "w", 1, DateTime.UnixEpoch)));
        Assert.StartsWith("unknown evaluation status '0'", e.Message);
    }
}
