package dev.kiln.monitor.performance;

import dev.kiln.monitor.logs.FeedbackRecord;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.monitor.logs.PredictionRecord;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.schema.ClassLabels;
import dev.kiln.runtime.schema.Values;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Joins a model's logged predictions with the feedback sent later (by request id and row) and computes metrics
 * per version and time window. Feedback is read first into a map (labels are far fewer than predictions, and
 * arrive after them — so feedback is read from {@code window.since()} on, without an end); predictions then
 * stream through. The labelled rows of each window are kept to compute ROC AUC exactly; unlabelled rows are only
 * counted. When the same row gets feedback twice the later one counts.
 */
public final class PerformanceAnalyzer {
    private static final int MAX_EXAMPLES = 5;

    private PerformanceAnalyzer() {
    }

    public static PerformanceReport analyze(PredictionLogReader log, LogWindow window, PerformanceSpec spec) {
        Pass pass = new Pass(log, window);
        // Shadows first: they share their served predictions' feedback, which the predictions then take out of the join.
        log.shadows(window, p -> pass.addShadow(p, spec));
        PredictionLogReader.ReadStats predictionsRead = log.predictions(window, p -> pass.add(p, spec));
        return pass.report(spec, predictionsRead);
    }

    /**
     * One analysis whose predictions the caller streams in ({@link #add}), so that a caller reading the log's
     * predictions for something else too (the monitoring check measures drift) reads them once. The feedback is read
     * when the pass is made.
     */
    public static final class Pass {
        private final PredictionLogReader log;
        private final Map<String, FeedbackRecord> feedback = new HashMap<>();
        private final PredictionLogReader.ReadStats feedbackRead;
        private final long feedbackRecords;
        private final Map<String, Map<Long, Acc>> byVersion = new TreeMap<>(Comparator.comparing(PerformanceAnalyzer::versionOrder)
                .thenComparing(Comparator.naturalOrder()));
        private final Map<String, Acc> totals = new TreeMap<>(Comparator.comparing(PerformanceAnalyzer::versionOrder)
                .thenComparing(Comparator.naturalOrder()));
        private final Map<String, Acc> shadowTotals = new TreeMap<>(Comparator.comparing(PerformanceAnalyzer::versionOrder)
                .thenComparing(Comparator.naturalOrder()));
        private long unknownLabels;
        private long withoutTime;
        private final List<String> unknownExamples = new ArrayList<>();

        /** Reads the feedback sent from {@code window.since()} on (labels arrive after their predictions). */
        public Pass(PredictionLogReader log, LogWindow window) {
            this.log = log;
            this.feedbackRead = log.feedback(new LogWindow(window.since(), null), f -> feedback.put(f.key(), f));
            this.feedbackRecords = feedback.size();
        }

        /**
         * One prediction of the window, in log order, measured with {@code spec} (its version's task, classes and
         * costs); a null spec only takes its feedback out of the join (a version that cannot be measured).
         */
        public void add(PredictionRecord p, PerformanceSpec spec) {
            if (spec == null) {
                feedback.remove(p.key());
                return;
            }
            Instant t = timeOf(p, spec.timeColumn());
            if (t == null) {
                withoutTime++;
                return;
            }
            long bucket = spec.window().start(t.toEpochMilli());
            Acc acc = byVersion.computeIfAbsent(p.version(), v -> new TreeMap<>()).computeIfAbsent(bucket, b -> new Acc(spec));
            Acc total = totals.computeIfAbsent(p.version(), v -> new Acc(spec));
            FeedbackRecord f = feedback.remove(p.key()); // what is left at the end matched no prediction
            String problem = acc.add(p, f);
            total.add(p, f);
            if (problem != null) {
                unknownLabels++;
                if (unknownExamples.size() < MAX_EXAMPLES) {
                    unknownExamples.add(problem);
                }
            }
        }

        /**
         * One row a shadow scored (a copy of a served request, under the shadow's version), measured over the whole
         * period with {@code spec}; to be added before the predictions, whose feedback it shares without taking it.
         */
        public void addShadow(PredictionRecord p, PerformanceSpec spec) {
            if (timeOf(p, spec.timeColumn()) == null) {
                return;
            }
            shadowTotals.computeIfAbsent(p.version(), v -> new Acc(spec)).add(p, feedback.get(p.key()));
        }

        /** The report once every prediction has been added; {@code spec} names the task, time basis and window. */
        public PerformanceReport report(PerformanceSpec spec, PredictionLogReader.ReadStats predictionsRead) {
            List<PerformanceReport.Window> windows = new ArrayList<>();
            byVersion.forEach((version, buckets) -> buckets.forEach((start, acc) -> windows.add(
                    acc.result(version, Instant.ofEpochMilli(start), Instant.ofEpochMilli(acc.spec.window().end(start))))));
            windows.sort(Comparator.comparing(PerformanceReport.Window::start)
                    .thenComparing(w -> versionOrder(w.version())).thenComparing(PerformanceReport.Window::version));
            List<PerformanceReport.Window> versions = new ArrayList<>();
            totals.forEach((version, acc) -> versions.add(acc.result(version, null, null)));
            List<PerformanceReport.Window> shadows = new ArrayList<>();
            shadowTotals.forEach((version, acc) -> shadows.add(acc.result(version, null, null)));
            return new PerformanceReport(log.model(), spec.task().wireName(),
                    spec.timeColumn() == null ? "logged" : "input:" + spec.timeColumn(), spec.window().label(),
                    windows, versions, feedbackRecords, feedback.size(),
                    unknownLabels, List.copyOf(unknownExamples), withoutTime, predictionsRead, feedbackRead, shadows,
                    Comparisons.of(versions, shadows));
        }
    }

    /** Numeric versions sort as numbers, before any other name. */
    private static long versionOrder(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The time of a row: when it was logged, or the value of input {@code column} (null when absent or unreadable). */
    public static Instant timeOf(PredictionRecord p, String column) {
        if (column == null) {
            return p.time();
        }
        Object v = p.inputs().get(column);
        if (v instanceof Number n) {
            return Instant.ofEpochMilli(n.longValue());
        }
        if (v instanceof String s && !Values.isMissingToken(s)) {
            double ms = Values.parseDatetime(s);
            return Double.isNaN(ms) ? null : Instant.ofEpochMilli((long) ms);
        }
        return null;
    }

    /** Accumulates one version over one window. */
    private static final class Acc {
        private final PerformanceSpec spec;
        long predictions;
        long positivesPredicted;
        long labelled;
        long correct;
        long rewarded;
        double rewardSum;
        double rewardSquares;
        double costSum;
        int n;
        double[] score = new double[16];      // binary: P(positive); regression: predicted value
        double[] trueProbability = new double[16];
        double[] actual = new double[16];     // regression: the label
        boolean[] positive = new boolean[16];

        Acc(PerformanceSpec spec) {
            this.spec = spec;
        }

        /** Adds one prediction and its feedback (or null); returns a description of an unusable label, else null. */
        String add(PredictionRecord p, FeedbackRecord f) {
            predictions++;
            String predicted = p.prediction() == null ? null : String.valueOf(p.prediction());
            if (spec.task() == Task.BINARY && spec.positiveClass().equals(predicted)) {
                positivesPredicted++;
            }
            if (f == null) {
                return null;
            }
            if (f.reward() != null) {
                rewarded++;
                rewardSum += f.reward();
                rewardSquares += f.reward() * f.reward();
                return null;
            }
            String label = f.label();
            if (spec.task() == Task.REGRESSION) {
                double y;
                try {
                    y = Double.parseDouble(label);
                } catch (NumberFormatException e) {
                    return "request " + f.requestId() + " row " + f.row() + ": label '" + label + "' is not a number";
                }
                if (!Double.isFinite(y) || !(p.prediction() instanceof Number pv)) {
                    return "request " + f.requestId() + " row " + f.row() + ": label '" + label + "' is not a finite number";
                }
                grow();
                score[n] = pv.doubleValue();
                actual[n] = y;
                n++;
                labelled++;
                return null;
            }
            String written = label;
            // The class the label names: "Yes", true or 1 name a yes/no model's "yes" (ClassLabels).
            label = ClassLabels.match(spec.classes(), written);
            if (label == null) {
                return "request " + f.requestId() + " row " + f.row() + ": label '" + written + "' is not one of the classes "
                        + spec.classes();
            }
            grow();
            labelled++;
            if (label.equals(predicted)) {
                correct++;
            }
            Double pTrue = p.probabilities().get(label);
            trueProbability[n] = pTrue == null ? Double.NaN : pTrue;
            if (spec.task() == Task.BINARY) {
                Double pPositive = p.probabilities().get(spec.positiveClass());
                score[n] = pPositive == null ? Double.NaN : pPositive;
                positive[n] = label.equals(spec.positiveClass());
                if (spec.costFalsePositive() != null) {
                    boolean predictedPositive = spec.positiveClass().equals(predicted);
                    if (predictedPositive && !positive[n]) {
                        costSum += spec.costFalsePositive();
                    } else if (!predictedPositive && positive[n]) {
                        costSum += spec.costFalseNegative();
                    }
                }
            }
            n++;
            return null;
        }

        private void grow() {
            if (n == score.length) {
                int size = n * 2;
                score = Arrays.copyOf(score, size);
                trueProbability = Arrays.copyOf(trueProbability, size);
                actual = Arrays.copyOf(actual, size);
                positive = Arrays.copyOf(positive, size);
            }
        }

        PerformanceReport.Window result(String version, Instant start, Instant end) {
            Map<String, Double> metrics = new LinkedHashMap<>();
            Double cost = null;
            if (n > 0) {
                if (spec.task() == Task.REGRESSION) {
                    metrics.put("rmse", Scores.rmse(score, actual, n));
                    metrics.put("mae", Scores.mae(score, actual, n));
                } else {
                    metrics.put("accuracy", (double) correct / labelled);
                    if (allFinite(trueProbability, n)) {
                        metrics.put("log_loss", Scores.logLoss(trueProbability, n));
                    }
                    if (spec.task() == Task.BINARY && allFinite(score, n)) {
                        double auc = Scores.rocAuc(score, positive, n);
                        if (!Double.isNaN(auc)) {
                            metrics.put("roc_auc", auc);
                        }
                    }
                    if (spec.task() == Task.BINARY && spec.costFalsePositive() != null) {
                        cost = costSum / labelled;
                    }
                }
            }
            Double positiveRate = spec.task() == Task.BINARY && predictions > 0 ? (double) positivesPredicted / predictions : null;
            Double rewardSd = null;
            if (rewarded > 1) {
                double mean = rewardSum / rewarded;
                rewardSd = Math.sqrt(Math.max(0, (rewardSquares - rewarded * mean * mean) / (rewarded - 1)));
            }
            return new PerformanceReport.Window(version, start, end, predictions, labelled, rewarded, metrics,
                    rewarded == 0 ? null : rewardSum / rewarded, rewardSd, cost, positiveRate);
        }

        private static boolean allFinite(double[] a, int n) {
            for (int i = 0; i < n; i++) {
                if (!Double.isFinite(a[i])) {
                    return false;
                }
            }
            return true;
        }
    }
}
