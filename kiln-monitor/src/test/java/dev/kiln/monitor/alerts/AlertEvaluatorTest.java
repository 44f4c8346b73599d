package dev.kiln.monitor.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.monitor.drift.DriftReport;
import dev.kiln.monitor.drift.DriftThresholds;
import dev.kiln.monitor.drift.FeatureDrift;
import dev.kiln.monitor.performance.PerformanceReport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertEvaluatorTest {
    static FeatureDrift numeric(String name, double psi, boolean drift) {
        return new FeatureDrift(name, "numeric", 1000, 1000, 0, 0, 0.2, 1e-9, "asymptotic", psi, null, null, null, null, drift,
                drift ? List.of("shifted") : List.of());
    }

    static DriftReport report(FeatureDrift... features) {
        int drifted = (int) List.of(features).stream().filter(FeatureDrift::drift).count();
        return new DriftReport(1000, 500, List.of(features), drifted, (double) drifted / features.length, false, List.of(), List.of(),
                DriftThresholds.defaults());
    }

    static MonitorSnapshot snapshot(long rows, DriftReport drift, PerformanceReport.Window perf, MonitorSnapshot.ServingStats serving) {
        return new MonitorSnapshot("credit", 3, rows, drift, numeric("prediction", 0.05, false), perf,
                Map.of("roc_auc", 0.80, "log_loss", 0.50), serving);
    }

    static PerformanceReport.Window perf(long labelled, Map<String, Double> metrics) {
        return new PerformanceReport.Window("3", null, null, 500, labelled, 0, metrics, null, null, null, null);
    }

    static AlertRules rules(String json) {
        return AlertRules.parse(json, null);
    }

    @Test
    void featurePsiFiresOnTheFeaturesAboveTheThresholdAndListsThemWorstFirst() {
        AlertRules r = rules("{\"rules\": [{\"kind\": \"feature_psi\", \"threshold\": 0.2}]}");
        Evaluation e = AlertEvaluator.evaluate(r, snapshot(500, report(numeric("age", 0.25, true), numeric("income", 0.9, true),
                numeric("tenure", 0.1, false)), null, null)).get(0);
        assertThat(e.status()).isEqualTo(Evaluation.Status.FIRING);
        assertThat(e.message()).contains("2 feature(s)").contains("income 0.900, age 0.250");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> features = (List<Map<String, Object>>) e.evidence().get("features");
        assertThat(features).extracting(m -> m.get("name")).containsExactly("income", "age");

        Evaluation calm = AlertEvaluator.evaluate(r, snapshot(500, report(numeric("age", 0.05, false)), null, null)).get(0);
        assertThat(calm.status()).isEqualTo(Evaluation.Status.OK);
        Evaluation few = AlertEvaluator.evaluate(r, snapshot(20, report(numeric("age", 0.9, true)), null, null)).get(0);
        assertThat(few.status()).isEqualTo(Evaluation.Status.NO_DATA);
        assertThat(few.message()).contains("100");
    }

    @Test
    void metricDropComparesWithTheTrainedMetricInTheRightDirection() {
        AlertRules auc = rules("{\"rules\": [{\"kind\": \"metric_drop\", \"metric\": \"roc_auc\", \"threshold\": 0.05}]}");
        assertThat(AlertEvaluator.evaluate(auc, snapshot(500, null, perf(200, Map.of("roc_auc", 0.70)), null)).get(0).status())
                .isEqualTo(Evaluation.Status.FIRING);
        assertThat(AlertEvaluator.evaluate(auc, snapshot(500, null, perf(200, Map.of("roc_auc", 0.78)), null)).get(0).status())
                .isEqualTo(Evaluation.Status.OK);
        assertThat(AlertEvaluator.evaluate(auc, snapshot(500, null, perf(20, Map.of("roc_auc", 0.10)), null)).get(0).status())
                .as("fewer labels than min_labelled (default 50)").isEqualTo(Evaluation.Status.NO_DATA);

        AlertRules loss = rules("{\"rules\": [{\"kind\": \"metric_drop\", \"metric\": \"log_loss\", \"threshold\": 0.05}]}");
        Evaluation worse = AlertEvaluator.evaluate(loss, snapshot(500, null, perf(200, Map.of("log_loss", 0.60)), null)).get(0);
        assertThat(worse.status()).as("log loss going up is a drop").isEqualTo(Evaluation.Status.FIRING);
        assertThat((Double) worse.evidence().get("drop")).isCloseTo(0.10, org.assertj.core.api.Assertions.within(1e-12));
    }

    @Test
    void errorRateAndLatencyNeedServingStatistics() {
        AlertRules r = rules("{\"rules\": [{\"kind\": \"error_rate\", \"threshold\": 0.01}, {\"kind\": \"latency_p99\", \"threshold\": 50}]}");
        List<Evaluation> none = AlertEvaluator.evaluate(r, snapshot(500, null, null, new MonitorSnapshot.ServingStats(500, -1, 12)));
        assertThat(none.get(0).status()).isEqualTo(Evaluation.Status.NO_DATA);
        assertThat(none.get(1).status()).isEqualTo(Evaluation.Status.OK);
        List<Evaluation> bad = AlertEvaluator.evaluate(r, snapshot(500, null, null, new MonitorSnapshot.ServingStats(1000, 30, 80)));
        List<Evaluation> quiet = AlertEvaluator.evaluate(r, snapshot(20, null, null, new MonitorSnapshot.ServingStats(1000, 0, 80)));
        assertThat(quiet.get(1).status()).as("too few logged predictions for a p99").isEqualTo(Evaluation.Status.NO_DATA);
        assertThat(bad.get(0).status()).isEqualTo(Evaluation.Status.FIRING);
        assertThat(bad.get(0).message()).contains("30 of 1000").contains("3.00%");
        assertThat(bad.get(1).status()).isEqualTo(Evaluation.Status.FIRING);
        assertThat(bad.get(1).evidence()).containsEntry("p99_ms", 80.0);
    }
}
