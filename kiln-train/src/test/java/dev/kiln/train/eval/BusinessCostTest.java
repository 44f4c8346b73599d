package dev.kiln.train.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import org.junit.jupiter.api.Test;

class BusinessCostTest {
    // Hand-made: false positives cost 1, false negatives 5.
    private static final int[] Y = {0, 0, 1, 1, 0, 1};
    private static final double[] P = {0.1, 0.3, 0.35, 0.6, 0.7, 0.9};
    private static final CostMatrix COSTS = new CostMatrix(1.0, 5.0);

    @Test
    void expectedCostCountsBothErrors() {
        // Threshold 0.5: positives predicted at 0.6, 0.7, 0.9 -> FP at 0.7, FN at 0.35: (1 + 5) / 6.
        assertThat(BusinessCost.expectedCost(Y, P, 0.5, COSTS)).isCloseTo(1.0, within(1e-15));
        // Threshold 0: everything positive, three false positives.
        assertThat(BusinessCost.expectedCost(Y, P, 0.0, COSTS)).isCloseTo(0.5, within(1e-15));
    }

    @Test
    void bestThresholdMinimisesTotalCost() {
        // Candidate costs: 0 -> 3, 0.1 -> 3, 0.3 -> 2, 0.35 -> 1, 0.6 -> 6, 0.7 -> 6, 0.9 -> 10, >1 -> 15.
        ThresholdChoice best = BusinessCost.bestThreshold(Y, P, COSTS);
        assertThat(best.threshold()).isEqualTo(0.35);
        assertThat(best.costPerRow()).isCloseTo(1.0 / 6, within(1e-15));
        assertThat(BusinessCost.expectedCost(Y, P, best.threshold(), COSTS)).isCloseTo(best.costPerRow(), within(1e-15));
    }

    @Test
    void tiesPreferTheThresholdClosestToOneHalfThenTheLowerOne() {
        CostMatrix even = new CostMatrix(1.0, 1.0);
        // Costs: 0 -> 2, 0.1 -> 2, 0.3 -> 1, 0.6 -> 2, 0.9 -> 1, >1 -> 2: 0.3 (0.2 from 0.5) beats 0.9 (0.4).
        ThresholdChoice a = BusinessCost.bestThreshold(new int[] {0, 1, 0, 1}, new double[] {0.1, 0.3, 0.6, 0.9}, even);
        assertThat(a.threshold()).isEqualTo(0.3);
        assertThat(a.costPerRow()).isEqualTo(0.25);
        // 0.25 and 0.75 both cost 1 and lie 0.25 from 0.5: the lower one wins.
        ThresholdChoice b = BusinessCost.bestThreshold(new int[] {0, 1, 0, 1}, new double[] {0.1, 0.25, 0.6, 0.75}, even);
        assertThat(b.threshold()).isEqualTo(0.25);
    }

    @Test
    void extremesAreCandidates() {
        // Missing a positive is free, a false alarm is not: 0.9 and "above 1" both cost 0, 0.9 is closer.
        ThresholdChoice high = BusinessCost.bestThreshold(Y, P, new CostMatrix(1.0, 0.0));
        assertThat(high.threshold()).isEqualTo(0.9);
        assertThat(high.costPerRow()).isEqualTo(0.0);
        // The highest score is a negative: only "above 1" (predict nothing positive) avoids its cost.
        ThresholdChoice none = BusinessCost.bestThreshold(new int[] {1, 0}, new double[] {0.2, 0.8},
                new CostMatrix(1.0, 0.0));
        assertThat(none.threshold()).isGreaterThan(1.0);
        assertThat(none.costPerRow()).isEqualTo(0.0);
        // False alarms are free: any threshold up to the lowest positive score costs nothing.
        ThresholdChoice all = BusinessCost.bestThreshold(Y, P, new CostMatrix(0.0, 1.0));
        assertThat(all.costPerRow()).isEqualTo(0.0);
        assertThat(all.threshold()).isEqualTo(0.35); // 0, 0.1, 0.3, 0.35 all cost 0; 0.35 is closest to 0.5
    }

    @Test
    void rejectsNegativeCostsAndBadProbabilities() {
        // A cost is user input (--cost-fp / --cost-fn): a KilnException naming the option, not an IllegalArgumentException.
        assertThatThrownBy(() -> new CostMatrix(-1, 1)).isInstanceOfSatisfying(KilnException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT)).hasMessageContaining("--cost-fp");
        assertThatThrownBy(() -> new CostMatrix(1, Double.NaN)).isInstanceOfSatisfying(KilnException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT)).hasMessageContaining("--cost-fn");
        assertThatThrownBy(() -> new CostMatrix(Double.POSITIVE_INFINITY, 1)).isInstanceOf(KilnException.class)
                .hasMessageContaining("--cost-fp").hasMessageContaining("finite number >= 0");
        // Probabilities come from Kiln's own models: a programming invariant, left an IllegalArgumentException.
        assertThatThrownBy(() -> BusinessCost.bestThreshold(new int[] {0}, new double[] {1.5}, COSTS))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
