package dev.kiln.runtime.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** Calibrated outputs are probabilities, and a binary model's calibrated P(positive) is monotone in its raw one. */
class CalibrationPropertiesTest {

    @Property(tries = 300)
    void binaryCalibrationGivesProbabilitiesMonotoneInTheRawScore(@ForAll long seed, @ForAll boolean platt,
                                                                 @ForAll @DoubleRange(min = 0, max = 1) double p1,
                                                                 @ForAll @DoubleRange(min = 0, max = 1) double p2) {
        Calibration c = new Calibration(platt ? Calibration.PLATT : Calibration.ISOTONIC, "held-out rows", 100,
                List.of(randomMap("pos", platt, new SplittableRandom(seed))), List.of(), true);
        c.validate(List.of("neg", "pos"));
        double[] q1 = c.apply(new double[] {1 - p1, p1});
        double[] q2 = c.apply(new double[] {1 - p2, p2});
        for (double[] q : List.of(q1, q2)) {
            assertThat(q[0]).isBetween(0.0, 1.0);
            assertThat(q[1]).isBetween(0.0, 1.0);
            assertThat(q[0] + q[1]).isCloseTo(1.0, within(1e-12));
        }
        if (p1 <= p2) {
            assertThat(q1[1]).isLessThanOrEqualTo(q2[1]);
        } else {
            assertThat(q1[1]).isGreaterThanOrEqualTo(q2[1]);
        }
    }

    @Property(tries = 300)
    void multiclassCalibrationGivesProbabilitiesSummingToOne(@ForAll long seed, @ForAll boolean platt,
                                                             @ForAll @IntRange(min = 3, max = 6) int k) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Calibration.ClassMap> maps = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            classes.add("c" + c);
            maps.add(r.nextInt(4) == 0 ? new Calibration.ClassMap("c" + c, Calibration.IDENTITY, null, null, 5, 95)
                    : randomMap("c" + c, platt, r));
        }
        Calibration c = new Calibration(platt ? Calibration.PLATT : Calibration.ISOTONIC, "held-out rows", 100, maps,
                List.of(), true);
        c.validate(classes);
        double[] raw = new double[k];
        double sum = 0;
        for (int j = 0; j < k; j++) {
            raw[j] = r.nextDouble() < 0.1 ? 0 : r.nextDouble();
            sum += raw[j];
        }
        for (int j = 0; j < k; j++) {
            raw[j] = sum > 0 ? raw[j] / sum : 1.0 / k;
        }
        double[] q = c.apply(raw);
        assertThat(Arrays.stream(q).sum()).isCloseTo(1.0, within(1e-9));
        for (double v : q) {
            assertThat(v).isBetween(0.0, 1.0);
        }
    }

    private static Calibration.ClassMap randomMap(String name, boolean platt, SplittableRandom r) {
        if (platt) {
            return Calibration.ClassMap.platt(name, r.nextDouble() * 4, r.nextDouble() * 6 - 3, 50, 50);
        }
        int n = 1 + r.nextInt(8);
        double[] x = new double[n];
        double[] y = new double[n];
        double xi = 0;
        double yi = 0;
        for (int i = 0; i < n; i++) {
            xi += 1e-3 + r.nextDouble() / n;
            yi = Math.min(1, yi + (r.nextBoolean() ? 0 : r.nextDouble() / n));
            x[i] = xi;
            y[i] = yi;
        }
        return new Calibration.ClassMap(name, Calibration.ISOTONIC, x, y, 50, 50);
    }
}
