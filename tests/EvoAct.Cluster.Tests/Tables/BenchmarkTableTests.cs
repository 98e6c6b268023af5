using EvoAct.Cluster.Configuration;
using EvoAct.Cluster.Messages;
using EvoAct.Cluster.Tables;
using EvoAct.Cluster.Tests.Actors;
using EvoAct.Search;
using EvoAct.Search.Strategies;
using EvoAct.Search.Fingerprints;
using EvoAct.Search.Ops;

namespace EvoAct.Cluster.Tests.Tables;

public sealed class BenchmarkTableTests
{
    [Fact]
    public void An_exhaustive_run_exported_per_seed_is_a_table_of_every_genome_with_two_rows_per_trained_function()
    {
        var rows = TableFixture.Rows;
        var space = new SearchSpace(1, [UnaryOp.X, UnaryOp.Neg, UnaryOp.Tanh, UnaryOp.Relu, UnaryOp.Sin], [BinaryOp.Add, BinaryOp.Max, BinaryOp.Mul]);
        Assert.Equal(space.Enumerate().Select(g => g.Encode()).ToHashSet(), rows.Select(r => r.Genome).ToHashSet());
        var trained = rows.Where(r => r.Seed is not null).GroupBy(r => r.Id).ToArray();
        Assert.All(trained, g => Assert.Equal([0UL, 1UL], g.Select(r => r.Seed!.Value).Order()));
        var passing = space.Enumerate().Select(g => CandidateFilter.Default.Probe(g.ToExpr())).Where(p => p.Rejection is null).Select(p => p.Fingerprint).ToHashSet();
        Assert.Equal(passing.Count, trained.Length);

        var table = TableFixture.Table;
        Assert.Equal(TableFixture.Genomes, table.Genomes);
        Assert.Equal(passing.Count, table.Functions.Count);
        Assert.Null(table.Mismatch(space));
        Assert.Equal(space.Enumerate().Select(g => g.Encode()).Order(), table.Space().Enumerate().Select(g => g.Encode()).Order());
    }

    [Fact]
    public void True_fitness_is_the_mean_over_seeds_and_the_top_share_is_counted_in_functions()
    {
        var table = TableFixture.Table;
        foreach (var f in table.Functions)
            Assert.Equal(f.Seeds.Average(s => s.Fitness!.Value), f.TrueFitness!.Value, 12);
        var ranked = table.Functions.Select(f => f.TrueFitness!.Value).OrderDescending().ToArray();
        Assert.Equal(ranked[0], table.TopThreshold(0.001));  // fewer than 1,000 functions: the best alone
        Assert.Equal(ranked[(int)Math.Ceiling(0.2 * ranked.Length) - 1], table.TopThreshold(0.2));
    }

    [Fact]
    public void A_genome_that_was_deduplicated_is_answered_with_its_twins_trainings()
    {
        var table = TableFixture.Table;
        var dup = TableFixture.Rows.First(r => r.Status == "deduplicated");
        var f = table.Find(dup.Expression);
        Assert.NotNull(f);
        Assert.Equal(dup.Fingerprint, f!.Fingerprint);
        // an expression never printed in the table is found by its fingerprint
        Assert.Equal(table.Find("relu(x) + x")?.Fingerprint, table.Find("x + relu(x)")?.Fingerprint);
        Assert.NotNull(table.Find("x + relu(x)"));
        Assert.Null(table.Find("cosh(x) * x"));
    }

    [Fact]
    public void A_file_that_is_no_table_is_refused_with_its_name()
    {
        var dir = RunFixture.TempDir();
        var path = Path.Combine(dir, "t.csv");
        File.WriteAllText(path, "a,b\n1,2\n");
        Assert.StartsWith(path, Assert.Throws<FormatException>(() => BenchmarkTable.Load(path)).Message);
        Assert.Throws<FileNotFoundException>(() => BenchmarkTable.Load(Path.Combine(dir, "missing.csv")));
        // an export of a run without seeds (no trained rows per seed) is not a table either
        var header = File.ReadLines(TableFixture.Path).First();
        File.WriteAllText(path, header + "\n" + string.Join("\n", File.ReadLines(TableFixture.Path).Skip(1).Where(l => l.Contains(",rejected,"))) + "\n");
        Assert.Contains("no trained rows", Assert.Throws<FormatException>(() => BenchmarkTable.Load(path)).Message);
    }

    [Fact]
    public void A_table_run_over_another_space_or_without_a_table_is_refused_naming_the_key()
    {
        var dir = RunFixture.TempDir();
        var other = Assert.Throws<ConfigException>(() => RunFixture.Settings(dir, extra:
            ["trainers.kind=table", $"trainers.table=\"{TableFixture.Path}\"", "search-space.core-units=1", "search-space.unary=[x, neg, tanh, relu, cos]", $"search-space.binary={TableFixture.Binary}"]));
        Assert.Equal("evoact.search-space", other.Key);
        Assert.Contains("cos", other.Reason);
        Assert.Equal("evoact.trainers.table", Assert.Throws<ConfigException>(() => RunFixture.Settings(dir, extra: ["trainers.kind=table"])).Key);
        Assert.Equal("evoact.trainers.table", Assert.Throws<ConfigException>(() =>
            RunFixture.Settings(dir, extra: ["trainers.kind=table", $"trainers.table=\"{Path.Combine(dir, "none.csv")}\""])).Key);
        var ok = RunFixture.Settings(dir, extra: ["trainers.kind=table", $"trainers.table=\"{TableFixture.Path}\"", .. TableFixture.SpaceSets]);
        Assert.IsType<TableEvaluator>(ok.Trainers.Evaluator());
    }

    static Work WorkFor(string expression, long id, ulong runSeed, int seeds = 1) =>
        new("t", id, expression, new Training.Trainer.TrainerSettings(), Seeds: seeds, RunSeed: runSeed);

    [Fact]
    public void The_table_trainer_answers_with_a_recorded_seed_picked_from_the_run_seed_and_the_id()
    {
        var table = TableFixture.Table;
        var evaluator = new TableEvaluator(table, 0);
        var f = table.Find("x + relu(x)")!;
        var values = f.Seeds.Select(s => s.Fitness!.Value).ToHashSet();
        var answers = Enumerable.Range(1, 64).Select(id => evaluator.Evaluate(WorkFor("x + relu(x)", id, runSeed: 3), "w", CancellationToken.None)).ToArray();
        Assert.All(answers, a => Assert.Contains(a.Fitness!.Value, values));
        Assert.Equal(values, answers.Select(a => a.Fitness!.Value).ToHashSet()); // both seeds come up over 64 ids
        // deterministic in (run seed, id); another run seed draws differently
        Assert.Equal(answers.Select(a => a.Fitness), Enumerable.Range(1, 64).Select(id => evaluator.Evaluate(WorkFor("x + relu(x)", id, 3), "w", CancellationToken.None).Fitness));
        Assert.NotEqual(answers.Select(a => a.Fitness), Enumerable.Range(1, 64).Select(id => evaluator.Evaluate(WorkFor("x + relu(x)", id, 4), "w", CancellationToken.None).Fitness));

        var both = evaluator.Evaluate(WorkFor("x + relu(x)", 1, 3, seeds: 2), "w", CancellationToken.None);
        Assert.Equal([0UL, 1UL], both.Seeds!.Select(s => s.Seed).Order());
        Assert.Equal(f.TrueFitness!.Value, both.Fitness!.Value, 12);
    }

    [Fact]
    public void The_noise_free_oracle_answers_every_training_with_the_functions_true_fitness()
    {
        var table = TableFixture.Table;
        var oracle = new TableEvaluator(table, 0, trueFitness: true);
        var f = table.Find("x + relu(x)")!;
        var answers = Enumerable.Range(1, 32).Select(id => oracle.Evaluate(WorkFor("x + relu(x)", id, runSeed: 3), "w", CancellationToken.None)).ToArray();
        Assert.All(answers, a => Assert.Equal(f.TrueFitness!.Value, a.Fitness!.Value, 12));
        Assert.NotEqual(f.Seeds[0].Fitness, f.Seeds[1].Fitness);   // the seed answer would differ
        // the seeds it says it trained are still the picked ones (curves and seconds are theirs)
        Assert.Equal([0UL, 1UL], answers.Select(a => a.Seeds!.Single().Seed).ToHashSet().Order());

        // A function that diverged on one seed diverges for the oracle, whichever seed is picked.
        var rows = TableFixture.Rows.Select(r => r.Fingerprint == f.Fingerprint && r.Seed == 1
            ? r with { Status = "diverged", Fitness = null, Reason = "non-finite loss at step 3" } : r).ToArray();
        var broken = new TableEvaluator(BenchmarkTable.Parse(EvoAct.Cluster.ReadSide.HistoryExport.ToCsv(rows), "broken"), 0, trueFitness: true);
        Assert.All(Enumerable.Range(1, 16), id =>
        {
            var a = broken.Evaluate(WorkFor("x + relu(x)", id, runSeed: 3), "w", CancellationToken.None);
            Assert.Equal("diverged", a.Status);
            Assert.Null(a.Fitness);
        });
    }

    [Fact]
    public void The_table_answer_is_read_from_the_config_and_a_bad_one_is_refused_naming_the_key()
    {
        var dir = RunFixture.TempDir();
        string[] table = ["trainers.kind=table", $"trainers.table=\"{TableFixture.Path}\"", .. TableFixture.SpaceSets];
        Assert.False(RunFixture.Settings(dir, extra: table).Trainers.TableTrueFitness);
        Assert.True(RunFixture.Settings(dir, extra: [.. table, "trainers.table-answer=mean"]).Trainers.TableTrueFitness);
        var bad = Assert.Throws<ConfigException>(() => RunFixture.Settings(dir, extra: [.. table, "trainers.table-answer=median"]));
        Assert.Equal("evoact.trainers.table-answer", bad.Key);
        Assert.Contains("median", bad.Reason);
    }

    [Fact]
    public void A_re_evaluation_gets_the_recorded_trainings_its_evaluation_did_not()
    {
        var evaluator = new TableEvaluator(TableFixture.Table, 0);
        for (long id = 1; id <= 32; id++)
        {
            var first = evaluator.Evaluate(WorkFor("x + relu(x)", id, runSeed: 3), "w", CancellationToken.None).Seeds!.Single().Seed;
            // A parent check (1 seed after the search's 1) and a final check (2 seeds after those 2): the table has 2 seeds, so they wrap.
            var check = evaluator.Evaluate(WorkFor("x + relu(x)", 100 + id, runSeed: 3) with { Of = id, SeedOffset = 1 }, "w", CancellationToken.None).Seeds!.Single().Seed;
            Assert.NotEqual(first, check);
            var final = evaluator.Evaluate(WorkFor("x + relu(x)", 200 + id, runSeed: 3, seeds: 2) with { Of = id, SeedOffset = 2 }, "w", CancellationToken.None);
            Assert.Equal([first, check], final.Seeds!.Select(s => s.Seed));
        }
    }

    [Fact]
    public void A_parent_check_costs_its_trainings_and_what_a_replay_returns_is_its_best_by_the_mean()
    {
        var table = TableFixture.Table;
        var ranked = table.Functions.OrderByDescending(f => f.TrueFitness).ToArray();
        var (best, worst) = (ranked[0], ranked[^1]);
        Evaluation E(BenchmarkTable.Function f, ProposalKind kind, long id, double fitness, long? parent = null) => new(
            new Proposal(id, Search.Genomes.Genome.Decode(f.Seeds[0].Genome), f.Expression, f.Fingerprint, parent, null, [], kind, null, null, 0),
            EvaluationStatus.Completed, fitness, null);
        // The worst function's lucky 0.9 is checked at 0.5 (mean 0.7): the best, at 0.8, is what the search returns.
        var history = new[] { E(worst, ProposalKind.Train, 1, 0.9), E(best, ProposalKind.Train, 2, 0.8), E(worst, ProposalKind.ParentCheck, 3, 0.5, parent: 1) };
        var r = SearchReplay.From(table, "test", 0, history, history[0], seedsPerCandidate: 1, seconds: 1, parentCheckSeeds: 1);
        Assert.Equal(3, r.Trainings);
        Assert.Equal(best.TrueFitness, r.ReturnedTrueFitness);
        // Unchecked, the lucky one is returned.
        Assert.Equal(worst.TrueFitness, SearchReplay.From(table, "test", 0, history[..2], history[0], 1, 1, parentCheckSeeds: 1).ReturnedTrueFitness);
    }

    [Fact]
    public void A_candidate_outside_the_table_is_a_failed_evaluation_with_its_reason()
    {
        var r = new TableEvaluator(TableFixture.Table, 0).Evaluate(WorkFor("cosh(x) * x", 1, 0), "w", CancellationToken.None);
        Assert.Equal("failed", r.Status);
        Assert.Null(r.Fitness);
        Assert.Contains("not in the table", r.Reason);
        Assert.Contains("cosh(x) * x", r.Reason);
    }

    [Fact]
    public void A_replay_is_judged_by_true_fitness_in_the_order_the_coordinator_entered_its_history()
    {
        var table = TableFixture.Table;
        var ranked = table.Functions.OrderByDescending(f => f.TrueFitness).ToArray();
        var (best, mid, worst) = (ranked[0], ranked[ranked.Length / 2], ranked[^1]);
        Evaluation E(BenchmarkTable.Function f, EvaluationStatus status, long id) => new(
            new Proposal(id, Search.Genomes.Genome.Decode(f.Seeds[0].Genome), f.Expression, f.Fingerprint, null, null, [],
                         status == EvaluationStatus.Deduplicated ? ProposalKind.Deduplicated : ProposalKind.Train, null, null, 0),
            status, status == EvaluationStatus.Completed ? 0.99 : null, null);
        // a diverged candidate finds nothing even if its function is the best; a deduplicated one costs nothing
        var history = new[]
        {
            E(worst, EvaluationStatus.Completed, 1), E(best, EvaluationStatus.Diverged, 2), E(worst, EvaluationStatus.Deduplicated, 3),
            E(mid, EvaluationStatus.Completed, 4), E(best, EvaluationStatus.Completed, 5),
        };
        var r = SearchReplay.From(table, "test", 0, history, history[3], seedsPerCandidate: 2, seconds: 1);
        Assert.Equal(8, r.Trainings);
        Assert.Equal(5, r.Proposals);
        Assert.Equal(1, r.Free);
        // a candidate's two trainings: its fitness is known after the second
        Assert.Equal(new[] { double.NaN, worst.TrueFitness!.Value, worst.TrueFitness!.Value, worst.TrueFitness!.Value,
                             worst.TrueFitness!.Value, mid.TrueFitness!.Value, mid.TrueFitness!.Value, best.TrueFitness!.Value }, r.BestTrueFitness);
        Assert.Equal(8, r.TrainingsToTop1);
        Assert.Equal(8, r.TrainingsToTop01);
        Assert.Equal(8L * table.StepsPerTraining, r.StepsToTop1);
        Assert.Equal(mid.TrueFitness, r.ReturnedTrueFitness);
    }

    [Fact]
    public void With_rungs_the_table_answers_from_its_learning_curves_and_names_a_fraction_it_lacks()
    {
        var curve = new[] { new Training.Trainer.CurvePoint(0.5, 10, 0.4, 1.5), new Training.Trainer.CurvePoint(1.0, 20, 0.6, 1.0) };
        var rows = TableFixture.Rows.Select(r => r.Seed is null ? r : r with { Curve = curve.Select(p => p with { Accuracy = p.Accuracy + (r.Seed == 1 ? 0.1 : 0) }).ToArray() }).ToArray();
        var table = BenchmarkTable.Parse(Cluster.ReadSide.HistoryExport.ToCsv(rows), "curves");
        var evaluator = new TableEvaluator(table, 0);
        using (var session = evaluator.Start(WorkFor("x + relu(x)", 1, 0, seeds: 2) with { Rungs = [0.5, 1.0] }, "w"))
        {
            var rung = Assert.IsType<RungResult>(session.Next(CancellationToken.None));
            Assert.Equal(0.45, rung.Score!.Value, 12); // mean of 0.4 and 0.5
            var end = Assert.IsType<WorkResult>(session.Next(CancellationToken.None));
            Assert.Equal(table.Find("x + relu(x)")!.TrueFitness!.Value, end.Fitness!.Value, 12);
        }
        using (var session = evaluator.Start(WorkFor("x + relu(x)", 1, 0) with { Rungs = [0.25, 1.0] }, "w"))
        {
            var failed = Assert.IsType<WorkResult>(session.Next(CancellationToken.None));
            Assert.Equal("failed", failed.Status);
            Assert.Contains("no learning-curve point at 0.25", failed.Reason);
        }
    }
}
