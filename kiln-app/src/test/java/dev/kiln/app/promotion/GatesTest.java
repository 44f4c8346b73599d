package dev.kiln.app.promotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.BundleManifest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The gates as a pure function: rules validated against the task, figures from the same rows, live evidence. */
class GatesTest {
    private static BundleManifest manifest(Task task, String selection, Map<String, Double> test, Map<String, Double> baseline) {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("selection_metric", selection);
        extra.put("baseline_metrics", Map.of("validation", baseline, "test", baseline));
        return new BundleManifest("1.2", task, "y", null, null, null, null, "linear", Map.of(), Map.of(), test, null, extra, Map.of());
    }

    private static final BundleManifest BINARY = manifest(Task.BINARY, "roc_auc",
            Map.of("roc_auc", 0.85, "accuracy", 0.80, "cost_per_1000", 650.0), Map.of("roc_auc", 0.5, "cost_per_1000", 700.0));

    @Test
    void anUnknownMetricIsAnInvalidArgumentNamingTheRuleAndTheValidMetrics() {
        assertThatThrownBy(() -> Gates.validate(List.of(Gates.parse("roc_acu>=0.7")), Task.BINARY, true))
                .isInstanceOf(KilnException.class)
                .hasMessageContaining("'roc_acu >= 0.7000'").hasMessageContaining("unknown metric 'roc_acu'")
                .hasMessageContaining("roc_auc, pr_auc, log_loss, brier, accuracy, precision, recall, f1, cost_per_1000")
                .hasMessageContaining("fairness.<column>.<gap>").hasMessageContaining("parity_difference")
                .satisfies(e -> {
                    KilnException k = (KilnException) e;
                    assertThat(k.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(k.code().exitCode()).isEqualTo(2);
                    assertThat(k.httpStatus()).isEqualTo(400);
                    assertThat(k.details()).containsEntry("rule", "roc_acu >= 0.7000").containsEntry("task", "binary");
                });
        assertThatThrownBy(() -> Gates.validate(List.of(Gates.parse("cost_per_1000<=700")), Task.BINARY, false,
                "model tag 'gate.cost_per_1000'"))
                .hasMessageContaining("model tag 'gate.cost_per_1000' 'cost_per_1000 <= 700.0000'")
                .hasMessageContaining("trained without a cost matrix");
        assertThatThrownBy(() -> Gates.validate(List.of(Gates.parse("roc_auc>=0.7")), Task.REGRESSION, false))
                .hasMessageContaining("a regression model's gates may name rmse, mae, r2");
        assertThatThrownBy(() -> Gates.validate(List.of(Gates.parse("fairness.age.parity_gap<=0.2")), Task.BINARY, false))
                .hasMessageContaining("unknown fairness gap 'parity_gap'");
        assertThatThrownBy(() -> Gates.validate(List.of(Gates.parse("fairness.age.parity_difference<=0.2")), Task.MULTICLASS, false))
                .hasMessageContaining("binary models only");

        Gates.validate(List.of(Gates.parse("roc_auc>=0.7"), Gates.parse("cost_per_1000<=700"),
                Gates.parse("fairness.personal_status*age.equal_opportunity_difference<=0.2")), Task.BINARY, true);
        Gates.validate(List.of(Gates.parse("f1_macro>=0.5"), Gates.parse("log_loss<=1")), Task.MULTICLASS, false);
        Gates.validate(List.of(Gates.parse("rmse<=3"), Gates.parse("r2>0.5")), Task.REGRESSION, false);
    }

    @Test
    void withAHolderEveryThresholdAndTheRegressionCheckReadTheFiguresOnTheSameRows() {
        // On its own (new) rows the candidate looked good (manifest: cost 650, roc_auc 0.85); next to the holder on the
        // same rows it costs 720 and ranks worse than the holder.
        HeadToHead.Result same = new HeadToHead.Result(Map.of("roc_auc", 0.78, "cost_per_1000", 720.0),
                Map.of("roc_auc", 0.82, "cost_per_1000", 640.0), 200, "abc");
        List<Gates.Check> checks = Gates.evaluate(BINARY, new Gates.Holder.Scored(3, same),
                List.of(Gates.parse("cost_per_1000<=700")), 0, 0.02, Optional.empty());
        assertThat(checks).extracting(Gates.Check::name).containsExactly("cost_per_1000", "roc_auc lift over baseline",
                "roc_auc vs current holder", "live evidence");
        assertThat(checks.get(0)).isEqualTo(new Gates.Check("cost_per_1000", 720.0, 640.0, "cost_per_1000 <= 700.0000", false));
        Gates.Check vsHolder = checks.get(2);
        assertThat(vsHolder.value()).isEqualTo(0.78);
        assertThat(vsHolder.holderValue()).isEqualTo(0.82);
        assertThat(vsHolder.requirement()).contains(">= 0.8000").contains("holder v3 on the same 200 test rows");
        assertThat(vsHolder.passed()).isFalse();
        assertThat(checks.get(3)).isEqualTo(new Gates.Check("live evidence", null, null, "none recorded", true));

        // Without a holder the thresholds read the manifest's test metrics, and there is no head-to-head check.
        List<Gates.Check> first = Gates.evaluate(BINARY, new Gates.Holder.None(), List.of(Gates.parse("cost_per_1000<=700")),
                0, 0.02, Optional.empty());
        assertThat(first.get(0)).isEqualTo(new Gates.Check("cost_per_1000", 650.0, null, "cost_per_1000 <= 700.0000", true));
        assertThat(first).extracting(Gates.Check::name).doesNotContain("roc_auc vs current holder");
    }

    @Test
    void aHolderThatCannotBeScoredFailsTheCheckSayingWhy() {
        List<Gates.Check> checks = Gates.evaluate(BINARY, new Gates.Holder.Unscorable(2, "the candidate's training data /d.csv is not there any more"),
                List.of(), 0, 0.02, Optional.empty());
        Gates.Check c = checks.stream().filter(x -> x.name().equals("roc_auc vs current holder")).findFirst().orElseThrow();
        assertThat(c.passed()).isFalse();
        assertThat(c.value()).isNull();
        assertThat(c.requirement()).isEqualTo("holder v2 scored on the candidate's test rows: the candidate's training data /d.csv is not there any more");
    }

    @Test
    void costIsLowerIsBetterInTheLiftAndRegressionChecks() {
        BundleManifest byCost = manifest(Task.BINARY, "cost_per_1000", Map.of("cost_per_1000", 600.0), Map.of("cost_per_1000", 700.0));
        HeadToHead.Result same = new HeadToHead.Result(Map.of("cost_per_1000", 600.0), Map.of("cost_per_1000", 590.0), 100, "abc");
        List<Gates.Check> checks = Gates.evaluate(byCost, new Gates.Holder.Scored(1, same), List.of(), 0, 0.02, Optional.empty());
        assertThat(checks.get(0).value()).as("lift = baseline - candidate").isEqualTo(100.0);
        assertThat(checks.get(0).passed()).isTrue();
        assertThat(checks.get(1).requirement()).startsWith("<= 590.0200");
        assertThat(checks.get(1).passed()).as("10 more per 1,000 than the holder is past a 0.02 margin").isFalse();
        HeadToHead.Result cheaper = new HeadToHead.Result(Map.of("cost_per_1000", 580.0), Map.of("cost_per_1000", 590.0), 100, "abc");
        assertThat(Gates.evaluate(byCost, new Gates.Holder.Scored(1, cheaper), List.of(), 0, 0.02, Optional.empty()).get(1).passed()).isTrue();
    }

    @Test
    void significantlyWorseLiveEvidenceFailsShowingItsFigures() {
        LiveEvidence worse = new LiveEvidence("shadow", 2000, 0.81, "accuracy", 0.680, 0.835, 400L, 0.0003, true);
        Gates.Check c = Gates.evaluate(BINARY, new Gates.Holder.None(), List.of(), 0, 0.02, Optional.of(worse)).get(1);
        assertThat(c.name()).isEqualTo("live evidence (shadow)");
        assertThat(c.passed()).isFalse();
        assertThat(c.value()).isEqualTo(0.680);
        assertThat(c.holderValue()).isEqualTo(0.835);
        assertThat(c.requirement()).isEqualTo("significantly worse: accuracy 0.6800 vs production 0.8350, 400 labelled, "
                + "p = 0.0003, agreement 0.810 over 2000 requests");

        LiveEvidence fine = new LiveEvidence("canary", 500, null, "accuracy", 0.83, 0.835, 120L, 0.8, false);
        Gates.Check ok = LiveEvidence.check(Optional.of(fine));
        assertThat(ok.passed()).isTrue();
        assertThat(ok.name()).isEqualTo("live evidence (canary)");
        LiveEvidence unlabelled = new LiveEvidence("shadow", 50, 0.9, null, null, null, null, null, false);
        assertThat(LiveEvidence.check(Optional.of(unlabelled)).requirement()).contains("no labelled comparison").contains("agreement 0.900");
    }

    @Test
    void theLatestEvidenceOfTheCandidateVersionCounts() {
        var older = event(1, 5, new LiveEvidence("shadow", 10, null, null, null, null, null, null, true));
        var newer = event(2, 5, new LiveEvidence("canary", 20, null, null, null, null, null, null, false));
        var other = event(3, 6, new LiveEvidence("shadow", 30, null, null, null, null, null, null, true));
        assertThat(LiveEvidence.latest(List.of(older, newer, other), 5).orElseThrow().source()).isEqualTo("canary");
        assertThat(LiveEvidence.latest(List.of(older, newer, other), 7)).isEmpty();
    }

    @Test
    void aCheckIsRecordedAsPlainJsonFields() {
        Map<String, Object> d = new Gates.Check("roc_auc vs current holder", 0.8, Double.NaN, "x", true).toDetails();
        assertThat(d.keySet()).containsExactly("name", "value", "holder_value", "requirement", "passed");
        assertThat(d.get("holder_value")).as("NaN is not JSON").isNull();
        assertThat(d).containsEntry("name", "roc_auc vs current holder").containsEntry("value", 0.8)
                .containsEntry("requirement", "x").containsEntry("passed", true);
    }

    private static dev.kiln.store.ModelEvent event(long id, int version, LiveEvidence e) {
        return new dev.kiln.store.ModelEvent(id, "m", LiveEvidence.EVENT_TYPE, version, null, "rollout", null,
                java.time.Instant.EPOCH, e.toDetails());
    }
}
