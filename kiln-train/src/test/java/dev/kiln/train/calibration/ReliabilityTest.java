package dev.kiln.train.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.Task;
import org.junit.jupiter.api.Test;

class ReliabilityTest {
    @Test
    void binaryBinsPPositiveInFifteenEqualWidthBins() {
        double[][] q = {{0.9, 0.1}, {0.9, 0.1}, {0.1, 0.9}, {0.1, 0.9}, {0, 1}};
        int[] y = {0, 1, 1, 1, 1};
        Reliability.Curve c = Reliability.of(Task.BINARY, q, y);
        // bin [1/15, 2/15): 0.1, 0.1 with one positive; bin [13/15, 14/15): 0.9, 0.9, both positive; the last bin: 1.0
        assertThat(c.bins()).hasSize(3);
        assertThat(c.bins().get(0)).isEqualTo(new Reliability.Bin(1.0 / 15, 2.0 / 15, 0.1, 0.5, 2));
        assertThat(c.bins().get(1).lower()).isEqualTo(13.0 / 15);
        assertThat(c.bins().get(1).meanPredicted()).isCloseTo(0.9, within(1e-12));
        assertThat(c.bins().get(1).observed()).isEqualTo(1.0);
        assertThat(c.bins().get(2)).isEqualTo(new Reliability.Bin(14.0 / 15, 1, 1, 1, 1));
        // ECE = 2/5 * |0.5 - 0.1| + 2/5 * |1 - 0.9| + 1/5 * 0 = 0.16 + 0.04
        assertThat(c.ece()).isCloseTo(0.2, within(1e-12));
    }

    @Test
    void multiclassBinsTheTopClassProbabilityAgainstWhetherItWasRight() {
        double[][] q = {{0.62, 0.28, 0.10}, {0.62, 0.18, 0.20}, {0.2, 0.7, 0.1}};
        int[] y = {0, 1, 1};
        Reliability.Curve c = Reliability.of(Task.MULTICLASS, q, y);
        // bin [9/15, 10/15): 0.62 twice, one right; bin [10/15, 11/15): 0.7, right
        assertThat(c.bins()).hasSize(2);
        assertThat(c.bins().get(0).count()).isEqualTo(2);
        assertThat(c.bins().get(0).observed()).isEqualTo(0.5);
        assertThat(c.bins().get(1).lower()).isEqualTo(10.0 / 15);
        assertThat(c.ece()).isCloseTo(2.0 / 3 * 0.12 + 1.0 / 3 * 0.3, within(1e-12));
        assertThat(Reliability.curveOf(Task.MULTICLASS)).isEqualTo("top_class");
    }
}
