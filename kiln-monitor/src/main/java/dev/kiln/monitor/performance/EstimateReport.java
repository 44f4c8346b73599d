package dev.kiln.monitor.performance;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.monitor.logs.PredictionLogReader.ReadStats;
import java.time.Instant;
import java.util.List;

/**
 * A served classifier's performance estimated before its labels arrive (CBPE), per version and window, beside the
 * metric realised on the rows whose labels did arrive. {@code windows}: one entry per version and window, in time
 * order; {@code versions}: the same over the whole period; {@code notes}: versions that could not be estimated and
 * why.
 */
public record EstimateReport(
        String model,
        @JsonProperty("time_source") String timeSource,
        String window,
        List<Estimate> windows,
        List<Estimate> versions,
        @JsonProperty("rows_without_time") long rowsWithoutTime,
        List<String> notes,
        @JsonProperty("predictions_read") ReadStats predictionsRead,
        @JsonProperty("feedback_read") ReadStats feedbackRead) {

    /** The model's probabilities were calibrated on held-out rows when trained: the estimate stands. */
    public static final String CALIBRATED = "calibrated";
    /** The bundle has no usable calibration (written before format 1.3, or too few held-out rows): no estimate. */
    public static final String CALIBRATION_UNAVAILABLE = "calibration_unavailable";
    /** A regression model: CBPE estimates classifiers only. */
    public static final String NOT_A_CLASSIFIER = "not_a_classifier";

    /**
     * One version over one window (or the whole period: {@code start} and {@code end} null). {@code rows}: the
     * predictions estimated (logged with the model's probabilities and one of its classes); {@code rowsUnusable}: the
     * others. {@code calibration}: {@link #CALIBRATED}, {@link #CALIBRATION_UNAVAILABLE} or {@link #NOT_A_CLASSIFIER},
     * with {@code calibrationNote} saying what was fitted or why none. {@code estimatedAccuracy}: the mean calibrated
     * probability of each row's decided class; {@code estimatedRocAuc}: the expected ROC AUC (binary; macro one-vs-rest
     * for multiclass); both with a 95% band, null without calibration. {@code realised*}: the same metrics on the
     * {@code labelled} rows (null without labels; the multiclass AUC over the classes present in the labels).
     */
    public record Estimate(
            String version,
            Instant start,
            Instant end,
            long rows,
            @JsonProperty("rows_unusable") long rowsUnusable,
            String calibration,
            @JsonProperty("calibration_note") String calibrationNote,
            @JsonProperty("estimated_accuracy") Cbpe.Band estimatedAccuracy,
            @JsonProperty("estimated_roc_auc") Cbpe.Band estimatedRocAuc,
            long labelled,
            @JsonProperty("realised_accuracy") Double realisedAccuracy,
            @JsonProperty("realised_roc_auc") Double realisedRocAuc) {

        /** The estimate of {@code accuracy} or {@code roc_auc}; null when there is none. */
        @JsonIgnore
        public Cbpe.Band estimated(String metric) {
            return switch (metric) {
                case "accuracy" -> estimatedAccuracy;
                case "roc_auc" -> estimatedRocAuc;
                default -> null;
            };
        }

        /** The realised {@code accuracy} or {@code roc_auc} on the labelled rows; null when there is none. */
        @JsonIgnore
        public Double realised(String metric) {
            return switch (metric) {
                case "accuracy" -> realisedAccuracy;
                case "roc_auc" -> realisedRocAuc;
                default -> null;
            };
        }
    }
}
