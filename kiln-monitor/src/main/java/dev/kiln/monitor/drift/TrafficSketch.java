package dev.kiln.monitor.drift;

import dev.kiln.monitor.logs.PredictionRecord;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.ReferenceSketch;
import dev.kiln.runtime.profile.DatasetSketch;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Schema;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sketches of what a served model received (its input columns, read from the logged inputs) and answered (its
 * output, as {@link ReferenceSketch#outputValue} puts it), built one prediction-log record at a time, mergeable,
 * and compared with a bundle's {@link ReferenceSketch}.
 */
public final class TrafficSketch {
    private final List<Field> fields;
    private final Task task;
    private final String positiveClass;
    private final DatasetSketch.Builder inputs;
    private final DatasetSketch.Builder outputs;

    public TrafficSketch(Schema inputSchema, Task task, String positiveClass) {
        this.fields = inputSchema.fields();
        this.task = task;
        this.positiveClass = positiveClass;
        this.inputs = DatasetSketch.builder(inputSchema);
        this.outputs = DatasetSketch.builder(ReferenceSketch.outputSchema(task));
    }

    public void add(PredictionRecord p) {
        Map<String, Object> row = new HashMap<>();
        for (Field f : fields) {
            row.put(f.name(), p.inputs().get(f.name()));
        }
        inputs.addRow(row);
        Map<String, Object> out = new HashMap<>();
        out.put(ReferenceSketch.PREDICTION, ReferenceSketch.outputValue(task, positiveClass, p.prediction(), p.probabilities()));
        outputs.addRow(out);
    }

    /** Adds everything {@code other} holds (same schema and task). */
    public TrafficSketch merge(TrafficSketch other) {
        inputs.merge(other.inputs);
        outputs.merge(other.outputs);
        return this;
    }

    public DatasetSketch inputs() {
        return inputs.build();
    }

    public long rows() {
        return inputs.build().rows();
    }

    public DriftReport inputDrift(ReferenceSketch reference, DriftThresholds thresholds) {
        return DriftAnalyzer.compare(reference.features(), inputs.build(), thresholds);
    }

    public FeatureDrift outputDrift(ReferenceSketch reference, DriftThresholds thresholds) {
        return DriftAnalyzer.feature(reference.outputs().column(ReferenceSketch.PREDICTION),
                outputs.build().column(ReferenceSketch.PREDICTION), thresholds);
    }
}
