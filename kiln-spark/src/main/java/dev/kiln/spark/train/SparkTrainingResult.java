package dev.kiln.spark.train;

import dev.kiln.runtime.Task;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Model;

/**
 * What {@code kiln spark train} trained: the bundle, the rows of each part, the metrics (validation, test and the
 * baseline's on the test rows), the rounds, and XGBoost-Spark's own model of the kept rounds ({@code xgboostModel}; the
 * reference Kiln's scoring is checked against).
 *
 * @param maxAbsDiffVsXgboost the largest difference between Kiln's outputs and XGBoost-Spark's {@code transform} on
 *                            the first test rows ({@link SparkTraining#CHECK_ROWS})
 */
public record SparkTrainingResult(Path bundle, Task task, List<String> classes, String positiveClass, long rows,
                                  long trainRows, long validationRows, long testRows, Map<String, Double> validationMetrics,
                                  Map<String, Double> testMetrics, Map<String, Double> baselineTestMetrics,
                                  Map<String, Object> hyperparameters, Map<String, Object> trainingInfo, List<String> notes,
                                  double maxAbsDiffVsXgboost, Model<?> xgboostModel) {
}
