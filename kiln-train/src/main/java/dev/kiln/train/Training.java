package dev.kiln.train;

import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.data.Profiler;
import dev.kiln.data.Sketcher;
import dev.kiln.runtime.Prediction;
import dev.kiln.runtime.bundle.Calibration;
import dev.kiln.runtime.bundle.ReferenceSketch;
import dev.kiln.train.calibration.CalibrationFitter;
import dev.kiln.runtime.profile.DatasetSketch;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.KilnVersion;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.Bundle;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Lineage;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.train.eval.BusinessCost;
import dev.kiln.train.eval.Slices;
import dev.kiln.train.eval.CostMatrix;
import dev.kiln.train.eval.Curves;
import dev.kiln.train.eval.Metrics;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * One training run: read, profile, split (test rows set aside, validation rows carved from the training
 * rows), fit the feature pipeline on training rows, train the baseline and every candidate, choose the
 * best on the validation metric, report every candidate on the test rows once, and write the chosen
 * model's bundle.
 */
public final class Training {

    private Training() {
    }

    public static TrainingReport run(TrainOptions options, ProgressListener progress) {
        checkOptions(options);
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
        List<String> algorithms = candidates(options);
        Steps steps = new Steps(progress, algorithms.size() + 3);
        steps.next("reading " + options.data().getFileName());
        TestData.Read read = TestData.read(options, parent);
        DataFrame all = read.frame();
        DatasetProfile profile = Profiler.profile(all);
        steps.next("preparing target and splits");
        Target target = Target.of(all, options);
        if (parent != null) {
            target = parent.compatible(target);
        }
        DataFrame frame = target.frame();
        List<String> features = featureColumns(frame, options);
        Splits splits = Splits.of(frame, target, options, read.trainingRowsWithTarget(all, options.target()));
        Rows rows = new Rows(frame, target, splits);

        List<Fitted> fitted = fitAll(algorithms, features, rows, target.task(), target.classes().size(), options.seed(),
                steps, parent);
        List<String> notes = notes(target, fitted);
        if (parent != null && !options.algorithms().stream().allMatch(algorithms::contains)) {
            notes.add("warm start: only " + WarmStart.ALGORITHM + " continues " + parent.label() + "; not trained: "
                    + String.join(", ", options.algorithms().stream().filter(a -> !algorithms.contains(a)).toList()));
        }
        String metric = selectionMetric(target.task());
        Map<String, Map<String, Double>> validationMetrics = validationMetrics(target.task(), fitted, rows.yValid());
        Fitted chosen = choose(fitted, validationMetrics, metric);

        steps.next("evaluating on test rows");
        Fitted baseline = fitted.get(0);
        TrainingReport.Business business = businessView(options, target.task(), chosen, baseline, rows);
        double threshold = business != null ? business.threshold()
                : parent != null && parent.decisionThreshold() != null ? parent.decisionThreshold() : 0.5;
        Lineage lineage = new Lineage(all.source(), all.sha256(), all.rowCount(), splits.fit().length,
                splits.validation().length, splits.test().length, splits.kind().wireName(), options.seed(),
                parameters(options, target.task(), target), KilnVersion.get(), System.getProperty("kiln.gitCommit"),
                Instant.now().toString(), parent == null ? null : parent.lineage());
        Evaluated evaluated = evaluateOnTest(options, target, fitted, chosen, threshold, validationMetrics, rows, lineage, metric);

        List<Slices.Column> slices = options.sliceBy().isEmpty() ? List.of()
                : ChosenModelAnalyses.slices(options, target.task(), rows.test(), rows.yTest(), outputs(chosen, chosen.enc().testX()), threshold);
        BundleManifest chosenManifest = withAnalyses(evaluated.chosenManifest(), slices, chosen);
        Curves curves = target.task() == Task.BINARY && rows.test().rowCount() > 0
                ? Curves.of(labels(rows.yTest()), probabilities(chosen, chosen.enc().testX())) : null;
        Calibration calibration = calibration(target, chosen, rows);
        if (calibration != null) {
            chosenManifest = chosenManifest.withExtra("calibration", CalibrationFitter.summary(calibration));
        }
        steps.next("writing bundle");
        Path bundleDir = writeBundle(options, frame, splits, chosenManifest, chosen, calibration);
        progress.onStep("done", steps.total(), steps.total());
        return new TrainingReport(all.source(), all.sha256(), all.rowCount(), options.target(), target.task(),
                target.classes(), target.positiveClass(), metric, splits.kind().wireName(), splits.fit().length,
                splits.validation().length, splits.test().length, notes, evaluated.leaderboard(), chosen.algorithm(),
                bundleDir.toString(), evaluated.confusion(), business, profile, slices, curves, featureImportance(chosenManifest));
    }

    /** Progress through training's steps: one per candidate plus reading, splitting, evaluating and writing. */
    private static final class Steps {
        private final ProgressListener progress;
        private final int total;
        private int done;

        Steps(ProgressListener progress, int total) {
            this.progress = progress;
            this.total = total;
        }

        void next(String what) {
            progress.onStep(what, done++, total);
        }

        int total() {
            return total;
        }
    }

    /** The rows and targets of each split, selected once. */
    private record Rows(DataFrame fit, DataFrame validation, DataFrame test, double[] yFit, double[] yValid, double[] yTest) {
        Rows(DataFrame frame, Target target, Splits splits) {
            this(frame.select(splits.fit()), frame.select(splits.validation()), frame.select(splits.test()),
                    Splits.select(target.y(), splits.fit()), Splits.select(target.y(), splits.validation()), Splits.select(target.y(), splits.test()));
        }
    }

    /** The test-row leaderboard, the chosen model's manifest and its confusion matrix. */
    private record Evaluated(List<TrainingReport.Candidate> leaderboard, BundleManifest chosenManifest, long[][] confusion) {
    }

    /** The baseline first, then the requested algorithms in order, each once; with a warm start, only gbdt. */
    private static List<String> candidates(TrainOptions options) {
        List<String> algorithms = new ArrayList<>(List.of("baseline"));
        if (options.warmStart() != null) {
            algorithms.add(WarmStart.ALGORITHM);
            return algorithms;
        }
        for (String a : options.algorithms()) {
            if (!algorithms.contains(a)) {
                algorithms.add(a);
            }
        }
        return algorithms;
    }

    /** Every column but the target and the excluded ones; names the columns that exist when an option has a typo. */
    private static List<String> featureColumns(DataFrame frame, TrainOptions options) {
        List<String> features = new ArrayList<>(frame.names());
        features.remove(options.target());
        for (String excluded : options.exclude()) {
            frame.column(excluded);
        }
        features.removeAll(options.exclude());
        for (String slice : options.sliceBy()) {
            for (String sliced : slice.split(java.util.regex.Pattern.quote(Slices.CROSS), -1)) {
                if (sliced.equals(options.target())) {
                    throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--slice-by '" + sliced + "' is the target; slice by "
                            + "an input column", Map.of("column", sliced));
                }
                frame.column(sliced);
            }
        }
        return features;
    }

    /**
     * Fits every candidate; candidates that need scaled inputs share one pipeline, the others another. With a warm
     * start ({@code parent} not null) every candidate uses the parent's pipeline as fitted and gbdt continues it.
     */
    private static List<Fitted> fitAll(List<String> algorithms, List<String> features, Rows rows, Task task, int classes,
            long seed, Steps steps, WarmStartParent parent) {
        Map<Boolean, Encoded> encodings = new HashMap<>();
        List<Fitted> fitted = new ArrayList<>();
        for (String algorithm : algorithms) {
            steps.next("training " + algorithm);
            Trainer trainer = parent != null && algorithm.equals(WarmStart.ALGORITHM) ? parent.trainer() : Trainers.byName(algorithm);
            Encoded enc = encodings.computeIfAbsent(trainer.needsScaling(), scale -> {
                var result = parent != null ? parent.pipeline()
                        : FeaturePipelineFitter.fit(rows.fit(), features, FeaturePipelineFitter.Options.defaults(scale));
                return new Encoded(result, FeaturePipelineFitter.encode(result.pipeline(), rows.fit()),
                        FeaturePipelineFitter.encode(result.pipeline(), rows.validation()),
                        FeaturePipelineFitter.encode(result.pipeline(), rows.test()));
            });
            if (enc.fit().pipeline().width() == 0 && !algorithm.equals("baseline")) {
                throw new KilnException(ErrorCode.DATA_MALFORMED, "no usable feature columns: "
                        + String.join("; ", enc.fit().notes()));
            }
            TrainingData data = new TrainingData(task, classes, enc.fit().pipeline().featureNames(),
                    enc.x(), rows.yFit(), enc.validX(), rows.yValid());
            fitted.add(fitOne(trainer, algorithm, data, seed, enc));
        }
        return fitted;
    }

    private static Fitted fitOne(Trainer trainer, String algorithm, TrainingData data, long seed, Encoded enc) {
        long start = System.nanoTime();
        TrainedModel model;
        try {
            model = trainer.fit(data, seed);
        } catch (KilnException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new KilnException(ErrorCode.TRAINING_FAILED, algorithm + " failed to train: " + e.getMessage(),
                    Map.of("algorithm", algorithm), e);
        }
        return new Fitted(algorithm, model, enc, (System.nanoTime() - start) / 1e9);
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

    private static Map<String, Map<String, Double>> validationMetrics(Task task, List<Fitted> fitted, double[] yValid) {
        Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
        for (Fitted f : fitted) {
            metrics.put(f.algorithm(), evaluate(task, f.model(), f.enc().validX(), yValid, 0.5));
        }
        return metrics;
    }

    /** The best candidate on validation rows by the task's selection metric; the baseline only when it is alone. */
    private static Fitted choose(List<Fitted> fitted, Map<String, Map<String, Double>> validationMetrics, String metric) {
        boolean higherIsBetter = !Metrics.lowerIsBetter(metric);
        Fitted chosen = null;
        for (Fitted f : fitted) {
            if (f.algorithm().equals("baseline") && fitted.size() > 1) {
                continue;
            }
            Map<String, Double> m = validationMetrics.get(f.algorithm());
            if (chosen == null || better(m.get(metric), validationMetrics.get(chosen.algorithm()).get(metric), higherIsBetter)) {
                chosen = f;
            }
        }
        return chosen;
    }

    /** With a cost matrix (binary only): the cost-minimising threshold on validation rows and its cost on test rows. */
    private static TrainingReport.Business businessView(TrainOptions options, Task task, Fitted chosen, Fitted baseline, Rows rows) {
        if (task != Task.BINARY || options.costMatrix() == null) {
            return null;
        }
        CostMatrix cost = options.costMatrix();
        var best = BusinessCost.bestThreshold(labels(rows.yValid()), probabilities(chosen, chosen.enc().validX()), cost);
        var baseBest = BusinessCost.bestThreshold(labels(rows.yValid()), probabilities(baseline, baseline.enc().validX()), cost);
        double threshold = best.threshold();
        int[] yTest = labels(rows.yTest());
        double[] pTest = probabilities(chosen, chosen.enc().testX());
        return new TrainingReport.Business(cost.falsePositive(), cost.falseNegative(), threshold,
                1000 * BusinessCost.expectedCost(yTest, pTest, threshold, cost),
                baseBest.threshold(),
                1000 * BusinessCost.expectedCost(yTest, probabilities(baseline, baseline.enc().testX()), baseBest.threshold(), cost),
                1000 * BusinessCost.expectedCost(yTest, pTest, 0.5, cost));
    }

    /** Every candidate on the test rows (metrics, latency, size), and the chosen one's manifest and confusion matrix. */
    private static Evaluated evaluateOnTest(TrainOptions options, Target target, List<Fitted> fitted, Fitted chosen,
            double threshold, Map<String, Map<String, Double>> validationMetrics, Rows rows, Lineage lineage, String metric) {
        Task task = target.task();
        Fitted baseline = fitted.get(0);
        List<TrainingReport.Candidate> leaderboard = new ArrayList<>();
        Map<String, Double> baselineTest = null;
        long[][] confusion = null;
        BundleManifest chosenManifest = null;
        for (Fitted f : fitted) {
            // Every candidate is compared at the same 0.5 threshold; the chosen model's own decision threshold
            // (cost-minimising when a cost matrix is given) shows in the confusion matrix and business view.
            double t = f == chosen ? threshold : 0.5;
            Map<String, Double> test = evaluate(task, f.model(), f.enc().testX(), rows.yTest(), 0.5);
            if (task == Task.BINARY && options.costMatrix() != null) {
                test.put(BusinessCost.COST_PER_1000, costPer1000(options.costMatrix(), f, f == chosen ? threshold : null, rows));
            }
            if (f == baseline) {
                baselineTest = test;
            }
            Map<String, Object> baselineMetrics = Map.of("validation", validationMetrics.get(baseline.algorithm()), "test", baselineTest);
            BundleManifest manifest = manifest(options, task, target, f, t, validationMetrics.get(f.algorithm()), test,
                    lineage, metric, baselineMetrics);
            KilnModel model = KilnModel.of(new Bundle(null, manifest, f.enc().fit().pipeline(), f.model().estimator(), null));
            double[] latency = ChosenModelAnalyses.latencyMicros(model, rows.test().rowCount() > 0 ? rows.test() : rows.fit());
            long size = BundleWriter.sizeInBytes(f.enc().fit().pipeline(), f.model().estimator());
            leaderboard.add(new TrainingReport.Candidate(f.algorithm(), validationMetrics.get(f.algorithm()), test,
                    f.trainSeconds(), latency[0], latency[1], size, f.model().hyperparameters(), f == chosen));
            if (f == chosen) {
                chosenManifest = manifest;
                if (task.isClassification()) {
                    confusion = confusion(task, f, rows.yTest(), t, target.classes().size());
                }
            }
        }
        return new Evaluated(leaderboard, chosenManifest, confusion);
    }

    /**
     * Expected cost per 1,000 test rows at the candidate's decision threshold: the chosen one's, or for the others the
     * one they would have had (cost-minimising on the validation rows), so every candidate and the baseline are
     * compared at their best, as the business view compares the chosen model with the baseline.
     */
    private static double costPer1000(CostMatrix cost, Fitted f, Double threshold, Rows rows) {
        double t = threshold != null ? threshold
                : BusinessCost.bestThreshold(labels(rows.yValid()), probabilities(f, f.enc().validX()), cost).threshold();
        return BusinessCost.per1000(labels(rows.yTest()), probabilities(f, f.enc().testX()), t, cost);
    }

    /** What drives the chosen model, as its manifest carries it; null when it could not be explained. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> featureImportance(BundleManifest manifest) {
        Object importance = manifest.extra() == null ? null : manifest.extra().get("feature_importance");
        return importance instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    /** The chosen model's manifest with its slices and what drives it. */
    private static BundleManifest withAnalyses(BundleManifest manifest, List<Slices.Column> slices, Fitted chosen) {
        if (!slices.isEmpty()) {
            manifest = manifest.withExtra("slices", slices);
        }
        Map<String, Object> importance = ChosenModelAnalyses.importance(manifest, chosen.enc().fit().pipeline(),
                chosen.model().estimator(), chosen.enc().validX());
        return importance == null ? manifest : manifest.withExtra("feature_importance", importance);
    }

    /**
     * The chosen classifier's calibration, fitted on the validation rows (never the test rows: they measure the model
     * as it is, calibration included); null for regression.
     */
    private static Calibration calibration(Target target, Fitted chosen, Rows rows) {
        if (!target.task().isClassification()) {
            return null;
        }
        return CalibrationFitter.fit(target.task(), target.classes(), outputs(chosen, chosen.enc().validX()), labels(rows.yValid()));
    }

    private static Path writeBundle(TrainOptions options, DataFrame frame, Splits splits, BundleManifest manifest, Fitted chosen,
                                    Calibration calibration) {
        // The bundle's reference profile covers the training rows (fit + validation), the data the model
        // learnt from, so later drift checks compare against exactly that.
        int[] trainingRows = IntStream.concat(Arrays.stream(splits.fit()), Arrays.stream(splits.validation())).sorted().toArray();
        DatasetProfile reference = Profiler.profile(frame.select(trainingRows));
        ReferenceSketch sketch = referenceSketch(frame, trainingRows, manifest, chosen,
                IntStream.concat(Arrays.stream(splits.validation()), Arrays.stream(splits.test())).sorted().toArray());
        return BundleWriter.write(options.out(), manifest, chosen.enc().fit().pipeline(),
                chosen.model().estimator(), reference, sketch, calibration, chosen.model().xgboostModel(), options.replaceOutput());
    }

    /**
     * Sketches of the model's input columns on the training rows, and of its output on the held-out rows
     * (validation and test): what drift monitoring compares live traffic with.
     */
    private static ReferenceSketch referenceSketch(DataFrame frame, int[] trainingRows, BundleManifest manifest,
                                                   Fitted chosen, int[] heldOut) {
        List<String> inputs = chosen.enc().fit().pipeline().inputColumns();
        DataFrame features = frame.select(trainingRows);
        for (String name : List.copyOf(features.names())) {
            if (!inputs.contains(name)) {
                features = features.drop(name);
            }
        }
        KilnModel model = KilnModel.of(new Bundle(null, manifest, chosen.enc().fit().pipeline(), chosen.model().estimator(), null));
        DataFrame held = frame.select(heldOut);
        DatasetSketch.Builder outputs = DatasetSketch.builder(ReferenceSketch.outputSchema(manifest.task()));
        List<Map<String, Object>> rows = new ArrayList<>(held.rowCount());
        for (int i = 0; i < held.rowCount(); i++) {
            Map<String, Object> row = new HashMap<>(held.row(i));
            row.replaceAll((k, v) -> v instanceof Double d && d.isNaN() ? null : v); // a frame's missing number is NaN
            rows.add(row);
        }
        for (Prediction p : model.predictBatch(rows)) {
            Object v = ReferenceSketch.outputValue(manifest.task(), manifest.positiveClass(), p.prediction(), p.probabilities());
            outputs.addRow(Map.of(ReferenceSketch.PREDICTION, v == null ? "" : v));
        }
        return new ReferenceSketch("training rows (fit + validation): " + trainingRows.length, Sketcher.sketch(features),
                "held-out rows (validation + test): " + heldOut.length, outputs.build());
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
            Trainers.byName(a);
        }
        if (o.split() == TrainOptions.SplitKind.TIME && o.timeColumn() == null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--split time needs --time-column");
        }
        if (o.timeColumn() != null && o.split() != null && o.split() != TrainOptions.SplitKind.TIME) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--time-column is only used with --split time");
        }
    }

    private static boolean better(double candidate, double incumbent, boolean higherIsBetter) {
        if (Double.isNaN(candidate)) {
            return false;
        }
        if (Double.isNaN(incumbent)) {
            return true;
        }
        return higherIsBetter ? candidate > incumbent : candidate < incumbent;
    }

    static String selectionMetric(Task task) {
        return switch (task) {
            case BINARY -> "roc_auc";
            case MULTICLASS -> "log_loss";
            case REGRESSION -> "rmse";
        };
    }

    private record Encoded(FeaturePipelineFitter.Result fit, double[][] x, double[][] validX, double[][] testX) {
    }

    private record Fitted(String algorithm, TrainedModel model, Encoded enc, double trainSeconds) {
    }

    static int[] labels(double[] y) {
        return Arrays.stream(y).mapToInt(v -> (int) v).toArray();
    }

    private static double[][] outputs(Fitted f, double[][] x) {
        double[][] out = new double[x.length][f.model().estimator().outputs()];
        for (int i = 0; i < x.length; i++) {
            f.model().estimator().predict(x[i], out[i]);
        }
        return out;
    }

    private static double[] probabilities(Fitted f, double[][] x) {
        return Arrays.stream(outputs(f, x)).mapToDouble(o -> o[0]).toArray();
    }

    static Map<String, Double> evaluate(Task task, TrainedModel model, double[][] x, double[] y, double threshold) {
        double[][] out = new double[x.length][model.estimator().outputs()];
        for (int i = 0; i < x.length; i++) {
            model.estimator().predict(x[i], out[i]);
        }
        return Metrics.of(task, y, out, threshold);
    }

    private static long[][] confusion(Task task, Fitted f, double[] y, double threshold, int k) {
        double[][] out = outputs(f, f.enc().testX());
        int[] predicted = new int[out.length];
        for (int i = 0; i < out.length; i++) {
            if (task == Task.BINARY) {
                predicted[i] = out[i][0] >= threshold ? 1 : 0;
            } else {
                predicted[i] = argMax(out[i]);
            }
        }
        return Metrics.confusion(labels(y), predicted, k);
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


    private static Map<String, Object> parameters(TrainOptions o, Task task, Target target) {
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

    private static BundleManifest manifest(TrainOptions o, Task task, Target target, Fitted f, double threshold,
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
