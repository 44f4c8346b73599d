package dev.kiln.spark.cli;

import dev.kiln.runtime.Task;
import dev.kiln.spark.train.SparkTrainOptions;
import dev.kiln.spark.train.SparkTrainReport;
import dev.kiln.spark.train.SparkTraining;
import dev.kiln.spark.train.TrackedSparkTraining;
import dev.kiln.store.KilnHome;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelRef;
import dev.kiln.store.StoreOptions;
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
        description = {"Train kiln train's GBDT on Spark: the feature pipeline fitted from statistics merged over the "
                + "partitions, the trees by XGBoost4J-Spark across the executors; the same bundle format, tracked as a run "
                + "and registered (--register) like kiln train.",
                "One candidate (gbdt, kiln train's defaults unless the options below say otherwise), no search, no "
                        + "calibration; a random split (Spark's seeded randomSplit). docs/spark.md says what differs."})
final class TrainJob implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "PATH", description = "training data: a file or directory (Parquet, CSV, JSON lines)")
    String data;

    @Option(names = "--format", paramLabel = "FORMAT", description = "parquet, csv or json (JSON lines); default: from the path's extension")
    String format;

    @Option(names = "--target", required = true, paramLabel = "COL", description = "the column to predict")
    String target;

    @Option(names = "--task", paramLabel = "TASK", description = "binary, multiclass or regression (default: inferred from the target, as kiln train)")
    String task;

    @Option(names = "--exclude", paramLabel = "COLS", split = ",", description = "columns not to use as features (ids, leaks)")
    List<String> exclude = List.of();

    @Option(names = "--test-fraction", paramLabel = "F", defaultValue = "0.2", description = "share of rows held out for the final test (default: ${DEFAULT-VALUE})")
    double testFraction;

    @Option(names = "--validation-fraction", paramLabel = "F", defaultValue = "0.2", description = "share of the training rows for early stopping (default: ${DEFAULT-VALUE})")
    double validationFraction;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "random seed of the split and of XGBoost (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--positive-class", paramLabel = "CLASS", description = "binary only: the event of interest (default: a yes/no target's yes, else the minority class)")
    String positiveClass;

    @Option(names = "--max-depth", paramLabel = "N", defaultValue = "6", description = "tree depth, kiln train's gbdt.max_depth (default: ${DEFAULT-VALUE})")
    int maxDepth;

    @Option(names = "--learning-rate", paramLabel = "ETA", defaultValue = "0.1", description = "shrinkage, kiln train's gbdt.learning_rate (default: ${DEFAULT-VALUE})")
    double learningRate;

    @Option(names = "--max-rounds", paramLabel = "N", defaultValue = "300", description = "boosting rounds at most (default: ${DEFAULT-VALUE})")
    int maxRounds;

    @Option(names = "--early-stopping-rounds", paramLabel = "N", defaultValue = "20", description = "stop once the validation "
            + "metric has not improved for N rounds and keep the rounds up to the best; 0: keep every round (default: ${DEFAULT-VALUE})")
    int earlyStoppingRounds;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "0", description = "XGBoost workers, Spark tasks that train "
            + "together (each needs a task slot at once); 0: the session's default parallelism (default: ${DEFAULT-VALUE})")
    int workers;

    @Mixin
    SparkMaster master;

    @Option(names = "--out", paramLabel = "DIR", description = "bundle directory to write (default: a new directory under HOME/bundles)")
    Path out;

    @Option(names = "--force", description = "replace --out if it already holds a bundle")
    boolean force;

    @Mixin
    StoreOptions store;

    @Option(names = "--experiment", paramLabel = "NAME", defaultValue = "default", description = "experiment the run is recorded in (default: ${DEFAULT-VALUE})")
    String experiment;

    @Option(names = "--register", paramLabel = "NAME", description = "register the model as the next version of NAME")
    String register;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Override
    public Integer call() {
        if (register != null) {
            ModelRef.checkName(register, register);
        }
        DataFormat in = DataFormat.of(format, "--format", data, "--data");
        Inputs.requireExists(data, "--data");
        Path kilnHome = store.home();
        String source = Inputs.describe(data);
        SparkTrainOptions options = new SparkTrainOptions(source, target, task == null ? null : Task.parse(task), exclude,
                testFraction, validationFraction, seed, positiveClass, maxDepth, learningRate, maxRounds,
                earlyStoppingRounds, workers, out != null ? out : KilnHome.newBundleDir(kilnHome, fileName(source)), force);
        TrackedSparkTraining.Tracked tracked;
        try (KilnStore s = store.open();
             Sessions.Started session = master.start("kiln spark train")) {
            tracked = TrackedSparkTraining.train(s, experiment, options, register, System.getProperty("user.name", "unknown"),
                    () -> SparkTraining.run(Inputs.read(session.spark(), in, data, "--data"), options));
        }
        PrintWriter w = spec.commandLine().getOut();
        Map<String, Object> report = new LinkedHashMap<>(SparkTrainReport.of(tracked.result()));
        report.put("run_id", tracked.run().id());
        if (tracked.registered() != null) {
            report.put("registered", Map.of("name", tracked.registered().model(), "version", tracked.registered().version()));
        }
        if (json) {
            Reports.json(w, report);
        } else {
            var r = tracked.result();
            w.println("trained gbdt (" + r.task().wireName() + ") on Spark: " + r.trainRows() + " fitting, "
                    + r.validationRows() + " validation, " + r.testRows() + " test rows; " + r.trainingInfo().get("rounds_kept")
                    + " rounds kept of " + r.trainingInfo().get("rounds_trained"));
            w.println("test metrics: " + r.testMetrics());
            w.println("baseline on the test rows: " + r.baselineTestMetrics());
            r.notes().forEach(n -> w.println("note: " + n));
            w.println("bundle: " + r.bundle());
            w.println("run: " + tracked.run().id() + " (experiment " + experiment + ")");
            if (tracked.registered() != null) {
                w.println("registered: " + tracked.registered().model() + ":" + tracked.registered().version()
                        + " (promote with: kiln models alias " + tracked.registered().model() + " production "
                        + tracked.registered().version() + ")");
            }
        }
        w.flush();
        return 0;
    }

    /** The last part of a path or URI (a directory's trailing / ignored): what a default bundle directory is named after. */
    private static String fileName(String source) {
        String name = source.replaceAll("/+$", "");
        return name.substring(name.lastIndexOf('/') + 1);
    }
}
