package dev.kiln.train;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.profile.DatasetProfile;
import java.util.List;
import java.util.Map;

/**
 * What a training run did and found; printed as a table or as JSON.
 *
 * <p>{@code curves}: the chosen model's ROC and precision-recall curves and calibration table on the test rows (binary
 * tasks with both classes among the test rows; null otherwise). {@code featureImportance}: what drives the chosen model,
 * as its bundle's manifest carries it ({@code {"space", "rows", "columns": {column: mean |contribution|}}}, largest
 * first; null when the model cannot be explained or there are no validation rows).
 */
public record TrainingReport(
        String dataset,
        String datasetSha256,
        long rows,
        String target,
        Task task,
        List<String> classes,
        String positiveClass,
        String selectionMetric,
        String split,
        long trainRows,
        long validationRows,
        long testRows,
        List<String> notes,
        List<Candidate> leaderboard,
        String chosen,
        String bundle,
        long[][] confusionMatrix,
        Business business,
        DatasetProfile profile,
        List<dev.kiln.train.eval.Slices.Column> slices,
        dev.kiln.train.eval.Curves curves,
        Map<String, Object> featureImportance) {

    /**
     * One candidate: metrics on validation rows (used to choose) and on test rows (reported once, after the
     * choice), how long it took to train, its in-process scoring latency per row (microseconds, through
     * the runtime's {@code KilnModel.predict}) and its bundle size.
     */
    public record Candidate(
            String algorithm,
            Map<String, Double> validationMetrics,
            Map<String, Double> testMetrics,
            double trainSeconds,
            double latencyP50Micros,
            double latencyP99Micros,
            long bundleBytes,
            Map<String, Object> hyperparameters,
            boolean chosen) {
    }

    /**
     * The cost view for binary tasks with a cost matrix: the cost-minimising threshold found on validation
     * rows for the chosen model and for the baseline, and the expected cost per 1,000 rows on test rows.
     */
    public record Business(
            double falsePositiveCost,
            double falseNegativeCost,
            double threshold,
            double costPer1000,
            double baselineThreshold,
            double baselineCostPer1000,
            double costPer1000AtHalf) {
    }
}
