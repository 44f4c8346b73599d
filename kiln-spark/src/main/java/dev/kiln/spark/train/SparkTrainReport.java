package dev.kiln.spark.train;

import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON report of a {@code kiln spark train} run (printed with --json, stored as the run's report.json). */
public final class SparkTrainReport {
    private SparkTrainReport() {
    }

    public static Map<String, Object> of(SparkTrainingResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bundle", r.bundle().toString());
        m.put("task", r.task().wireName());
        if (!r.classes().isEmpty()) {
            m.put("classes", r.classes());
        }
        if (r.positiveClass() != null) {
            m.put("positive_class", r.positiveClass());
        }
        m.put("algorithm", "gbdt");
        m.put("rows", r.rows());
        m.put("train_rows", r.trainRows());
        m.put("validation_rows", r.validationRows());
        m.put("test_rows", r.testRows());
        m.put("validation_metrics", r.validationMetrics());
        m.put("test_metrics", r.testMetrics());
        m.put("baseline_test_metrics", r.baselineTestMetrics());
        m.put("hyperparameters", r.hyperparameters());
        m.put("training_info", r.trainingInfo());
        m.put("notes", r.notes());
        return m;
    }
}
