package dev.kiln.train.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.Calibration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Whatever the held-out rows, the calibration {@link CalibrationFitter#fitApplied} stores loads (validates), gives
 * probabilities summing to one, is monotone in a binary model's raw probability, and its report's numbers are sane.
 */
class CalibrationFitterPropertiesTest {

    @Property(tries = 60)
    void binaryCalibrationIsValidAndMonotone(@ForAll long seed, @ForAll @IntRange(min = 20, max = 400) int n,
                                             @ForAll @IntRange(min = 0, max = 2) int shape) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] out = new double[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double p = shape == 2 ? (r.nextInt(5) / 4.0) : r.nextDouble(); // shape 2: few distinct values, 0 and 1
            out[i] = new double[] {p};
            double truth = shape == 0 ? p : 1 - p;                            // shape 1: ranked backwards
            y[i] = r.nextDouble() < truth ? 1 : 0;
        }
        List<String> classes = List.of("n", "y");
        CalibrationFitter.Outcome o = CalibrationFitter.fitApplied(Task.BINARY, classes, out, y, seed);
        Calibration c = o.calibration();
        c.validate(classes);
        double previous = -1;
        for (int i = 0; i <= 100; i++) {
            double[] q = c.apply(new double[] {1 - i / 100.0, i / 100.0});
            assertThat(q[0] + q[1]).isCloseTo(1, within(1e-12));
            assertThat(q[1]).isBetween(0.0, 1.0).isGreaterThanOrEqualTo(previous);
            previous = q[1];
        }
        CalibrationReport report = o.report();
        assertThat(report.applied()).isEqualTo(c.transforms());
        assertThat(report.eceBefore()).isBetween(0.0, 1.0);
        assertThat(report.eceAfter()).isBetween(0.0, 1.0);
        assertThat(report.curveBefore().stream().mapToLong(Reliability.Bin::count).sum()).isEqualTo(n);
        assertThat(report.curveAfter().stream().mapToLong(Reliability.Bin::count).sum()).isEqualTo(n);
        if (report.applied()) {
            assertThat(Math.min(report.cvLogLossIsotonic(), report.cvLogLossPlatt())).isLessThan(report.cvLogLossRaw());
        }
    }

    @Property(tries = 30)
    void multiclassCalibrationSumsToOne(@ForAll long seed, @ForAll @IntRange(min = 40, max = 300) int n,
                                        @ForAll @IntRange(min = 3, max = 5) int k) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] out = new double[n][k];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int j = 0; j < k; j++) {
                out[i][j] = Math.exp(3 * r.nextGaussian());
                sum += out[i][j];
            }
            for (int j = 0; j < k; j++) {
                out[i][j] /= sum;
            }
            y[i] = r.nextInt(k);
        }
        List<String> classes = java.util.stream.IntStream.range(0, k).mapToObj(j -> "c" + j).toList();
        CalibrationFitter.Outcome o = CalibrationFitter.fitApplied(Task.MULTICLASS, classes, out, y, seed);
        o.calibration().validate(classes);
        for (double[] row : out) {
            double[] q = o.calibration().apply(row);
            assertThat(Arrays.stream(q).sum()).isCloseTo(1, within(1e-9));
            for (double v : q) {
                assertThat(v).isBetween(0.0, 1.0);
            }
        }
    }
}
