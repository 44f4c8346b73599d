package dev.kiln.monitor.drift;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.monitor.logs.Buckets;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.monitor.performance.PerformanceAnalyzer;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.ReferenceSketch;
import dev.kiln.runtime.schema.Schema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Drift of a served model's inputs and output window by window: one pass over its prediction log, one pair of
 * sketches per window (so memory grows with the number of windows, not of rows), each compared with the model's
 * reference. Rows are placed in time by when they were logged, or by an input column holding the event's time.
 */
public final class DriftTimeline {
    private DriftTimeline() {
    }

    public record Point(Instant start, Instant end, long rows, DriftReport inputs, FeatureDrift prediction) {
        /** The feature with the highest PSI, or null. */
        @JsonProperty("max_psi_feature")
        public FeatureDrift maxPsiFeature() {
            FeatureDrift best = null;
            for (FeatureDrift f : inputs.features()) {
                if (f.psi() != null && (best == null || f.psi() > best.psi())) {
                    best = f;
                }
            }
            return best;
        }
    }

    public static List<Point> compute(PredictionLogReader log, LogWindow window, Schema inputSchema, Task task,
                                      String positiveClass, ReferenceSketch reference, Buckets windows, String timeColumn,
                                      DriftThresholds thresholds) {
        return points(collect(log, window, inputSchema, task, positiveClass, windows, timeColumn), reference, windows, thresholds);
    }

    /** One pass over the window: the traffic of each time bucket, by bucket start (epoch milliseconds), in order. */
    public static Map<Long, TrafficSketch> collect(PredictionLogReader log, LogWindow window, Schema inputSchema, Task task,
                                                   String positiveClass, Buckets windows, String timeColumn) {
        Map<Long, TrafficSketch> buckets = new TreeMap<>();
        log.predictions(window, p -> {
            Instant t = PerformanceAnalyzer.timeOf(p, timeColumn);
            if (t != null) {
                buckets.computeIfAbsent(windows.start(t.toEpochMilli()), s -> new TrafficSketch(inputSchema, task, positiveClass))
                        .add(p);
            }
        });
        return buckets;
    }

    /** Each bucket compared with the reference. */
    public static List<Point> points(Map<Long, TrafficSketch> buckets, ReferenceSketch reference, Buckets windows,
                                     DriftThresholds thresholds) {
        List<Point> points = new ArrayList<>();
        buckets.forEach((start, traffic) -> points.add(new Point(Instant.ofEpochMilli(start),
                Instant.ofEpochMilli(windows.end(start)), traffic.rows(), traffic.inputDrift(reference, thresholds),
                traffic.outputDrift(reference, thresholds))));
        return points;
    }
}
