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
 * first; null when the model cannot be explained or there are no validation rows). {@code validation}: how the candidates
 * were validated; {@code search}: each algorithm's search; {@code calibration}: the chosen classifier's calibration,
 * before and after (null for regression).
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
        Map<String, Object> featureImportance,
        Validation validation,
        List<Search> search,
        dev.kiln.train.calibration.CalibrationReport calibration,
        @com.fasterxml.jackson.annotation.JsonProperty("timings_ms") Timings timings) {

    /**
     * Where the run's time went, in milliseconds: reading the data, profiling it, the target and the splits, fitting
     * and applying the feature pipelines, each candidate's fits (its search trials and refit: {@code fit}, by candidate),
     * ensembling and calibrating, evaluating on the test rows (latency, metrics, explanations), and writing the bundle
     * (reference profile and sketches included); each rounded down, so the parts add up to at most {@code total}.
     */
    public record Timings(
            long read,
            long profile,
            @com.fasterxml.jackson.annotation.JsonProperty("target_and_splits") long targetAndSplits,
            long encode,
            Map<String, Long> fit,
            @com.fasterxml.jackson.annotation.JsonProperty("ensemble_and_calibration") long ensembleAndCalibration,
            long evaluate,
            long bundle,
            long total) {
        static final String READ = "read";
        static final String PROFILE = "profile";
        static final String TARGET_AND_SPLITS = "target_and_splits";
        static final String ENCODE = "encode";
        static final String ENSEMBLE_AND_CALIBRATION = "ensemble_and_calibration";
        static final String EVALUATE = "evaluate";
        static final String BUNDLE = "bundle";

        /** Everything but the fits: what the run spends around the trainers. */
        @com.fasterxml.jackson.annotation.JsonIgnore
        public long outsideFits() {
            return read + profile + targetAndSplits + encode + ensembleAndCalibration + evaluate + bundle;
        }

        /** The time inside every candidate's fits. */
        @com.fasterxml.jackson.annotation.JsonIgnore
        public long fits() {
            return fit.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** How candidates were validated: the plan's kind (kfold, stratified_kfold, group_kfold, forward_chaining, holdout). */
    public record Validation(String kind, int folds, String description, long rowsValidated, List<String> notes) {
    }

    /**
     * One algorithm's hyperparameter search: its share of the budget (null: bounded by --configurations, not the clock),
     * the time it took (search and refit), every trial,
     * the best one, and the configuration refitted on every training row.
     */
    public record Search(String algorithm, String metric, Double budgetSeconds, double seconds,
                         List<dev.kiln.train.search.Trial> trials, int bestTrial, double bestScore,
                         Map<String, Object> bestConfig, Map<String, Object> refitConfig, List<String> notes) {
    }

    /**
     * One candidate: metrics on validation rows (out of fold: used to choose) and on test rows (reported once, after the
     * choice, as the candidate would serve: calibrated), how long it took to search and train, its in-process scoring
     * latency per row (microseconds, through the runtime's {@code KilnModel.predict}) and its bundle size; whether it is
     * on the Pareto front of validation metric, p99 latency and size, whether a person can read it, and which
     * constraints it breaks.
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
            boolean chosen,
            boolean paretoFront,
            boolean interpretable,
            List<String> violations) {
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
