package dev.kiln.monitor.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.monitor.performance.Cbpe;
import dev.kiln.monitor.performance.EstimateReport;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EstimatedMetricDropTest {
    static EstimateReport.Estimate estimate(long rows, double accuracy, Double auc) {
        return new EstimateReport.Estimate("3", null, null, rows, 0, EstimateReport.CALIBRATED, "isotonic on 400 validation rows",
                new Cbpe.Band(accuracy, accuracy - 0.03, accuracy + 0.03), auc == null ? null : new Cbpe.Band(auc, auc - 0.04, auc + 0.04),
                0, null, null);
    }

    static MonitorSnapshot snapshot(EstimateReport.Estimate e) {
        return new MonitorSnapshot("credit", 3, e == null ? 0 : e.rows(), null, null, null,
                Map.of("roc_auc", 0.80, "accuracy", 0.75), null, e);
    }

    @Test
    void parsesWithItsDefaultsAndNamesTheKeyOfEachMistake() {
        AlertRules r = AlertRules.parse("{\"rules\": [{\"kind\": \"estimated_metric_drop\", \"metric\": \"accuracy\"}]}", null);
        AlertRules.Rule rule = r.rules().get(0);
        assertThat(rule.kind()).isEqualTo(AlertRules.Kind.ESTIMATED_METRIC_DROP);
        assertThat(rule.name()).isEqualTo("estimated-metric-drop");
        assertThat(rule.threshold()).isEqualTo(0.05);
        assertThat(rule.minRows()).isEqualTo(100);
        assertThat(rule.severity()).isEqualTo("warning");
        assertThat(rule.metric()).isEqualTo("accuracy");
        assertThatThrownBy(() -> AlertRules.parse("{\"rules\": [{\"kind\": \"estimated_metric_drop\", \"metric\": \"log_loss\"}]}", null))
                .isInstanceOfSatisfying(KilnException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("$.rules[0].metric").contains("[accuracy, roc_auc]");
                    assertThat(e.details()).containsEntry("field", "$.rules[0].metric");
                });
        assertThatThrownBy(() -> AlertRules.parse("{\"rules\": [{\"kind\": \"estimated_metric_drop\", \"min_rows\": -3}]}", null))
                .hasMessageContaining("$.rules[0].min_rows");
        assertThatThrownBy(() -> AlertRules.parse("{\"rules\": [{\"kind\": \"estimated_metric_drop\", \"threshold\": \"big\"}]}", null))
                .hasMessageContaining("$.rules[0].threshold");
    }

    @Test
    void firesWhenTheEstimateFallsBelowTheTestMetricByMoreThanTheThreshold() {
        AlertRules r = AlertRules.parse("{\"rules\": [{\"kind\": \"estimated_metric_drop\", \"metric\": \"roc_auc\", "
                + "\"threshold\": 0.05, \"min_rows\": 200}]}", null);
        Evaluation firing = AlertEvaluator.evaluate(r, snapshot(estimate(500, 0.7, 0.70))).get(0);
        assertThat(firing.status()).isEqualTo(Evaluation.Status.FIRING);
        assertThat(firing.message()).contains("estimated roc_auc 0.700").contains("0.800").contains("lower by 0.100");
        assertThat(firing.evidence()).containsEntry("metric", "roc_auc").containsEntry("estimated", 0.70)
                .containsEntry("trained", 0.80).containsEntry("rows", 500L).containsKey("ci_low");
        assertThat(AlertEvaluator.evaluate(r, snapshot(estimate(500, 0.7, 0.78))).get(0).status()).isEqualTo(Evaluation.Status.OK);
        assertThat(AlertEvaluator.evaluate(r, snapshot(estimate(150, 0.7, 0.60))).get(0).status())
                .as("fewer rows than min_rows").isEqualTo(Evaluation.Status.NO_DATA);
    }

    @Test
    void defaultsToRocAucWhenEstimatedElseAccuracy() {
        AlertRules r = AlertRules.parse("{\"rules\": [{\"kind\": \"estimated_metric_drop\"}]}", null);
        assertThat(AlertEvaluator.evaluate(r, snapshot(estimate(500, 0.5, 0.79))).get(0).evidence()).containsEntry("metric", "roc_auc");
        Evaluation acc = AlertEvaluator.evaluate(r, snapshot(estimate(500, 0.6, null))).get(0);
        assertThat(acc.evidence()).containsEntry("metric", "accuracy");
        assertThat(acc.status()).isEqualTo(Evaluation.Status.FIRING);
    }

    @Test
    void withoutCalibrationItHasNoDataAndSaysWhy() {
        AlertRules r = AlertRules.parse("{\"rules\": [{\"kind\": \"estimated_metric_drop\"}]}", null);
        EstimateReport.Estimate none = new EstimateReport.Estimate("3", null, null, 500, 0, EstimateReport.CALIBRATION_UNAVAILABLE,
                "bundle format 1.2 has no calibration (written before 1.3): retrain to estimate", null, null, 0, null, null);
        Evaluation e = AlertEvaluator.evaluate(r, snapshot(none)).get(0);
        assertThat(e.status()).isEqualTo(Evaluation.Status.NO_DATA);
        assertThat(e.message()).startsWith("calibration_unavailable: bundle format 1.2");
        assertThat(AlertEvaluator.evaluate(r, snapshot(null)).get(0).status()).isEqualTo(Evaluation.Status.NO_DATA);
    }
}
