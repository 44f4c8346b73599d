package dev.kiln.spark.sketch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** HyperLogLog's estimate within three standard errors, nearly exact when small, independent of partitioning. */
class DistinctSketchTest {
    private static final double STANDARD_ERROR = 1.04 / Math.sqrt(DistinctSketch.M);

    @Test
    void estimatesWithinThreeStandardErrorsAtEveryScale() {
        Random r = new Random(3);
        for (int n : new int[] {10, 1_000, 30_000, 300_000, 1_000_000}) {
            DistinctSketch numbers = new DistinctSketch();
            DistinctSketch texts = new DistinctSketch();
            Set<Double> seen = new HashSet<>();
            while (seen.size() < n) {
                double v = Math.round(r.nextGaussian() * 1e6) / 1e6;  // six decimals, as a CSV holds numbers
                if (seen.add(v)) {
                    numbers.addNumber(v);
                    texts.addText(Double.toString(v));
                }
            }
            double tolerance = Math.max(1, 3 * STANDARD_ERROR * n);
            assertThat((double) numbers.estimate()).as("numbers, n=" + n).isCloseTo(n, within(tolerance));
            assertThat((double) texts.estimate()).as("texts, n=" + n).isCloseTo(n, within(tolerance));
        }
    }

    @Test
    void mergingPartitionsGivesTheSketchOfTheWhole() {
        DistinctSketch whole = new DistinctSketch();
        DistinctSketch a = new DistinctSketch();
        DistinctSketch b = new DistinctSketch();
        for (int i = 0; i < 50_000; i++) {
            whole.addNumber(i % 20_000);
            (i % 3 == 0 ? a : b).addNumber(i % 20_000);
        }
        a.merge(b.registers());
        assertThat(a.registers()).isEqualTo(whole.registers());
        assertThat(DistinctSketch.of(a.registers()).estimate()).isEqualTo(whole.estimate());
    }
}
