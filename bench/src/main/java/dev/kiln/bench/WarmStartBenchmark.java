package dev.kiln.bench;

import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import dev.kiln.train.ProgressListener;
import dev.kiln.train.TrainOptions;
import dev.kiln.train.Training;
import dev.kiln.train.TrainingReport;
import dev.kiln.train.WarmStart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Wall time of a warm retrain (the parent's GBDT continued, {@link WarmStart}) against a cold one (gbdt from
 * scratch) on the same new data, both through {@link Training#run} as {@code kiln train} does (read, profile,
 * split, baseline, gbdt, test rows, bundle), plus the gbdt fit alone.
 *
 * <pre>
 * java -cp bench/target/kiln-bench.jar dev.kiln.bench.WarmStartBenchmark [--runs 5] [--warmup 1] [--rows 100000]
 *     [--datasets credit-g,synthetic] [--credit-g kiln-app/src/main/resources/dev/kiln/app/quickstart/credit-g.csv]
 * </pre>
 *
 * credit-g: the parent is trained on the first 700 rows, the new data is all 1,000. synthetic: the parent on one
 * seeded sample of {@code --rows} rows ({@link SyntheticData}), the new data another sample of as many rows.
 */
public final class WarmStartBenchmark {
    private WarmStartBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opts = TrainingBenchmark.parse(args);
        int runs = Integer.parseInt(opts.getOrDefault("runs", "5"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "1"));
        int rows = Integer.parseInt(opts.getOrDefault("rows", "100000"));
        List<String> datasets = List.of(opts.getOrDefault("datasets", "credit-g,synthetic").split(","));
        Path work = Files.createTempDirectory("kiln-warm-bench");
        for (String dataset : datasets) {
            Path older;
            Path newer;
            String target;
            switch (dataset) {
                case "credit-g" -> {
                    Path credit = Path.of(opts.getOrDefault("credit-g",
                            "kiln-app/src/main/resources/dev/kiln/app/quickstart/credit-g.csv"));
                    List<String> lines = Files.readAllLines(credit);
                    older = Files.write(work.resolve("credit-older.csv"), lines.subList(0, 701));
                    newer = credit;
                    target = "class";
                }
                case "synthetic" -> {
                    older = work.resolve("synthetic-older.csv");
                    newer = work.resolve("synthetic-newer.csv");
                    TrainingBenchmark.writeCsv(SyntheticData.frame(rows, 1), older);
                    TrainingBenchmark.writeCsv(SyntheticData.frame(rows, 2), newer);
                    target = SyntheticData.TARGET;
                }
                default -> throw new IllegalArgumentException("unknown data set '" + dataset + "': credit-g or synthetic");
            }
            run(dataset, older, newer, target, work, runs, warmup);
        }
    }

    private static void run(String name, Path older, Path newer, String target, Path work, int runs, int warmup) {
        Path parent = Path.of(Training.run(options(older, target, work.resolve(name + "-parent")), ProgressListener.NONE).bundle());
        int parentTrees = trees(parent);
        Supplier<TrainingReport> cold = () -> Training.run(options(newer, target, work.resolve(name + "-cold")),
                ProgressListener.NONE);
        Supplier<TrainingReport> warm = () -> Training.run(options(newer, target, work.resolve(name + "-warm"))
                .withWarmStart(new WarmStart(parent, name + ":1")), ProgressListener.NONE);
        Result[] results = time(runs, warmup, cold, warm);
        System.out.printf(Locale.ROOT, "%n== %s: parent %d trees; new data %s; %d runs each, alternating ==%n", name,
                parentTrees, newer.getFileName(), runs);
        System.out.printf(Locale.ROOT, "%-6s %12s %12s %14s %14s %8s %8s%n", "", "run median s", "run min s",
                "gbdt fit med s", "gbdt fit min s", "rounds", "trees");
        print("cold", results[0]);
        print("warm", results[1]);
        System.out.printf(Locale.ROOT, "warm / cold medians: whole run %.2f, gbdt fit %.2f%n",
                results[1].median() / results[0].median(), results[1].fitMedian() / results[0].fitMedian());
    }

    private static TrainOptions options(Path data, String target, Path out) {
        return new TrainOptions(data, target, null, null, null, 0.2, 0.2, 42L, List.of("gbdt"), List.of(), null, null,
                out, true);
    }

    private static int trees(Path bundle) {
        return ((TreeEnsembleEstimator) KilnModel.load(bundle).bundle().estimator()).trees().size();
    }

    private record Result(double[] seconds, double[] fitSeconds, TrainingReport last) {
        double median() {
            return TrainingBenchmark.Timing.of(seconds).median();
        }

        double fitMedian() {
            return TrainingBenchmark.Timing.of(fitSeconds).median();
        }
    }

    private static void print(String label, Result r) {
        Map<?, ?> info = (Map<?, ?>) KilnModel.load(Path.of(r.last().bundle())).manifest().extra().get("training_info");
        System.out.printf(Locale.ROOT, "%-6s %12.3f %12.3f %14.3f %14.3f %8s %8d%n", label, r.median(),
                Arrays.stream(r.seconds()).min().orElse(Double.NaN), r.fitMedian(),
                Arrays.stream(r.fitSeconds()).min().orElse(Double.NaN), info.get("rounds_trained"),
                trees(Path.of(r.last().bundle())));
    }

    private static TrainingReport.Candidate gbdt(TrainingReport report) {
        return report.leaderboard().stream().filter(c -> c.algorithm().equals("gbdt")).findFirst().orElseThrow();
    }

    /** Each body {@code runs} times after {@code warmup} runs, alternating, so a shared machine's load falls on both alike. */
    @SafeVarargs
    private static Result[] time(int runs, int warmup, Supplier<TrainingReport>... bodies) {
        for (int i = 0; i < warmup; i++) {
            for (Supplier<TrainingReport> body : bodies) {
                body.get();
            }
        }
        double[][] seconds = new double[bodies.length][runs];
        double[][] fit = new double[bodies.length][runs];
        TrainingReport[] last = new TrainingReport[bodies.length];
        for (int i = 0; i < runs; i++) {
            for (int b = 0; b < bodies.length; b++) {
                System.gc();
                long start = System.nanoTime();
                last[b] = bodies[b].get();
                seconds[b][i] = (System.nanoTime() - start) / 1e9;
                fit[b][i] = gbdt(last[b]).trainSeconds();
            }
        }
        Result[] out = new Result[bodies.length];
        for (int b = 0; b < bodies.length; b++) {
            out[b] = new Result(seconds[b], fit[b], last[b]);
        }
        return out;
    }
}
