package dev.kiln.app.monitoring;

import dev.kiln.monitor.drift.DriftReport;
import dev.kiln.monitor.drift.DriftThresholds;
import dev.kiln.monitor.drift.FeatureDrift;
import dev.kiln.monitor.drift.TrafficSketch;
import dev.kiln.monitor.logs.Buckets;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.monitor.performance.PerformanceAnalyzer;
import dev.kiln.monitor.performance.PerformanceReport;
import dev.kiln.monitor.performance.PerformanceSpec;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.bundle.ReferenceSketch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A served model's monitoring over time, window by window, as the monitoring page shows it: per window the requests
 * each version answered, the drift of the inputs and of the output of the version that answered most of them against
 * that version's bundle reference (the training profile, as {@code kiln drift --logs} compares), and the metrics of
 * each version on the delayed labels that arrived. One pass over each log's predictions (kiln-monitor's
 * {@link TrafficSketch} and {@link PerformanceAnalyzer.Pass}; no statistics of its own), stopped after
 * {@code maxRows} rows so that a page on a big log answers quickly, with a note saying where it stopped.
 */
public final class MonitoringTimeline {
    private MonitoringTimeline() {
    }

    /**
     * One time window: requests in all, per version, and the drift of the rows of {@code referenceVersion} (the
     * version that answered most) against its bundle's reference; {@code inputs} and {@code prediction} are null
     * when that version's bundle has no reference sketch.
     */
    public record Window(Instant start, Instant end, long requests, Map<String, Long> versions, String referenceVersion,
                         DriftReport inputs, FeatureDrift prediction) {
    }

    /**
     * Metrics of one version over one window on the labels that arrived ({@code labelled} of its {@code predictions}),
     * in the log of {@code logDir}: logs in several directories are measured each on its own labels (an AUC does not
     * add up), so a version and window may appear once per directory.
     */
    public record Performance(String version, Instant start, Instant end, long predictions, long labelled,
                              Map<String, Double> metrics, String logDir) {
    }

    /**
     * The timeline: windows with predictions in time order, performance per version and window, the task of the
     * model (of its most recent version seen), rows read, whether the row cap stopped the read ({@code truncatedAt}:
     * the time of the first row left unread), and notes.
     */
    public record Result(List<Window> windows, List<Performance> performance, String task, long rows,
                         Instant truncatedAt, List<String> notes) {
    }

    /** Thrown out of the log reader's callback to stop reading at the row cap (the reader closes its file). */
    private static final class RowCap extends RuntimeException {
        final Instant at;

        RowCap(Instant at) {
            super(null, null, false, false);
            this.at = at;
        }
    }

    /** The traffic of one version in one window. */
    private static final class Slice {
        final TrafficSketch sketch;
        long rows;

        Slice(KilnModel model) {
            sketch = new TrafficSketch(model.manifest().inputSchema(), model.task(), model.manifest().positiveClass());
        }
    }

    /**
     * Reads {@code window} of each log in {@code logs} (the same model's logs in several log directories are added
     * up; performance joins each log's predictions with its own feedback), grouping rows into {@code buckets}.
     * {@code models} gives the bundle of each version the log names.
     */
    public static Result compute(List<PredictionLogReader> logs, LogWindow window, Buckets buckets,
                                 Function<String, KilnModel> models, DriftThresholds thresholds, long maxRows) {
        Map<Long, Map<String, Slice>> byWindow = new TreeMap<>();
        Map<String, KilnModel> resolved = new LinkedHashMap<>();
        Map<String, String> unresolvable = new LinkedHashMap<>();
        Map<String, PerformanceSpec> specs = new LinkedHashMap<>();
        List<Performance> performance = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        long[] rows = {0};
        String[] lastVersion = {null};
        Instant truncatedAt = null;
        long malformed = 0;
        String malformedExample = null;
        for (PredictionLogReader log : logs) {
            PerformanceAnalyzer.Pass labels = new PerformanceAnalyzer.Pass(log, window);
            PredictionLogReader.ReadStats read = null;
            try {
                read = log.predictions(window, p -> {
                    if (rows[0] >= maxRows) {
                        throw new RowCap(p.time());
                    }
                    rows[0]++;
                    KilnModel model = model(p.version(), models, resolved, unresolvable);
                    if (model == null) {
                        labels.add(p, null);
                        return;
                    }
                    lastVersion[0] = p.version();
                    long start = buckets.start(p.time().toEpochMilli());
                    Slice slice = byWindow.computeIfAbsent(start, s -> new LinkedHashMap<>())
                            .computeIfAbsent(p.version(), v -> new Slice(model));
                    slice.rows++;
                    slice.sketch.add(p);
                    labels.add(p, specs.computeIfAbsent(p.version(), v -> PerformanceSpec.of(model.manifest(), buckets, null)));
                });
            } catch (RowCap cap) {
                truncatedAt = truncatedAt == null || cap.at.isBefore(truncatedAt) ? cap.at : truncatedAt;
            }
            if (read != null && read.malformed() > 0) {
                malformed += read.malformed();
                malformedExample = malformedExample == null ? read.malformedExamples().get(0) : malformedExample;
            }
            if (!specs.isEmpty()) {
                PerformanceSpec any = specs.values().iterator().next();
                PerformanceReport report = labels.report(any, read == null ? new PredictionLogReader.ReadStats(0, 0, 0, 0, 0,
                        List.of()) : read);
                for (PerformanceReport.Window w : report.windows()) {
                    performance.add(new Performance(w.version(), w.start(), w.end(), w.predictions(), w.labelled(), w.metrics(),
                            log.modelDir() != null ? log.modelDir().getParent().toString() : log.where()));
                }
            }
        }
        unresolvable.forEach((v, why) -> notes.add("version " + v + " left out: " + why));
        if (malformed > 0) {
            notes.add(malformed + " log line(s) could not be read, e.g. " + malformedExample);
        }
        if (truncatedAt != null) {
            notes.add(String.format(java.util.Locale.ROOT, "stopped after %,d rows (the page's cap): rows from %s on are not "
                    + "counted; narrow from/to or pick a wider window", maxRows, truncatedAt));
        }
        List<Window> windows = new ArrayList<>();
        List<String> withoutReference = new ArrayList<>();
        byWindow.forEach((start, slices) -> windows.add(window(start, slices, buckets, resolved, thresholds, withoutReference)));
        if (!withoutReference.isEmpty()) {
            notes.add("version(s) " + String.join(", ", withoutReference) + " were written before bundle format 1.1 and carry "
                    + "no reference sketch: no drift for the windows they served");
        }
        performance.sort(java.util.Comparator.comparing(Performance::start).thenComparing(Performance::version)
                .thenComparing(Performance::logDir));
        String task = lastVersion[0] == null ? null : resolved.get(lastVersion[0]).task().wireName();
        return new Result(windows, performance, task, rows[0], truncatedAt, notes);
    }

    private static Window window(long start, Map<String, Slice> slices, Buckets buckets, Map<String, KilnModel> resolved,
                                 DriftThresholds thresholds, List<String> withoutReference) {
        String main = null;
        long requests = 0;
        Map<String, Long> versions = new LinkedHashMap<>();
        for (Map.Entry<String, Slice> e : slices.entrySet()) {
            requests += e.getValue().rows;
            versions.put(e.getKey(), e.getValue().rows);
            if (main == null || e.getValue().rows > slices.get(main).rows) {
                main = e.getKey();
            }
        }
        ReferenceSketch reference = resolved.get(main).bundle().referenceSketch();
        DriftReport inputs = null;
        FeatureDrift prediction = null;
        if (reference == null) {
            if (!withoutReference.contains(main)) {
                withoutReference.add(main);
            }
        } else {
            Slice s = slices.get(main);
            inputs = s.sketch.inputDrift(reference, thresholds);
            prediction = s.sketch.outputDrift(reference, thresholds);
        }
        return new Window(Instant.ofEpochMilli(start), Instant.ofEpochMilli(buckets.end(start)), requests, versions, main,
                inputs, prediction);
    }

    /** The bundle of {@code version}, loaded once; null (and the reason kept) when it cannot be loaded. */
    private static KilnModel model(String version, Function<String, KilnModel> models, Map<String, KilnModel> resolved,
                                   Map<String, String> unresolvable) {
        KilnModel m = resolved.get(version);
        if (m != null || unresolvable.containsKey(version)) {
            return m;
        }
        try {
            m = models.apply(version);
        } catch (KilnException e) {
            unresolvable.put(version, e.getMessage());
            return null;
        }
        resolved.put(version, m);
        return m;
    }
}
