package dev.kiln.app.cli;

import dev.kiln.app.lifecycle.Home;
import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.app.lifecycle.Tracking;
import dev.kiln.app.lifecycle.WarmStartSource;
import dev.kiln.app.promotion.Promotion;
import dev.kiln.runtime.Task;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelRef;
import dev.kiln.store.ModelVersion;
import dev.kiln.train.TrainOptions;
import dev.kiln.train.Tuning;
import dev.kiln.train.constraints.Constraints;
import dev.kiln.train.TrainingReport;
import dev.kiln.train.eval.CostMatrix;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train the baseline and candidate models, compare them on held-out rows, and write the "
                + "chosen model's bundle.",
                "The test rows are set aside first; validation rows are carved from the training rows for early "
                        + "stopping and for choosing the model; the test rows are scored once, for the report."})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "PATH", description = "training data: CSV, Parquet or JSON lines")
    Path data;

    @Option(names = "--target", required = true, paramLabel = "COL", description = "the column to predict")
    String target;

    @Option(names = "--task", paramLabel = "TASK", description = "binary, multiclass or regression (default: inferred from the target)")
    String task;

    @Option(names = "--split", paramLabel = "KIND", description = "random, stratified or time (default: stratified for classification, random for regression, time with --time-column)")
    String split;

    @Option(names = "--time-column", paramLabel = "COL", description = "order rows by this column for --split time; the latest rows are the test rows")
    String timeColumn;

    @Option(names = "--test-data", paramLabel = "PATH", description = "a separate file of test rows (same columns as --data): "
            + "every row of --data is then a training row and --test-fraction is not used")
    Path testData;

    @Option(names = "--test-fraction", paramLabel = "F", defaultValue = "0.2", description = "share of rows held out for the final test (default: ${DEFAULT-VALUE})")
    double testFraction;

    @Option(names = "--validation-fraction", paramLabel = "F", defaultValue = "0.2", description = "share of the training rows used for validation (default: ${DEFAULT-VALUE})")
    double validationFraction;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "random seed; the same seed gives the same models (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--algorithms", paramLabel = "LIST", split = ",",
            defaultValue = "baseline,linear,tree,forest,gbdt,gbdt_native,gbdt_balanced,ensemble",
            description = "candidates to train; the baseline is always trained. gbdt_native: a gbdt with XGBoost's "
                    + "categorical splits (when there is a categorical column); gbdt_balanced: a gbdt with balanced class "
                    + "weights (when the classes are imbalanced); ensemble: the blend of the others (default: ${DEFAULT-VALUE})")
    List<String> algorithms;

    @Option(names = "--exclude", paramLabel = "COLS", split = ",", description = "columns not to use as features (ids, leaks)")
    List<String> exclude = List.of();

    @Option(names = "--slice-by", paramLabel = "COLS", split = ",", description = "evaluate the chosen model on the test "
            + "rows of each group of these columns (values, or quartiles of a number; a*b for the groups of both at once); "
            + "binary models also get fairness gaps between the groups (parity, equal opportunity, equalized odds)")
    List<String> sliceBy = List.of();

    @Option(names = "--positive-class", paramLabel = "CLASS", description = "binary only: the event of interest (default: the minority class)")
    String positiveClass;

    @Option(names = "--cost-fp", paramLabel = "C", description = "binary only: cost of predicting the positive class for a negative row")
    Double costFalsePositive;

    @Option(names = "--cost-fn", paramLabel = "C", description = "binary only: cost of missing a positive row; with --cost-fp the decision threshold minimises cost")
    Double costFalseNegative;

    @Option(names = "--budget", paramLabel = "TIME", description = "time for the hyperparameter search across every "
            + "algorithm: 60s, 2m, 1h; 0 for each algorithm's defaults only (default: grows with the data, 20 s for a "
            + "thousand rows of twenty columns)")
    String budget;

    @Option(names = "--search-space", paramLabel = "SPEC", description = "narrow the search, e.g. "
            + "gbdt.max_depth=3..6,gbdt.learning_rate=0.05,linear.C=0.1..10 (docs/training.md lists the keys)")
    String searchSpace;

    @Option(names = "--group-column", paramLabel = "COL", description = "rows sharing a value of this column (a customer, "
            + "a patient) are never split between fitting and validation")
    String groupColumn;

    @Option(names = "--folds", paramLabel = "K", description = "cross-validation folds for data under 20,000 training rows (default: 5)")
    Integer folds;

    @Option(names = "--configurations", paramLabel = "N", description = "configurations each algorithm's search samples "
            + "(the default first; default 27 with 5 folds). Without --budget the search is then bounded by N, not the "
            + "clock: the same seed gives the same model on any machine")
    Integer configurations;

    @Option(names = "--max-latency-us", paramLabel = "US", description = "the chosen model answers one row within this "
            + "many microseconds at p99 (measured in process)")
    Double maxLatencyMicros;

    @Option(names = "--max-bundle-kb", paramLabel = "KB", description = "the chosen model's bundle is at most this many KB")
    Double maxBundleKb;

    @Option(names = "--max-train-seconds", paramLabel = "S", description = "the chosen model took at most this long to "
            + "search and train; also caps the search budget at half of it")
    Double maxTrainSeconds;

    @Option(names = "--interpretable", description = "only models a person can read: linear, a single tree of depth <= 6, "
            + "a gbdt of depth <= 3 with at most 100 trees")
    boolean interpretable;

    @Option(names = "--monotone", paramLabel = "COL=DIR", split = ",", description = "the prediction never decreases "
            + "(+1) or never increases (-1) as this numeric column grows, e.g. --monotone income=+1,debt=-1")
    List<String> monotone = List.of();

    @Option(names = "--warm-start-from", paramLabel = "REF", description = "continue this gbdt model on --data instead of "
            + "training from scratch: NAME@ALIAS, NAME:VERSION or a bundle directory. Its trees are kept and rounds added, "
            + "its feature pipeline, target and classes reused; only gbdt and the baseline are trained; the lineage names REF")
    String warmStartFrom;

    @Option(names = "--out", paramLabel = "DIR", description = "bundle directory to write (default: a new directory under HOME/bundles)")
    Path out;

    @Option(names = "--force", description = "replace --out if it already holds a bundle")
    boolean force;

    @Mixin
    StoreOptions store;

    @Option(names = "--experiment", paramLabel = "NAME", defaultValue = "default", description = "experiment the run is recorded in (default: ${DEFAULT-VALUE})")
    String experiment;

    @Option(names = "--register", paramLabel = "NAME", description = "register the chosen model as the next version of NAME")
    String register;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Override
    public Integer call() {
        if (register != null) {
            ModelRef.checkName(register, register);
        }
        TrainOptions options = options();
        TrainingReport report;
        Tracking.Tracked tracked;
        ModelVersion version = null;
        try (KilnStore s = store.open(); Progress progress = new Progress("train", !json)) {
            if (warmStartFrom != null) {
                options = options.withWarmStart(WarmStartSource.resolve(warmStartFrom, s));
            }
            tracked = Tracking.train(s, experiment, options, progress);
            report = tracked.report();
            if (register != null) {
                version = s.registry().register(register, Path.of(report.bundle()), tracked.run().id(), Promotion.actor(),
                        "kiln train --register " + register);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> result = new LinkedHashMap<>(Tracking.withoutProfile(report));
            result.put("run_id", tracked.run().id());
            if (version != null) {
                result.put("registered", Map.of("name", version.model(), "version", version.version()));
            }
            Reports.json(out, result);
        } else {
            out.print(Reports.summary(report));
            out.println();
            out.print(Reports.leaderboard(report));
            out.println();
            out.print(Reports.search(report));
            out.println("chosen: " + report.chosen() + " (best out-of-fold " + report.selectionMetric()
                    + (options.constraints().any() ? " among the candidates that meet every constraint" : "") + ")");
            out.print(Reports.confusion(report));
            out.print(Reports.business(report));
            out.print(Reports.slices(report));
            out.println("bundle: " + report.bundle());
            out.println("run: " + tracked.run().id() + " (experiment " + experiment + ")");
            if (version != null) {
                out.println("registered: " + version.model() + ":" + version.version()
                        + " (promote with: kiln models alias " + version.model() + " production " + version.version() + ")");
            }
            if (report.timings() != null) {
                out.println(timings(report.timings()));
            }
        }
        out.flush();
        return 0;
    }

    /**
     * Where the run's time went, in one line: the total, the fits (each candidate's search and refit) and the rest by
     * phase, in seconds; e.g. {@code time: 41.9 s = fits 30.2 (gbdt 25.1, linear 5.0, baseline 0.1) + read 3.1 + ...}.
     */
    static String timings(TrainingReport.Timings t) {
        StringBuilder line = new StringBuilder("time: " + seconds(t.total()) + " s = fits " + seconds(t.fits()) + " (");
        line.append(String.join(", ", t.fit().entrySet().stream().map(e -> e.getKey() + " " + seconds(e.getValue())).toList()));
        line.append(")");
        Map<String, Long> phases = new LinkedHashMap<>();
        phases.put("read", t.read());
        phases.put("profile", t.profile());
        phases.put("splits", t.targetAndSplits());
        phases.put("encode", t.encode());
        phases.put("calibrate", t.ensembleAndCalibration());
        phases.put("evaluate", t.evaluate());
        phases.put("bundle", t.bundle());
        phases.forEach((name, ms) -> line.append(" + ").append(name).append(' ').append(seconds(ms)));
        return line.toString();
    }

    private static String seconds(long ms) {
        return String.format(java.util.Locale.ROOT, "%.1f", ms / 1000.0);
    }

    /** A cost option's value: a finite number of 0 or more. */
    private static double cost(String option, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new dev.kiln.runtime.KilnException(dev.kiln.runtime.ErrorCode.INVALID_ARGUMENT,
                    option + " must be a finite cost of 0 or more, not " + value, Map.of("option", option, "value", String.valueOf(value)));
        }
        return value;
    }

    TrainOptions options() {
        if ((costFalsePositive == null) != (costFalseNegative == null)) {
            throw new dev.kiln.runtime.KilnException(dev.kiln.runtime.ErrorCode.INVALID_ARGUMENT,
                    "--cost-fp and --cost-fn go together");
        }
        CostMatrix cost = costFalsePositive == null ? null
                : new CostMatrix(cost("--cost-fp", costFalsePositive), cost("--cost-fn", costFalseNegative));
        Path bundle = out != null ? out : Home.newBundleDir(store.home(), data);
        return new TrainOptions(data, target, task == null ? null : Task.parse(task), Tracking.splitKind(split), timeColumn,
                testFraction, validationFraction, seed, algorithms, exclude, positiveClass, cost, bundle, force, sliceBy)
                .withTestData(testData)
                .withTuning(new Tuning(budget == null ? null : Tuning.parseBudget(budget, "--budget"), searchSpace,
                        groupColumn, folds, configurations))
                .withConstraints(Constraints.of(maxLatencyMicros, maxBundleKb, maxTrainSeconds, interpretable,
                        monotone.isEmpty() ? null : monotone));
    }
}
