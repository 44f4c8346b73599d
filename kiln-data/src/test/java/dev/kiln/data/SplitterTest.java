package dev.kiln.data;

import static dev.kiln.data.Fixtures.assertKiln;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.data.Splitter.Split;
import org.junit.jupiter.api.Test;

class SplitterTest {
    @Test
    void randomSplitSizesAndDeterminism() {
        Split s = Splitter.random(10, 0.3, 42);
        assertThat(s.test()).hasSize(3);
        assertThat(s.train()).hasSize(7);
        assertThat(s).isEqualTo(Splitter.random(10, 0.3, 42));
        assertThat(Splitter.random(1000, 0.3, 1)).isNotEqualTo(Splitter.random(1000, 0.3, 2));
        // Both sides are non-empty even when the fraction rounds to 0 or n.
        assertThat(Splitter.random(3, 0.01, 1).test()).hasSize(1);
        assertThat(Splitter.random(3, 0.99, 1).train()).hasSize(1);
    }

    @Test
    void invalidArguments() {
        assertKiln(() -> Splitter.random(10, 0.0, 1), ErrorCode.INVALID_ARGUMENT).hasMessageContaining("test fraction");
        assertKiln(() -> Splitter.random(10, 1.0, 1), ErrorCode.INVALID_ARGUMENT);
        assertKiln(() -> Splitter.random(10, Double.NaN, 1), ErrorCode.INVALID_ARGUMENT);
        assertKiln(() -> Splitter.random(1, 0.5, 1), ErrorCode.INVALID_ARGUMENT).hasMessageContaining("at least 2 rows");
        assertKiln(() -> Splitter.stratified(new String[] {"a", null}, 0.5, 1), ErrorCode.INVALID_ARGUMENT)
                .hasMessageContaining("row 1");
        assertKiln(() -> Splitter.stratified(new String[] {"a", "b"}, 0.5, 1), ErrorCode.INVALID_ARGUMENT)
                .hasMessageContaining("single row");
        assertKiln(() -> Splitter.byTime(new double[] {1, Double.NaN}, 0.5), ErrorCode.INVALID_ARGUMENT)
                .hasMessageContaining("row 1");
        assertKiln(() -> Splitter.byTime(new double[] {5, 5, 5}, 0.5), ErrorCode.INVALID_ARGUMENT)
                .hasMessageContaining("same time");
    }

    @Test
    void stratifiedKeepsEveryClassOnBothSides() {
        String[] labels = new String[100];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i < 90 ? "good" : i < 98 ? "bad" : "rare";
        }
        Split s = Splitter.stratified(labels, 0.2, 7);
        int goodTest = 0;
        int badTest = 0;
        int rareTest = 0;
        for (int r : s.test()) {
            goodTest += labels[r].equals("good") ? 1 : 0;
            badTest += labels[r].equals("bad") ? 1 : 0;
            rareTest += labels[r].equals("rare") ? 1 : 0;
        }
        assertThat(goodTest).isEqualTo(18);
        assertThat(badTest).isEqualTo(2);
        assertThat(rareTest).isEqualTo(1); // 2 rows * 0.2 rounds to 0, clamped to 1
        assertThat(Splitter.stratified(new String[] {"a", "a", "b"}, 0.5, 1).train()).contains(2); // singleton -> train
    }

    @Test
    void byTimePutsLatestRowsInTestAndKeepsTiesTogether() {
        double[] times = {5, 1, 4, 2, 3, 6};
        Split s = Splitter.byTime(times, 0.34); // round(2.04) = 2 -> times 5 and 6
        assertThat(s.test()).containsExactly(0, 5);
        assertThat(s.train()).containsExactly(1, 2, 3, 4);

        double[] tied = {1, 2, 3, 3, 3, 4};
        // Wanted 2 test rows; the cut falls inside the run of 3s: moving the run to test gives 4, to train 1.
        assertThat(Splitter.byTime(tied, 0.34).test()).containsExactly(5);
        // Wanted 3: run to test gives 4 (off by 1), to train gives 1 (off by 2).
        assertThat(Splitter.byTime(tied, 0.5).test()).containsExactly(2, 3, 4, 5);
        // The latest run can never be split off from test entirely.
        assertThat(Splitter.byTime(new double[] {1, 9, 9, 9}, 0.25).test()).containsExactly(1, 2, 3);
    }
}
