package dev.kiln.monitor.alerts;

import dev.kiln.monitor.performance.Cbpe;
import dev.kiln.monitor.performance.EstimateReport;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code estimated_metric_drop} rule: the serving version's accuracy or ROC AUC estimated from its calibrated
 * probabilities (CBPE), before any label, against the metric its bundle measured on its test rows. It fires on the
 * estimate itself, not on its band: the band says how far the realised metric may fall from it by chance, and is in
 * the evidence.
 */
final class EstimatedMetricDrop {
    private EstimatedMetricDrop() {
    }

    static Evaluation evaluate(AlertRules.Rule r, MonitorSnapshot s) {
        EstimateReport.Estimate e = s.estimate();
        if (e == null) {
            return AlertEvaluator.noData(r, "no performance estimate for the serving version");
        }
        if (!EstimateReport.CALIBRATED.equals(e.calibration())) {
            return AlertEvaluator.noData(r, e.calibration() + ": " + e.calibrationNote());
        }
        String metric = r.metric() != null ? r.metric() : defaultMetric(s, e);
        Double trained = s.trainingMetrics() == null ? null : s.trainingMetrics().get(metric);
        if (trained == null || trained.isNaN()) {
            return AlertEvaluator.noData(r, "the model has no test " + metric + " to compare with");
        }
        if (e.rows() < r.minRows()) {
            return AlertEvaluator.noData(r, "needs at least " + r.minRows() + " estimated rows; has " + e.rows());
        }
        Cbpe.Band band = e.estimated(metric);
        if (band == null) {
            return AlertEvaluator.noData(r, metric + " cannot be estimated on these rows (one class expected only?)");
        }
        double drop = trained - band.value();
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("metric", metric);
        evidence.put("trained", trained);
        evidence.put("estimated", band.value());
        evidence.put("ci_low", band.low());
        evidence.put("ci_high", band.high());
        evidence.put("drop", drop);
        evidence.put("threshold", r.threshold());
        evidence.put("rows", e.rows());
        evidence.put("calibration", e.calibrationNote());
        if (e.labelled() > 0 && e.realised(metric) != null) {
            evidence.put("labelled", e.labelled());
            evidence.put("realised", e.realised(metric));
        }
        String text = "estimated " + metric + " " + AlertEvaluator.fmt(band.value()) + " (95% " + AlertEvaluator.fmt(band.low())
                + " to " + AlertEvaluator.fmt(band.high()) + ") on " + e.rows() + " rows against " + AlertEvaluator.fmt(trained)
                + " when trained";
        if (drop > r.threshold()) {
            return new Evaluation(r, Evaluation.Status.FIRING, text + ": lower by " + AlertEvaluator.fmt(drop) + " (> "
                    + AlertEvaluator.fmt(r.threshold()) + ")", evidence);
        }
        return new Evaluation(r, Evaluation.Status.OK, text, evidence);
    }

    /** ROC AUC when the model has a test value and an estimate of it, else accuracy. */
    private static String defaultMetric(MonitorSnapshot s, EstimateReport.Estimate e) {
        boolean hasAuc = s.trainingMetrics() != null && s.trainingMetrics().containsKey("roc_auc") && e.estimatedRocAuc() != null;
        return hasAuc ? "roc_auc" : "accuracy";
    }
}
