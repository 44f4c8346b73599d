package dev.kiln.monitor.performance;

import dev.kiln.monitor.logs.Buckets;
import dev.kiln.monitor.logs.FeedbackRecord;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.monitor.logs.PredictionRecord;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Estimates a served classifier's accuracy and ROC AUC per version and window from its prediction log, before the
 * labels arrive (CBPE, {@link Cbpe}): each logged row's probabilities (the log holds them for every classifier's
 * prediction) through the calibration its version's bundle carries (taken as they are when that calibration is
 * applied by the model, format 1.4: they are already calibrated), and each row's decided class as logged. Labels
 * that did arrive (feedback, joined by request id and row) give the realised metrics beside the estimate.
 */
public final class PerformanceEstimator {
    private PerformanceEstimator() {
    }

    /**
     * The estimate of the model whose log {@code log} is, over {@code window}, in windows of {@code buckets}, each row
     * placed in time by input {@code timeColumn} (null: when it was logged); {@code models} gives the bundle of each
     * version the log names (a version it cannot resolve is noted and skipped).
     */
    public static EstimateReport estimate(PredictionLogReader log, LogWindow window, Function<String, KilnModel> models,
                                          Buckets buckets, String timeColumn) {
        Pass pass = Pass.reading(log, window, buckets, timeColumn);
        Map<String, KilnModel> resolved = new HashMap<>(); // null: the version could not be resolved (noted once)
        PredictionLogReader.ReadStats read = log.predictions(window, p -> {
            if (!resolved.containsKey(p.version())) {
                KilnModel model = null;
                try {
                    model = models.apply(p.version());
                } catch (KilnException e) {
                    pass.note("version " + p.version() + " skipped: " + e.getMessage());
                }
                resolved.put(p.version(), model);
            }
            pass.add(p, resolved.get(p.version()));
        });
        return pass.report(log.model(), read);
    }

    /**
     * One estimation whose predictions the caller streams in ({@link #add}), with the labels known so far by
     * {@link PredictionRecord#key()}.
     */
    public static final class Pass {
        private final Buckets buckets;
        private final String timeColumn;
        private final Map<String, String> labels;
        private final PredictionLogReader.ReadStats feedbackRead;
        private final Map<String, Map<Long, EstimateAccumulator>> byVersion = new TreeMap<>(VERSION_ORDER);
        private final Map<String, EstimateAccumulator> totals = new TreeMap<>(VERSION_ORDER);
        private final List<String> notes = new ArrayList<>();
        private long withoutTime;

        /**
         * @param buckets    the windows (null: only the whole period per version)
         * @param labels     the labels known so far, by prediction key (request id # row)
         */
        public Pass(Buckets buckets, String timeColumn, Map<String, String> labels, PredictionLogReader.ReadStats feedbackRead) {
            this.buckets = buckets;
            this.timeColumn = timeColumn;
            this.labels = labels;
            this.feedbackRead = feedbackRead;
        }

        /** A pass with the labels sent as feedback from {@code window.since()} on (labels arrive after predictions). */
        public static Pass reading(PredictionLogReader log, LogWindow window, Buckets buckets, String timeColumn) {
            Map<String, String> labels = new HashMap<>();
            PredictionLogReader.ReadStats read = log.feedback(new LogWindow(window.since(), null), (FeedbackRecord f) -> {
                if (f.label() != null) {
                    labels.put(f.key(), f.label());
                }
            });
            return new Pass(buckets, timeColumn, labels, read);
        }

        void note(String text) {
            notes.add(text);
        }

        /** One logged prediction and the bundle of the version that made it (null: not resolvable, skipped). */
        public void add(PredictionRecord p, KilnModel model) {
            if (model == null) {
                return;
            }
            Instant t = PerformanceAnalyzer.timeOf(p, timeColumn);
            if (t == null) {
                withoutTime++;
                return;
            }
            String label = labels.get(p.key());
            totals.computeIfAbsent(p.version(), v -> new EstimateAccumulator(model)).add(p, label);
            if (buckets != null) {
                long start = buckets.start(t.toEpochMilli());
                byVersion.computeIfAbsent(p.version(), v -> new TreeMap<>())
                        .computeIfAbsent(start, s -> new EstimateAccumulator(model)).add(p, label);
            }
        }

        public EstimateReport report(String model, PredictionLogReader.ReadStats predictionsRead) {
            List<EstimateReport.Estimate> windows = new ArrayList<>();
            byVersion.forEach((version, byStart) -> byStart.forEach((start, acc) -> windows.add(acc.result(version,
                    Instant.ofEpochMilli(start), Instant.ofEpochMilli(buckets.end(start))))));
            windows.sort(Comparator.comparing(EstimateReport.Estimate::start)
                    .thenComparing(EstimateReport.Estimate::version, VERSION_ORDER));
            List<EstimateReport.Estimate> versions = new ArrayList<>();
            totals.forEach((version, acc) -> versions.add(acc.result(version, null, null)));
            return new EstimateReport(model, timeColumn == null ? "logged" : "input:" + timeColumn,
                    buckets == null ? null : buckets.label(), windows, versions, withoutTime, List.copyOf(notes),
                    predictionsRead, feedbackRead);
        }

        /** The estimate of {@code version} over the whole period; null when it had no rows. */
        public EstimateReport.Estimate total(String version) {
            EstimateAccumulator acc = totals.get(version);
            return acc == null ? null : acc.result(version, null, null);
        }
    }

    /** Numeric versions as numbers, before any other name. */
    static final Comparator<String> VERSION_ORDER = Comparator.comparingLong((String v) -> {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }).thenComparing(Comparator.naturalOrder());
}
