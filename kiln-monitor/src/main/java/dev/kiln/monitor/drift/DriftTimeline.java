package dev.kiln.monitor.drift;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.monitor.logs.Buckets;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.monitor.performance.PerformanceAnalyzer;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.ReferenceSketch;
import dev.kiln.runtime.profile.DatasetSketch;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Schema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
        Map<Long, DatasetSketch.Builder[]> buckets = new TreeMap<>();
        Schema outputSchema = ReferenceSketch.outputSchema(task);
        List<Field> fields = inputSchema.fields();
        log.predictions(window, p -> {
            Instant t = PerformanceAnalyzer.timeOf(p, timeColumn);
            if (t == null) {
                return;
            }
            long start = windows.start(t.toEpochMilli());
            DatasetSketch.Builder[] b = buckets.computeIfAbsent(start,
                    s -> new DatasetSketch.Builder[] {DatasetSketch.builder(inputSchema), DatasetSketch.builder(outputSchema)});
            Map<String, Object> row = new HashMap<>();
            for (Field f : fields) {
                row.put(f.name(), p.inputs().get(f.name()));
            }
            b[0].addRow(row);
            Map<String, Object> out = new HashMap<>();
            out.put(ReferenceSketch.PREDICTION, ReferenceSketch.outputValue(task, positiveClass, p.prediction(), p.probabilities()));
            b[1].addRow(out);
        });
        List<Point> points = new ArrayList<>();
        buckets.forEach((start, b) -> {
            DatasetSketch inputs = b[0].build();
            DriftReport report = DriftAnalyzer.compare(reference.features(), inputs, thresholds);
            FeatureDrift prediction = DriftAnalyzer.feature(reference.outputs().column(ReferenceSketch.PREDICTION),
                    b[1].build().column(ReferenceSketch.PREDICTION), thresholds);
            points.add(new Point(Instant.ofEpochMilli(start), Instant.ofEpochMilli(windows.end(start)), inputs.rows(), report, prediction));
        });
        return points;
    }
}
