package dev.kiln.train.constraints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConstrainedChoiceTest {
    private static final CandidateFacts BASELINE = new CandidateFacts("baseline", 0.5, true, 0.4, 2150, 0.01, true, true);
    private static final CandidateFacts LINEAR = new CandidateFacts("linear", 0.80, true, 7.9, 3000, 0.5, true, true);
    private static final CandidateFacts TREE = new CandidateFacts("tree", 0.78, true, 9.0, 40_000, 0.3, false, false);
    private static final CandidateFacts GBDT = new CandidateFacts("gbdt", 0.90, true, 71.3, 250_000, 4.0, false, true);
    private static final List<CandidateFacts> ALL = List.of(BASELINE, LINEAR, TREE, GBDT);

    private static KilnException unmet(List<CandidateFacts> c, Constraints k) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> ConstrainedChoice.choose(c, k, 0));
        assertThat(t).isInstanceOf(KilnException.class);
        KilnException e = (KilnException) t;
        assertThat(e.code()).isEqualTo(ErrorCode.CONSTRAINTS_UNMET);
        assertThat(e.code().exitCode()).isEqualTo(4);
        return e;
    }

    @Test
    void withoutConstraintsTheBestByMetricIsChosenNeverTheBaseline() {
        ConstrainedChoice.Choice choice = ConstrainedChoice.choose(ALL, Constraints.none(), 0);
        assertThat(choice.chosen()).isEqualTo(3);
        assertThat(choice.violations()).allSatisfy(v -> assertThat(v).isEmpty());
        // Lower is better: the smallest metric wins; a NaN metric never beats a number.
        List<CandidateFacts> loss = List.of(new CandidateFacts("baseline", 0.2, false, 1, 1, 1, true, true),
                new CandidateFacts("a", Double.NaN, false, 1, 1, 1, true, true),
                new CandidateFacts("b", 0.4, false, 1, 1, 1, true, true),
                new CandidateFacts("c", 0.3, false, 1, 1, 1, true, true));
        assertThat(ConstrainedChoice.choose(loss, Constraints.none(), 0).chosen()).isEqualTo(3);
        assertThat(ConstrainedChoice.choose(List.of(BASELINE), Constraints.none(), 0).chosen()).isZero();
        assertThat(ConstrainedChoice.choose(List.of(LINEAR, GBDT), Constraints.none(), -1).chosen()).isEqualTo(1);
    }

    @Test
    void theBestThatMeetsEveryConstraintIsChosenAndEachViolationWorded() {
        Constraints k = new Constraints(50.0, 100L * Constraints.KB, 3.0, false, Map.of());
        ConstrainedChoice.Choice choice = ConstrainedChoice.choose(ALL, k, 0);
        assertThat(choice.chosen()).isEqualTo(1);
        assertThat(choice.violations().get(3)).containsExactly("p99 71.3 µs > 50 µs", "bundle 244.1 KB > 100 KB",
                "trained in 4 s > 3 s");
        assertThat(choice.violations().get(1)).isEmpty();
        Constraints readable = new Constraints(null, null, null, true, Map.of("x", 1));
        ConstrainedChoice.Choice r = ConstrainedChoice.choose(ALL, readable, 0);
        assertThat(r.chosen()).isEqualTo(1);
        assertThat(r.violations().get(2)).containsExactly("not interpretable", "does not honour --monotone");
        assertThat(ConstrainedChoice.choose(ALL, new Constraints(10.0, null, null, false, Map.of()), 0).chosen())
                .as("tree beats nothing faster: linear 0.80 > tree 0.78").isEqualTo(1);
    }

    @Test
    void noneMeetingALimitNamesTheNearestAndHowClose() {
        Constraints k = new Constraints(5.0, 1L * Constraints.KB, null, false, Map.of());
        KilnException e = unmet(ALL, k);
        assertThat(e).hasMessage("no candidate meets every constraint: --max-latency-us 5: the fastest, linear, answers in "
                + "7.9 µs at p99 (1.6x the limit); --max-bundle-kb 1: the smallest, linear, is 2.9 KB (2.9x the limit)");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> constraints = (List<Map<String, Object>>) e.details().get("constraints");
        assertThat(constraints).hasSize(2);
        assertThat(constraints.get(0)).containsEntry("option", "--max-latency-us").containsEntry("limit", 5.0)
                .containsEntry("nearest_candidate", "linear").containsEntry("nearest_value", 7.9);
        assertThat(constraints.get(1)).containsEntry("option", "--max-bundle-kb").containsEntry("limit", 1.0)
                .containsEntry("nearest_candidate", "linear");
        assertThat((double) constraints.get(1).get("nearest_value")).isCloseTo(3000.0 / 1024, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(e.details().get("violations")).isInstanceOf(Map.class);
    }

    @Test
    void constraintsMetOneByOneButNeverTogetherSayWhoMissesWhat() {
        Constraints k = new Constraints(8.0, null, 0.4, false, Map.of());
        KilnException e = unmet(List.of(BASELINE, LINEAR, TREE), k);
        assertThat(e).hasMessage("no candidate meets every constraint at once: linear: trained in 0.5 s > 0.4 s; "
                + "tree: p99 9 µs > 8 µs; only the baseline (a constant prediction) meets them, and it is not chosen "
                + "as a model");
        assertThat((List<?>) e.details().get("constraints")).isEmpty();
    }

    @Test
    void interpretableAndMonotoneUnmetNameTheCandidates() {
        KilnException e = unmet(List.of(BASELINE, TREE, GBDT), new Constraints(null, null, null, true, Map.of()));
        assertThat(e).hasMessageStartingWith("no candidate meets every constraint: --interpretable: no candidate is "
                + "interpretable (trained: tree, gbdt)");
        KilnException m = unmet(List.of(BASELINE, TREE), new Constraints(null, null, null, false, Map.of("x", -1)));
        assertThat(m).hasMessageStartingWith("no candidate meets every constraint: --monotone: no candidate honours it "
                + "(trained: tree)");
    }

    @Test
    void theBaselineAloneIsChosenWhenItMeetsThemAndRefusedWhenNot() {
        assertThat(ConstrainedChoice.choose(List.of(BASELINE), new Constraints(1.0, null, null, true, Map.of()), 0)
                .chosen()).isZero();
        KilnException e = unmet(List.of(BASELINE), new Constraints(0.1, null, null, false, Map.of()));
        assertThat(e).hasMessage("no candidate meets every constraint: --max-latency-us 0.1: the fastest, baseline, "
                + "answers in 0.4 µs at p99 (4.0x the limit)");
    }

    @Test
    void unmeasuredLatencyBreaksALatencyLimit() {
        CandidateFacts unmeasured = new CandidateFacts("linear", 0.8, true, Double.NaN, 10, 1, true, true);
        KilnException e = unmet(List.of(BASELINE, unmeasured), new Constraints(5.0, null, null, false, Map.of()));
        assertThat(e).hasMessageStartingWith("no candidate meets every constraint: --max-latency-us 5: no candidate's "
                + "latency could be measured");
        assertThat(ConstrainedChoice.violations(unmeasured, new Constraints(5.0, null, null, false, Map.of())))
                .containsExactly("p99 latency not measured");
    }

    @Test
    void wordingOfNumbers() {
        assertThat(ChoiceWording.number(5)).isEqualTo("5");
        assertThat(ChoiceWording.number(7.94)).isEqualTo("7.9");
        assertThat(ChoiceWording.number(0.042)).isEqualTo("0.042");
        assertThat(ChoiceWording.number(0.5)).isEqualTo("0.5");
        assertThat(ChoiceWording.ratio(10.4, 10)).isEqualTo("1.04x");
        assertThat(ChoiceWording.kilobytes(2150)).isEqualTo("2.1 KB");
        assertThatThrownBy(() -> ConstrainedChoice.choose(List.of(), Constraints.none(), -1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
