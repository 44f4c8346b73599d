package dev.kiln.app.lifecycle;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.BundleReader;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelRef;
import dev.kiln.store.ModelVersion;
import dev.kiln.store.Run;
import dev.kiln.train.ProgressListener;
import dev.kiln.train.TrainOptions;
import dev.kiln.train.Tuning;
import dev.kiln.train.constraints.Constraints;
import dev.kiln.train.TrainingReport;
import dev.kiln.train.WarmStart;
import dev.kiln.train.eval.CostMatrix;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Retraining a registered model version on new data with the training configuration recorded for it, so a
 * person ({@code kiln retrain}) or an alert policy can refresh a model the same way.
 *
 * <p>The configuration comes from the parameters that {@code kiln train} logged on the version's source run
 * (target, task, split, time column, test and validation fractions, seed, algorithms, excluded columns,
 * positive class, cost matrix); a missing one is an error naming it. When the original run let Kiln infer
 * the task, the retrain pins it to the version's task, and for a binary model it pins the positive class to
 * the version's, so the new version predicts the same thing. The new run is tracked like any training run
 * and tagged {@value #RETRAIN_TAG} = {@code NAME:VERSION}; the result is registered as the next version of the
 * same model (or of {@link Options#registerAs}). No alias moves: promotion is left to the gates. With
 * {@link Options#warmStart} the version's GBDT is continued on the new data instead of trained from scratch.
 */
public final class Retraining {
    /** Run tag naming the model version a run retrains, as {@code NAME:VERSION}. */
    public static final String RETRAIN_TAG = "kiln.retrain_of";
    /** Run tag naming the source version's run. */
    public static final String SOURCE_RUN_TAG = "kiln.retrain_source_run";

    private static final List<String> REQUIRED = List.of("target", "task", "split", "test_fraction",
            "validation_fraction", "seed", "algorithms");

    private Retraining() {
    }

    /**
     * @param experiment experiment the new run is recorded in; null for the source version's run's experiment
     * @param seed       replaces the recorded seed when not null
     * @param registerAs model name to register under; null for the source version's model
     * @param out        bundle directory to write; null for a new directory under the Kiln home
     * @param warmStart  continue the source version's GBDT on the new data instead of training from scratch
     *                   ({@link WarmStart}: only gbdt and the baseline are trained; the lineage names the source)
     */
    public record Options(String experiment, Long seed, String registerAs, Path out, boolean warmStart) {
        public Options(String experiment, Long seed, String registerAs, Path out) {
            this(experiment, seed, registerAs, out, false);
        }

        public static Options defaults() {
            return new Options(null, null, null, null);
        }

        public Options withWarmStart(boolean warm) {
            return new Options(experiment, seed, registerAs, out, warm);
        }
    }

    /**
     * @param source     the version that was retrained
     * @param options    the training options rebuilt from its run (pointing at the new data)
     * @param pinned     parameters the recorded run left to inference, fixed to the source version's values
     * @param run        the new tracked run (with the retrain tags)
     * @param registered the new version
     */
    public record Result(ModelVersion source, TrainOptions options, Map<String, String> pinned, TrainingReport report,
                         Run run, ModelVersion registered) {
        /** The command that promotes the new version, through the gates. */
        public String promoteCommand() {
            return "kiln models alias " + registered.model() + " production " + registered.version();
        }
    }

    public static Result retrain(KilnStore store, String ref, Path data, String actor, ProgressListener progress) {
        return retrain(store, ref, data, actor, progress, Options.defaults());
    }

    public static Result retrain(KilnStore store, String ref, Path data, String actor, ProgressListener progress,
                                 Options options) {
        options = options == null ? Options.defaults() : options;
        progress = progress == null ? ProgressListener.NONE : progress;
        if (options.registerAs() != null) {
            ModelRef.checkName(options.registerAs(), options.registerAs());
        }
        ModelVersion source = store.registry().resolve(ModelRef.parse(ref));
        String label = source.model() + ":" + source.version();
        if (source.sourceRunId() == null || source.sourceRunId().isBlank()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot retrain " + label
                    + ": it was registered without a training run, so its training configuration is unknown",
                    Map.of("model", source.model(), "version", source.version()));
        }
        Run sourceRun = store.tracking().run(source.sourceRunId()).orElseThrow(() -> new KilnException(ErrorCode.RUN_NOT_FOUND,
                "cannot retrain " + label + ": its training run " + source.sourceRunId() + " is not in the store",
                Map.of("model", source.model(), "version", source.version(), "run", source.sourceRunId())));
        Path out = options.out() != null ? options.out() : Home.newBundleDir(store.home(), data);
        Map<String, String> pinned = new LinkedHashMap<>();
        TrainOptions train = trainOptions(label, sourceRun, source, data, out, options.seed(), store, pinned);
        if (options.warmStart()) {
            train = train.withWarmStart(WarmStartSource.of(store, source));
        }

        // The listener hears the start, training's own steps (a terminal bar redraws them) and the end.
        progress.onStep("retraining " + label, 0, 2);
        Map<String, String> tags = Map.of(RETRAIN_TAG, label, SOURCE_RUN_TAG, source.sourceRunId());
        // A refresh belongs next to the run it refreshes, unless the caller names another experiment.
        String experiment = options.experiment() != null ? options.experiment() : sourceRun.experiment();
        Tracking.Tracked tracked = Tracking.train(store, experiment, train, progress, tags);
        String runId = tracked.run().id();
        String name = options.registerAs() != null ? options.registerAs() : source.model();
        ModelVersion registered = store.registry().register(name, Path.of(tracked.report().bundle()), runId, actor,
                "kiln retrain " + label);
        progress.onStep("registered " + registered.model() + ":" + registered.version(), 2, 2);
        Run run = store.tracking().run(runId).orElse(tracked.run());
        return new Result(source, train, pinned, tracked.report(), run, registered);
    }

    /** Rebuilds the training options recorded on {@code run}, pointed at {@code data}. */
    static TrainOptions trainOptions(String label, Run run, ModelVersion source, Path data, Path out, Long seedOverride,
                                     KilnStore store, Map<String, String> pinned) {
        Map<String, String> p = run.params() == null ? Map.of() : run.params();
        for (String key : REQUIRED) {
            if (!p.containsKey(key) || p.get(key) == null || p.get(key).isBlank()) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot retrain " + label + ": its training run "
                        + run.id() + " did not record the parameter '" + key + "' (recorded: "
                        + String.join(", ", p.keySet().stream().sorted().toList()) + ")",
                        Map.of("parameter", key, "run", run.id()));
            }
        }
        String target = p.get("target");
        Task task;
        if ("auto".equals(p.get("task"))) {
            task = parse(label, run, "task", source.task(), Task::parse);
            pinned.put("task", task.wireName());
        } else {
            task = parse(label, run, "task", p.get("task"), Task::parse);
        }
        TrainOptions.SplitKind split = "auto".equals(p.get("split")) ? null
                : parse(label, run, "split", p.get("split"), Tracking::splitKind);
        double testFraction = parse(label, run, "test_fraction", p.get("test_fraction"), Double::parseDouble);
        double validationFraction = parse(label, run, "validation_fraction", p.get("validation_fraction"), Double::parseDouble);
        long seed = seedOverride != null ? seedOverride : parse(label, run, "seed", p.get("seed"), Long::parseLong);
        List<String> algorithms = list(p.get("algorithms"));
        List<String> exclude = list(p.get("exclude"));
        String positive = p.get("positive_class");
        if (positive == null && task == Task.BINARY) {
            // The recorded run picked the minority class; new data could flip it, so keep the version's.
            BundleManifest manifest = BundleReader.read(store.registry().bundlePath(source)).manifest();
            if (manifest.positiveClass() != null) {
                positive = manifest.positiveClass();
                pinned.put("positive_class", positive);
            }
        }
        String fp = p.get("cost_fp");
        String fn = p.get("cost_fn");
        if ((fp == null) != (fn == null)) {
            String lacking = fp == null ? "cost_fp" : "cost_fn";
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot retrain " + label + ": its training run " + run.id()
                    + " recorded one cost but not the parameter '" + lacking + "'", Map.of("parameter", lacking, "run", run.id()));
        }
        CostMatrix cost = fp == null ? null : new CostMatrix(parse(label, run, "cost_fp", fp, Retraining::cost),
                parse(label, run, "cost_fn", fn, Retraining::cost));
        List<String> sliceBy = p.get("slice_by") == null ? List.of() : list(p.get("slice_by"));
        // The search and the production constraints carry over: a latency or size budget is the deployment's, not the run's.
        Double budget = p.get("budget_seconds") == null ? null
                : parse(label, run, "budget_seconds", p.get("budget_seconds"), Double::parseDouble);
        Integer folds = p.get("folds") == null ? null : parse(label, run, "folds", p.get("folds"), Integer::parseInt);
        Integer configurations = p.get("configurations") == null ? null
                : parse(label, run, "configurations", p.get("configurations"), Integer::parseInt);
        Tuning tuning = new Tuning(budget == null ? null : java.time.Duration.ofMillis(Math.round(budget * 1000)),
                p.get("search_space"), p.get("group_column"), folds, configurations);
        Constraints constraints = Constraints.of(number(label, run, p, "max_latency_us"), number(label, run, p, "max_bundle_kb"),
                number(label, run, p, "max_train_seconds"), "true".equals(p.get("interpretable")), monotone(p.get("monotone")));
        return new TrainOptions(data, target, task, split, p.get("time_column"), testFraction, validationFraction, seed,
                algorithms, exclude, positive, cost, out, false, sliceBy).withTuning(tuning).withConstraints(constraints);
    }

    private static Double number(String label, Run run, Map<String, String> p, String key) {
        return p.get(key) == null ? null : parse(label, run, key, p.get(key), Double::parseDouble);
    }

    /** {@code {income=1, debt=-1}}, as the run recorded its monotone constraints, back into {@code income=1} entries. */
    private static List<String> monotone(String recorded) {
        if (recorded == null || recorded.isBlank()) {
            return null;
        }
        String inner = recorded.strip();
        if (inner.startsWith("{") && inner.endsWith("}")) {
            inner = inner.substring(1, inner.length() - 1);
        }
        return list(inner);
    }

    private static List<String> list(String csv) {
        if (csv == null || csv.isBlank()) {
            return List.of();
        }
        return new ArrayList<>(Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
    }

    /** A recorded cost: a finite number of 0 or more (a run recorded over the REST API may hold anything). */
    private static double cost(String text) {
        double v = Double.parseDouble(text);
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new NumberFormatException("not a finite cost of 0 or more: " + text);
        }
        return v;
    }

    private static <T> T parse(String label, Run run, String key, String value, java.util.function.Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (RuntimeException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot retrain " + label + ": its training run " + run.id()
                    + " recorded " + key + " = '" + value + "', which cannot be read", Map.of("parameter", key, "run", run.id()));
        }
    }

    /** The training configuration as snake_case keys, for output. */
    public static Map<String, Object> config(TrainOptions o) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("data", o.data().toString());
        c.put("target", o.target());
        c.put("task", o.task() == null ? "auto" : o.task().wireName());
        c.put("split", o.split() == null ? "auto" : o.split().wireName());
        if (o.timeColumn() != null) {
            c.put("time_column", o.timeColumn());
        }
        c.put("test_fraction", o.testFraction());
        c.put("validation_fraction", o.validationFraction());
        c.put("seed", o.seed());
        c.put("algorithms", o.algorithms());
        c.put("exclude", o.exclude());
        if (o.positiveClass() != null) {
            c.put("positive_class", o.positiveClass());
        }
        if (o.costMatrix() != null) {
            c.put("cost_fp", o.costMatrix().falsePositive());
            c.put("cost_fn", o.costMatrix().falseNegative());
        }
        if (!o.sliceBy().isEmpty()) {
            c.put("slice_by", o.sliceBy());
        }
        if (o.warmStart() != null) {
            c.put("warm_start_from", o.warmStart().parentVersion());
        }
        return c;
    }
}
