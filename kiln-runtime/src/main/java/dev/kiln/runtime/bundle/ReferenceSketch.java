package dev.kiln.runtime.bundle;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.profile.DatasetSketch;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Schema;
import java.util.List;

/**
 * What drift is measured against: mergeable sketches of the model's input columns on the rows it was trained on
 * ({@code features}), and of its output on rows it did not see in training ({@code outputs}) — the training rows'
 * own scores are over-fitted and would make every live output look drifted. The bundle's
 * {@value BundleManifest#REFERENCE_SKETCH_FILE}, from format 1.1 on.
 */
public record ReferenceSketch(
        @JsonProperty("features_source") String featuresSource,
        @JsonProperty("features") DatasetSketch features,
        @JsonProperty("outputs_source") String outputsSource,
        @JsonProperty("outputs") DatasetSketch outputs) {

    /** The output column: P(positive class) for binary models, the predicted class (multiclass), the value (regression). */
    public static final String PREDICTION = "prediction";

    /** The schema of the outputs sketch for a task. */
    public static Schema outputSchema(Task task) {
        ColumnType type = task == Task.MULTICLASS ? ColumnType.CATEGORICAL : ColumnType.NUMERIC;
        return new Schema(List.of(new Field(PREDICTION, type, true)));
    }

    /** The value of the output column for one prediction, as {@link #outputSchema} types it. */
    public static Object outputValue(Task task, String positiveClass, Object prediction, java.util.Map<String, Double> probabilities) {
        return switch (task) {
            case BINARY -> probabilities == null ? null : probabilities.get(positiveClass);
            case MULTICLASS -> prediction == null ? null : String.valueOf(prediction);
            case REGRESSION -> prediction;
        };
    }
}
