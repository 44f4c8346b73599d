package dev.kiln.monitor.alerts;

import dev.kiln.monitor.drift.DriftReport;
import dev.kiln.monitor.drift.FeatureDrift;
import dev.kiln.monitor.performance.EstimateReport;
import dev.kiln.monitor.performance.PerformanceReport;
import java.util.Map;

/**
 * What is known about one served model over the evaluation window: drift of its inputs and of its output
 * against the training reference (null when there is no reference or no traffic), its performance on
 * labelled feedback for the version now serving (null without labels), the metrics it had on its test rows
 * when trained, and serving statistics (null when they are not known — outside the server, failed requests
 * are not in the log), and its performance estimated before labels from its calibrated probabilities (CBPE; null when
 * not estimated).
 */
public record MonitorSnapshot(String model, Integer version, long rows, DriftReport inputDrift, FeatureDrift predictionDrift,
                              PerformanceReport.Window performance, Map<String, Double> trainingMetrics,
                              ServingStats serving, EstimateReport.Estimate estimate) {

    /** Without a performance estimate (CBPE): estimated_metric_drop rules have no data. */
    public MonitorSnapshot(String model, Integer version, long rows, DriftReport inputDrift, FeatureDrift predictionDrift,
                           PerformanceReport.Window performance, Map<String, Double> trainingMetrics, ServingStats serving) {
        this(model, version, rows, inputDrift, predictionDrift, performance, trainingMetrics, serving, null);
    }

    /**
     * Requests and failures ({@code errors} −1 when unknown: the prediction log holds only what succeeded), and the
     * 99th percentile of the logged predictions' latency in milliseconds (NaN if unknown).
     */
    public record ServingStats(long requests, long errors, double p99Millis) {
    }
}
