package dev.kiln.bench;

import dev.kiln.data.DataColumn;
import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.data.Splitter;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import dev.kiln.train.FeaturePipelineFitter;
import dev.kiln.train.Target;
import dev.kiln.train.TrainedModel;
import dev.kiln.train.Trainer;
import dev.kiln.train.Trainers;
import dev.kiln.train.TrainingData;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Training wall time per algorithm (not JMH: one fit takes seconds). For each data set it times, in one
 * JVM, a reference (read the CSV, prepare the target, split, fit the feature pipeline and encode the
 * rows) and then {@code Trainer.fit} for each algorithm on the encoded rows, the way {@code kiln train}
 * calls it: 20% of rows held out for test, 20% of the rest for validation (early stopping), stratified,
 * seed 42. Each measurement is the median of {@code --runs} runs after {@code --warmup} discarded runs.
 *
 * <pre>
 * java -cp bench/target/kiln-bench.jar dev.kiln.bench.TrainingBenchmark [--runs 3] [--warmup 1]
 *     [--rows 100000] [--algorithms baseline,linear,tree,forest,gbdt] [--datasets synthetic,credit-g]
 *     [--credit-g kiln-app/src/main/resources/dev/kiln/app/quickstart/credit-g.csv]
 * </pre>
 */
public final class TrainingBenchmark {
    static final long SEED = 42L;
    static final double TEST_FRACTION = 0.2;
    static final double VALIDATION_FRACTION = 0.2;

    private TrainingBenchmark() {
    }

    /** The encoded rows a trainer sees, for one setting of {@code needsScaling}. */
    record Prepared(Task task, int classes, TrainingData unscaled, TrainingData scaled, int rows) {
        TrainingData forTrainer(Trainer t) {
            return t.needsScaling() ? scaled : unscaled;
        }
    }

    record Timing(double median, double min, double max) {
        static Timing of(double[] seconds) {
            double[] s = seconds.clone();
            Arrays.sort(s);
            int n = s.length;
            double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
            return new Timing(median, s[0], s[n - 1]);
        }
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opts = parse(args);
        int runs = Integer.parseInt(opts.getOrDefault("runs", "3"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "1"));
        int rows = Integer.parseInt(opts.getOrDefault("rows", "100000"));
        List<String> algorithms = List.of(opts.getOrDefault("algorithms", "baseline,linear,tree,forest,gbdt").split(","));
        List<String> datasets = List.of(opts.getOrDefault("datasets", "synthetic,credit-g").split(","));
        Path creditG = Path.of(opts.getOrDefault("credit-g",
                "kiln-app/src/main/resources/dev/kiln/app/quickstart/credit-g.csv"));

        System.out.printf(Locale.ROOT, "Kiln training benchmark: median of %d runs after %d warm-up; %d processors; "
                        + "java %s; OMP_WAIT_POLICY=%s%n", runs, warmup, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), System.getenv().getOrDefault("OMP_WAIT_POLICY", "(unset)"));
        for (String dataset : datasets) {
            Path csv;
            String target;
            Path temp = null;
            switch (dataset.trim()) {
                case "synthetic" -> {
                    temp = Files.createTempFile("kiln-bench-synthetic-", ".csv");
                    writeCsv(SyntheticData.frame(rows, SEED), temp);
                    csv = temp;
                    target = SyntheticData.TARGET;
                }
                case "credit-g" -> {
                    csv = creditG;
                    target = "class";
                }
                default -> throw new IllegalArgumentException("unknown data set '" + dataset + "': synthetic or credit-g");
            }
            try {
                run(dataset.trim(), csv, target, algorithms, runs, warmup);
            } finally {
                if (temp != null) {
                    Files.deleteIfExists(temp);
                }
            }
        }
    }

    private static void run(String name, Path csv, String target, List<String> algorithms, int runs, int warmup) {
        Prepared[] last = new Prepared[1];
        Timing reference = time(runs, warmup, () -> last[0] = prepare(csv, target, false));
        Prepared prepared = prepare(csv, target, true);
        TrainingData d = prepared.unscaled();
        System.out.printf(Locale.ROOT, "%n== %s: %s, %d rows (%d fit, %d validation), %d features after the pipeline, %s ==%n",
                name, csv.getFileName(), prepared.rows(), d.x().length, d.validX().length, d.width(),
                prepared.task().wireName());
        System.out.printf(Locale.ROOT, "%-34s %10s %10s %10s %12s%n", "step", "median s", "min s", "max s", "x reference");
        print("reference: read + encode", reference, reference.median());
        for (String algorithm : algorithms) {
            Trainer trainer = Trainers.byName(algorithm);
            TrainingData data = prepared.forTrainer(trainer);
            TrainedModel[] model = new TrainedModel[1];
            Timing t = time(runs, warmup, () -> model[0] = trainer.fit(data, SEED));
            String label = algorithm + (model[0].estimator() instanceof TreeEnsembleEstimator e
                    ? " (" + e.trees().size() + (e.trees().size() == 1 ? " tree)" : " trees)") : "");
            print(label, t, reference.median());
        }
    }

    private static void print(String label, Timing t, double reference) {
        System.out.printf(Locale.ROOT, "%-34s %10.3f %10.3f %10.3f %12.2f%n", label, t.median(), t.min(), t.max(),
                t.median() / reference);
    }

    private static Timing time(int runs, int warmup, Runnable body) {
        for (int i = 0; i < warmup; i++) {
            body.run();
        }
        double[] seconds = new double[runs];
        for (int i = 0; i < runs; i++) {
            System.gc();
            long start = System.nanoTime();
            body.run();
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        return Timing.of(seconds);
    }

    /**
     * Reads the CSV, prepares the target, splits like {@code kiln train} (stratified test then validation),
     * fits the feature pipeline on the fit rows and encodes fit and validation rows. With {@code both},
     * also encodes the standardised variant (for linear); the timed reference encodes one variant.
     */
    static Prepared prepare(Path csv, String targetColumn, boolean both) {
        DataFrame all = DataReader.read(csv);
        Target target = BenchModels.target(all, targetColumn);
        DataFrame frame = target.frame();
        int[] classIds = Arrays.stream(target.y()).mapToInt(v -> (int) v).toArray();
        int[] allRows = java.util.stream.IntStream.range(0, frame.rowCount()).toArray();
        Splitter.Split outer = split(allRows, classIds, TEST_FRACTION, SEED);
        Splitter.Split inner = split(outer.train(), classIds, VALIDATION_FRACTION, SEED + 1);
        DataFrame fitRows = frame.select(inner.train());
        DataFrame validRows = frame.select(inner.test());
        double[] yFit = select(target.y(), inner.train());
        double[] yValid = select(target.y(), inner.test());
        List<String> features = BenchModels.features(frame, targetColumn);
        TrainingData unscaled = encode(target, fitRows, validRows, yFit, yValid, features, false);
        TrainingData scaled = both ? encode(target, fitRows, validRows, yFit, yValid, features, true) : null;
        return new Prepared(target.task(), target.classes().size(), unscaled, scaled, frame.rowCount());
    }

    private static TrainingData encode(Target target, DataFrame fitRows, DataFrame validRows, double[] yFit,
                                       double[] yValid, List<String> features, boolean scale) {
        var fit = FeaturePipelineFitter.fit(fitRows, features, FeaturePipelineFitter.Options.defaults(scale));
        return new TrainingData(target.task(), target.classes().size(), fit.pipeline().featureNames(),
                FeaturePipelineFitter.encode(fit.pipeline(), fitRows), yFit,
                FeaturePipelineFitter.encode(fit.pipeline(), validRows), yValid);
    }

    /** Stratified split of {@code rows}; the returned arrays hold frame row indices. */
    private static Splitter.Split split(int[] rows, int[] classIds, double fraction, long seed) {
        int[] local = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            local[i] = classIds[rows[i]];
        }
        Splitter.Split s = Splitter.stratified(local, fraction, seed);
        return new Splitter.Split(map(rows, s.train()), map(rows, s.test()));
    }

    private static int[] map(int[] rows, int[] local) {
        int[] out = new int[local.length];
        for (int i = 0; i < local.length; i++) {
            out[i] = rows[local[i]];
        }
        Arrays.sort(out);
        return out;
    }

    private static double[] select(double[] values, int[] rows) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = values[rows[i]];
        }
        return out;
    }

    static void writeCsv(DataFrame frame, Path file) {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(String.join(",", frame.names()));
            w.newLine();
            List<DataColumn> columns = frame.columns();
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < frame.rowCount(); i++) {
                line.setLength(0);
                for (int j = 0; j < columns.size(); j++) {
                    if (j > 0) {
                        line.append(',');
                    }
                    Object v = columns.get(j).value(i);
                    if (v instanceof Double d) {
                        if (!d.isNaN()) {
                            line.append(d.doubleValue());
                        }
                    } else if (v != null) {
                        line.append(v);
                    }
                }
                w.write(line.toString());
                w.newLine();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new HashMap<>();
        List<String> rest = new ArrayList<>(List.of(args));
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            if (!a.startsWith("--") || i + 1 >= rest.size()) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + a + "'");
            }
            opts.put(a.substring(2), rest.get(++i));
        }
        return opts;
    }
}
