package dev.kiln.monitor.performance;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.monitor.logs.PredictionLogReader.ReadStats;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Quality of a served model over time, from logged predictions joined with the feedback sent about them.
 * {@code windows} holds one entry per model version and time window (in time order); {@code versions} the same
 * metrics over the whole period, per version; {@code shadows} the same for each version that scored copies of the
 * requests as the model's shadow (never answering them), on the same feedback; {@code comparisons} each other
 * version and shadow against the version with the most predictions, with confidence intervals and p-values.
 */
public record PerformanceReport(
        String model,
        String task,
        @JsonProperty("time_source") String timeSource,
        @JsonProperty("window") String window,
        List<Window> windows,
        List<Window> versions,
        @JsonProperty("feedback_records") long feedbackRecords,
        @JsonProperty("feedback_unmatched") long feedbackUnmatched,
        @JsonProperty("labels_unknown") long labelsUnknown,
        @JsonProperty("labels_unknown_examples") List<String> labelsUnknownExamples,
        @JsonProperty("rows_without_time") long rowsWithoutTime,
        @JsonProperty("predictions_read") ReadStats predictionsRead,
        @JsonProperty("feedback_read") ReadStats feedbackRead,
        List<Window> shadows,
        List<Comparison> comparisons) {

    /**
     * One version (or shadow) against the reference version (the one with the most predictions) on one metric over
     * the whole period: both values, their difference with its 95% confidence interval, and the two-sided p-value of
     * "no difference". Accuracy: two proportions (unpooled standard error for the interval, pooled for the test);
     * reward: Welch's standard error with the normal approximation. A shadow scored the same rows as the versions
     * that answered them, so treating the two as independent samples is conservative.
     */
    public record Comparison(
            String version,
            boolean shadow,
            String against,
            String metric,
            double value,
            @JsonProperty("against_value") double againstValue,
            double difference,
            @JsonProperty("ci_low") double ciLow,
            @JsonProperty("ci_high") double ciHigh,
            @JsonProperty("p_value") double pValue,
            long n,
            @JsonProperty("against_n") long againstN) {
    }

    /**
     * One version over one window: how many rows were predicted, how many got a label or a reward, the metrics
     * on the labelled rows ({@code roc_auc}, {@code accuracy}, {@code log_loss} for classification; {@code rmse},
     * {@code mae} for regression), the mean reward, and the mean cost per row under the model's cost matrix.
     */
    public record Window(
            String version,
            Instant start,
            Instant end,
            long predictions,
            long labelled,
            long rewarded,
            Map<String, Double> metrics,
            @JsonProperty("reward_mean") Double rewardMean,
            @JsonProperty("reward_sd") Double rewardSd,
            @JsonProperty("cost_per_row") Double costPerRow,
            @JsonProperty("positive_rate") Double positiveRate) {
    }
}
