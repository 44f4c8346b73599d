package dev.kiln.train;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnVersion;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Calibration;
import dev.kiln.runtime.bundle.Lineage;
import dev.kiln.runtime.bundle.ReferenceSketch;
import dev.kiln.runtime.profile.DatasetSketch;
import dev.kiln.train.calibration.CalibrationFitter;
import dev.kiln.train.constraints.Constraints;
import dev.kiln.train.constraints.ConstraintsCheck;
import dev.kiln.train.eval.Curves;
import dev.kiln.train.eval.Metrics;
import dev.kiln.train.eval.Slices;
import dev.kiln.train.search.SearchBudget;
import dev.kiln.train.search.SearchSpace;
import dev.kiln.train.search.TrialListener;
import dev.kiln.train.search.TuneResult;
import dev.kiln.train.validation.ValidationPlan;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One training run: read, profile, split the test rows off (or take them from --test-data), fit the feature pipelines on
 * the training rows, search each algorithm's hyperparameters on a validation plan (k-fold for small data, a holdout for
 * large) and refit the best configuration on every training row, add the ensemble of the candidates, calibrate each
 * classifier on its out-of-fold outputs, choose the best candidate that meets every constraint by its out-of-fold metric,
 * report every candidate on the test rows once, and write the chosen model's bundle.
 */
public final class Training {

    private Training() {
    }

    public static TrainingReport run(TrainOptions options, ProgressListener progress) {
        return run(options, progress, TrialListener.NONE);
    }

    /** As above; {@code trials} is told of every search trial as it is ranked (to record it as a child run). */
    public static TrainingReport run(TrainOptions options, ProgressListener progress, TrialListener trials) {
        return run(options, progress, trials, PhaseClock.system());
    }

    /** As above, timing its phases on {@code clock}. */
    static TrainingReport run(TrainOptions options, ProgressListener progress, TrialListener trials, PhaseClock clock) {
        checkOptions(options);
        Constraints constraints = options.constraints();
        ConstraintsCheck.checkOptions(constraints, options.algorithms(), options.warmStart() != null);
        // A warm start continues the parent's GBDT: its pipeline, target and classes are kept (WarmStartParent).
        WarmStartParent parent = options.warmStart() == null ? null : WarmStartParent.load(options.warmStart());
        if (parent != null) {
            options = parent.pinned(options);
            // After loading the parent: that it is no gbdt model is the more useful refusal.
            if (!options.algorithms().isEmpty() && !options.algorithms().contains(WarmStart.ALGORITHM)) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a warm start continues a " + WarmStart.ALGORITHM
                        + " model, but --algorithms " + String.join(",", options.algorithms()) + " does not include "
                        + WarmStart.ALGORITHM, Map.of("option", "--algorithms"));
            }
        }
        List<String> notes = new ArrayList<>();
        List<String> algorithms = candidates(options);
        for (String a : List.copyOf(algorithms)) {
            String why = ConstraintsCheck.notTrained(constraints, a);
            if (why != null) {
                algorithms.remove(a);
                notes.add(why);
            }
        }
        Steps steps = new Steps(progress, algorithms.size() + 4);
        steps.next("reading " + options.data().getFileName());
        Prepared prepared = Prepared.of(options, parent, constraints, steps, clock);
        Target target = prepared.target();
        List<String> features = prepared.features();
        Splits splits = prepared.splits();
        TrainingRows rows = prepared.rows();
        ValidationPlan plan = prepared.plan();
        String metric = selectionMetric(target.task());
        SearchBudget budget = ValidationPlans.budget(options, rows.y().length, features.size());
        SearchSpace space = ValidationPlans.space(options);

        List<Fitted> fitted = new ArrayList<>(CandidateFitting.fitAll(new CandidateFitting.Request(algorithms, features, rows,
                target.task(), target.classes().size(), options, constraints, plan, space, budget, metric, parent, steps,
                trials, notes, clock)));
        notes.addAll(notes(target, fitted));
        if (parent != null && !options.algorithms().stream().allMatch(algorithms::contains)) {
            notes.add("warm start: only " + WarmStart.ALGORITHM + " continues " + parent.label() + "; not trained: "
                    + String.join(", ", options.algorithms().stream().filter(a -> !algorithms.contains(a)).toList()));
        }
        clock.lap(TrainingReport.Timings.TARGET_AND_SPLITS); // the candidates' notes
        steps.next("ensembling and calibrating");
        if (algorithms.contains(EnsembleCandidate.NAME)) {
            Fitted ensemble = EnsembleCandidate.of(fitted, target.task(), target.classes().size(), rows, options.seed());
            if (ensemble != null) {
                fitted.add(ensemble);
            }
        }
        for (int i = 0; i < fitted.size(); i++) {
            fitted.set(i, calibrated(target, fitted.get(i), rows.y(), options.seed()));
        }
        Map<String, Map<String, Double>> validationMetrics = validationMetrics(target.task(), fitted, rows.y());
        clock.lap(TrainingReport.Timings.ENSEMBLE_AND_CALIBRATION);

        steps.next("evaluating on test rows");
        Lineage lineage = new Lineage(prepared.source(), prepared.sha256(), prepared.rowCount(), rows.y().length,
                coveredRows(fitted.get(0)), splits.test().length, splits.kind().wireName(), options.seed(),
                parameters(options, target.task(), target, plan), KilnVersion.get(), System.getProperty("kiln.gitCommit"),
                Instant.now().toString(), parent == null ? null : parent.lineage());
        TestEvaluation.Result evaluated = TestEvaluation.run(options, target, fitted, validationMetrics, rows, lineage,
                metric, parent);
        Fitted chosen = evaluated.chosen();

        double threshold = evaluated.threshold();
        double[][] chosenTest = chosen.testOutputs();
        List<Slices.Column> slices = options.sliceBy().isEmpty() ? List.of()
                : ChosenModelAnalyses.slices(options, target.task(), prepared.sliceRows(), rows.yTest(), chosenTest,
                        threshold);
        BundleManifest chosenManifest = withAnalyses(evaluated.chosenManifest(), slices, chosen);
        Curves curves = target.task() == Task.BINARY && rows.testCount() > 0
                ? Curves.of(labels(rows.yTest()), Arrays.stream(chosenTest).mapToDouble(o -> o[0]).toArray()) : null;
        Calibration calibration = chosen.calibration();
        if (calibration != null) {
            chosenManifest = chosenManifest.withExtra("calibration", CalibrationFitter.summary(calibration));
        }
        chosenManifest = chosenManifest.withExtra("validation", Map.of("kind", plan.kind().wireName(),
                "folds", plan.folds().size(), "description", plan.description()));
        clock.lap(TrainingReport.Timings.EVALUATE);
        steps.next("writing bundle");
        Path bundleDir = writeBundle(options, prepared.summaries(), splits, chosenManifest, chosen, calibration);
        TrainingReport.Validation validation = new TrainingReport.Validation(plan.kind().wireName(), plan.folds().size(),
                plan.description(), coveredRows(fitted.get(0)), plan.notes());
        List<TrainingReport.Search> searches = searches(fitted, budget, algorithms);
        clock.lap(TrainingReport.Timings.BUNDLE);
        progress.onStep("done", steps.total(), steps.total());
        return new TrainingReport(prepared.source(), prepared.sha256(), prepared.rowCount(), options.target(), target.task(),
                target.classes(), target.positiveClass(), metric, splits.kind().wireName(), rows.y().length,
                coveredRows(fitted.get(0)), splits.test().length, notes, evaluated.leaderboard(), chosen.algorithm(),
                bundleDir.toString(), evaluated.confusion(), evaluated.business(), prepared.profile(), slices, curves,
                featureImportance(chosenManifest), validation, searches, chosen.calibrationReport(), clock.timings());
    }

    private static long coveredRows(Fitted f) {
        long n = 0;
        for (boolean c : f.covered()) {
            n += c ? 1 : 0;
        }
        return n;
    }

    /** Each searched candidate's search, for the report. */
    private static List<TrainingReport.Search> searches(List<Fitted> fitted, SearchBudget budget, List<String> algorithms) {
        List<TrainingReport.Search> out = new ArrayList<>();
        for (Fitted f : fitted) {
            TuneResult t = f.tune();
            if (t == null) {
                continue;
            }
            long variants = fitted.stream().filter(o -> o.tune() != null && o.tune().algorithm().equals(t.algorithm())).count();
            out.add(new TrainingReport.Search(f.algorithm(), t.metric(),
                    budget.total().compareTo(Tuning.UNBOUNDED) >= 0 ? null
                            : CandidateFitting.variantBudget(budget.forAlgorithm(t.algorithm(), algorithms), variants).toMillis() / 1000.0,
                    f.trainSeconds(), t.trials(),
                    t.bestTrialId(), t.bestScore(), t.bestConfig(), t.refitConfig(), t.notes()));
        }
        return out;
    }

    /**
     * A classifier candidate with its calibration fitted on its out-of-fold outputs and applied (as scikit-learn's
     * CalibratedClassifierCV(ensemble=False): calibrated on cross-validated predictions, applied to the refitted model);
     * the baseline and regression models as they are.
     */
    private static Fitted calibrated(Target target, Fitted f, double[] y, long seed) {
        if (!target.task().isClassification() || f.algorithm().equals("baseline")) {
            return f;
        }
        double[][] oof = f.coveredOof();
        int[] labels = labels(Calibrated.select(y, f.covered()));
        String on = f.tune() != null && f.tune().trials().isEmpty() ? CalibrationFitter.HELD_OUT : "out-of-fold predictions";
        CalibrationFitter.Outcome outcome = CalibrationFitter.fitApplied(target.task(), target.classes(), oof, labels, seed, on);
        return f.withCalibration(outcome.calibration(), outcome.report());
    }

    /** The baseline first, then the requested algorithms in order, each once; with a warm start, only gbdt. */
    private static List<String> candidates(TrainOptions options) {
        List<String> algorithms = new ArrayList<>(List.of("baseline"));
        if (options.warmStart() != null) {
            algorithms.add(WarmStart.ALGORITHM);
            return algorithms;
        }
        for (String a : options.algorithms()) {
            String name = a.trim().toLowerCase(java.util.Locale.ROOT); // as written on the command line: ' TREE ' is tree
            if (!algorithms.contains(name)) {
                algorithms.add(name);
            }
        }
        return algorithms;
    }

    /** The target's notes, then each feature pipeline's, each once. */
    private static List<String> notes(Target target, List<Fitted> fitted) {
        List<String> notes = new ArrayList<>(target.notes());
        for (Fitted f : fitted) {
            for (String note : f.enc().fit().notes()) {
                if (!notes.contains(note)) {
                    notes.add(note);
                }
            }
        }
        return notes;
    }

    /** Each candidate's metrics on its out-of-fold outputs of the covered training rows (raw: calibration is fitted on them). */
    private static Map<String, Map<String, Double>> validationMetrics(Task task, List<Fitted> fitted, double[] y) {
        Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
        for (Fitted f : fitted) {
            metrics.put(f.algorithm(), Metrics.of(task, Calibrated.select(y, f.covered()), f.coveredOof(), 0.5));
        }
        return metrics;
    }

    /** What drives the chosen model, as its manifest carries it; null when it could not be explained. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> featureImportance(BundleManifest manifest) {
        Object importance = manifest.extra() == null ? null : manifest.extra().get("feature_importance");
        return importance instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    /** The chosen model's manifest with its slices and what drives it (explained on the training rows). */
    private static BundleManifest withAnalyses(BundleManifest manifest, List<Slices.Column> slices, Fitted chosen) {
        if (!slices.isEmpty()) {
            manifest = manifest.withExtra("slices", slices);
        }
        Map<String, Object> importance = ChosenModelAnalyses.importance(manifest, chosen.enc().fit().pipeline(),
                chosen.model().estimator(), chosen.enc().x());
        return importance == null ? manifest : manifest.withExtra("feature_importance", importance);
    }

    private static Path writeBundle(TrainOptions options, TrainingRowSummaries summaries, Splits splits,
                                    BundleManifest manifest, Fitted chosen, Calibration calibration) {
        ReferenceSketch sketch = referenceSketch(summaries, manifest, chosen, splits.test().length);
        return BundleWriter.write(options.out(), manifest, chosen.enc().fit().pipeline(),
                chosen.model().estimator(), summaries.profile(), sketch, calibration, chosen.model().xgboostModel(),
                options.replaceOutput());
    }

    /**
     * Sketches of the model's input columns on the training rows, and of its output on rows it had not seen: the
     * out-of-fold outputs of the training rows (what models of the same configuration said without having seen them)
     * and the chosen model's outputs on the test rows, both calibrated as it serves: what drift monitoring compares live
     * traffic with.
     */
    private static ReferenceSketch referenceSketch(TrainingRowSummaries summaries, BundleManifest manifest, Fitted chosen,
                                                   int testRows) {
        DatasetSketch features = summaries.sketch(chosen.enc().fit().pipeline().inputColumns());
        DatasetSketch.Builder outputs = DatasetSketch.builder(ReferenceSketch.outputSchema(manifest.task()));
        double[][] oof = Calibrated.outputs(chosen.calibration(), chosen.coveredOof());
        double[][] test = chosen.testOutputs();
        for (double[][] block : List.of(oof, test)) {
            for (double[] o : block) {
                Object v = switch (manifest.task()) {
                    case BINARY -> o[0];
                    case MULTICLASS -> manifest.classes().get(argMax(o));
                    case REGRESSION -> o[0];
                };
                outputs.addRow(Map.of(ReferenceSketch.PREDICTION, v));
            }
        }
        return new ReferenceSketch("training rows: " + summaries.rows(), features,
                "out-of-fold outputs of training rows: " + oof.length + "; test rows: " + testRows, outputs.build());
    }

    private static void checkOptions(TrainOptions o) {
        if (o.data() == null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--data is required: the training data file",
                    Map.of("option", "--data"));
        }
        if (o.target() == null || o.target().isBlank()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--target is required: the column to predict",
                    Map.of("option", "--target"));
        }
        if (o.out() == null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--out is required: the bundle directory to write",
                    Map.of("option", "--out"));
        }
        for (String slice : o.sliceBy()) {
            for (String part : slice.split(java.util.regex.Pattern.quote(Slices.CROSS), -1)) {
                if (part.isBlank()) {
                    throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--slice-by '" + slice + "' names an empty column: "
                            + "give a column, or columns joined by '" + Slices.CROSS + "' (a" + Slices.CROSS + "b)",
                            Map.of("option", "--slice-by", "value", slice));
                }
            }
        }
        if (!(o.testFraction() > 0 && o.testFraction() < 1)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--test-fraction must be between 0 and 1 (exclusive), got "
                    + o.testFraction(), Map.of("option", "--test-fraction", "value", String.valueOf(o.testFraction())));
        }
        if (!(o.validationFraction() > 0 && o.validationFraction() < 1)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--validation-fraction must be between 0 and 1 (exclusive), got "
                    + o.validationFraction(), Map.of("option", "--validation-fraction",
                    "value", String.valueOf(o.validationFraction())));
        }
        for (String a : o.algorithms()) {
            if (!TrainOptions.ALL_ALGORITHMS.contains(a.trim().toLowerCase(java.util.Locale.ROOT))) {
                Trainers.byName(a); // names the algorithms it knows
            }
        }
        if (o.split() == TrainOptions.SplitKind.TIME && o.timeColumn() == null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--split time needs --time-column");
        }
        if (o.timeColumn() != null && o.split() != null && o.split() != TrainOptions.SplitKind.TIME) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--time-column is only used with --split time");
        }
    }

    static String selectionMetric(Task task) {
        return switch (task) {
            case BINARY -> "roc_auc";
            case MULTICLASS -> "log_loss";
            case REGRESSION -> "rmse";
        };
    }

    static int[] labels(double[] y) {
        return Arrays.stream(y).mapToInt(v -> (int) v).toArray();
    }

    static int argMax(double[] v) {
        int best = 0;
        for (int j = 1; j < v.length; j++) {
            if (v[j] > v[best]) {
                best = j;
            }
        }
        return best;
    }


    private static Map<String, Object> parameters(TrainOptions o, Task task, Target target, ValidationPlan plan) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("target", o.target());
        p.put("task", task.wireName());
        p.put("algorithms", o.algorithms());
        p.put("split", o.split() == null ? null : o.split().wireName());
        p.put("time_column", o.timeColumn());
        p.put("test_data", o.testData() == null ? null : o.testData().toString());
        p.put("test_fraction", o.testData() == null ? o.testFraction() : null);
        p.put("validation_fraction", o.validationFraction());
        p.put("seed", o.seed());
        p.put("validation", plan.kind().wireName());
        p.put("folds", plan.crossValidated() ? plan.folds().size() : null);
        p.put("group_column", o.tuning().groupColumn());
        p.put("budget_seconds", o.tuning().budget() == null ? null : o.tuning().budget().toMillis() / 1000.0);
        p.put("search_space", o.tuning().space());
        Constraints k = o.constraints();
        p.put("max_latency_us", k.maxLatencyMicros());
        p.put("max_bundle_kb", k.maxBundleBytes() == null ? null : k.maxBundleBytes() / (double) Constraints.KB);
        p.put("max_train_seconds", k.maxTrainSeconds());
        p.put("interpretable", k.interpretable() ? Boolean.TRUE : null);
        p.put("monotone", k.monotone().isEmpty() ? null : k.monotone());
        p.put("exclude", o.exclude());
        if (!o.sliceBy().isEmpty()) {
            p.put("slice_by", o.sliceBy());
        }
        if (o.warmStart() != null) {
            p.put("warm_start_from", o.warmStart().parentVersion());
            p.put("warm_start_rounds", o.warmStart().rounds());
        }
        p.put("positive_class", target.positiveClass());
        if (o.costMatrix() != null) {
            p.put("cost_false_positive", o.costMatrix().falsePositive());
            p.put("cost_false_negative", o.costMatrix().falseNegative());
        }
        p.values().removeIf(java.util.Objects::isNull);
        return p;
    }

    static BundleManifest manifest(TrainOptions o, Task task, Target target, Fitted f, double threshold,
                                           Map<String, Double> validation, Map<String, Double> test, Lineage lineage,
                                           String selectionMetric, Map<String, Object> baselineMetrics) {
        Map<String, Object> extra = new LinkedHashMap<>();
        // Registry gates compare a model with the baseline of its own run, so the bundle carries both.
        extra.put("selection_metric", selectionMetric);
        extra.put("baseline_metrics", baselineMetrics);
        extra.put("feature_names", f.enc().fit().pipeline().featureNames());
        extra.put("training_info", f.model().trainingInfo());
        return new BundleManifest(BundleManifest.FORMAT_VERSION, task, o.target(),
                task.isClassification() ? target.classes() : null, target.positiveClass(),
                task == Task.BINARY ? threshold : null, f.enc().fit().inputSchema(), f.algorithm(),
                f.model().hyperparameters(), validation, test, lineage, extra, Map.of());
    }
}
