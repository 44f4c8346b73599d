package dev.kiln.train.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.bundle.Calibration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class IsotonicPropertiesTest {
    record Point(double x, double y) {
    }

    @Provide
    Arbitrary<List<Point>> points() {
        // Few distinct scores, so that ties are common; 0/1 targets as calibration fits them.
        Arbitrary<Double> x = Arbitraries.integers().between(0, 12).map(i -> i / 12.0);
        Arbitrary<Double> y = Arbitraries.of(0.0, 1.0);
        return Combinators.combine(x, y).as(Point::new).list().ofMinSize(1).ofMaxSize(40);
    }

    @Provide
    Arbitrary<List<Double>> values() {
        return Arbitraries.doubles().between(0, 1).list().ofMinSize(1).ofMaxSize(12);
    }

    /**
     * The least-squares non-decreasing fit has a closed form, the min-max formula: the fit at i is
     * max over j <= i of min over k >= i of the mean of y[j..k]. O(n^3), and independent of how PAV pools.
     */
    static double[] bruteForce(double[] y) {
        int n = y.length;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int j = 0; j <= i; j++) {
                double worst = Double.POSITIVE_INFINITY;
                for (int k = i; k < n; k++) {
                    double sum = 0;
                    for (int t = j; t <= k; t++) {
                        sum += y[t];
                    }
                    worst = Math.min(worst, sum / (k - j + 1));
                }
                best = Math.max(best, worst);
            }
            out[i] = best;
        }
        return out;
    }

    @Property
    void pavEqualsTheMinMaxFormula(@ForAll("values") List<Double> ys) {
        double[] y = ys.stream().mapToDouble(Double::doubleValue).toArray();
        double[] w = new double[y.length];
        java.util.Arrays.fill(w, 1);
        double[] fit = Isotonic.pav(y, w);
        double[] expected = bruteForce(y);
        for (int i = 0; i < y.length; i++) {
            assertThat(fit[i]).as("at %d of %s", i, ys).isCloseTo(expected[i], within(1e-12));
        }
    }

    @Property
    void theFitIsMonotoneWithinTheUnitIntervalAndEqualsPavOfTheTiedMeansAtEachScore(@ForAll("points") List<Point> points) {
        double[] x = points.stream().mapToDouble(Point::x).toArray();
        double[] y = points.stream().mapToDouble(Point::y).toArray();
        Isotonic.Fit fit = Isotonic.fit(x, y);
        for (int i = 0; i < fit.x().length; i++) {
            assertThat(fit.y()[i]).isBetween(0.0, 1.0);
            if (i > 0) {
                assertThat(fit.x()[i]).isGreaterThan(fit.x()[i - 1]);
                assertThat(fit.y()[i]).isGreaterThanOrEqualTo(fit.y()[i - 1]);
            }
        }
        // Brute force over the distinct scores: rows at one score expanded, so an unweighted min-max applies.
        double[] sortedY = points.stream().sorted(java.util.Comparator.comparingDouble(Point::x))
                .mapToDouble(Point::y).toArray();
        double[] sortedX = points.stream().mapToDouble(Point::x).sorted().toArray();
        // Ties must share a value: average the brute force fit over each run of equal x (it is constant there when
        // the run is pooled first, which the min-max over the rows sorted with ties in any order need not be).
        double[] tiedMeans = new double[sortedY.length];
        for (int i = 0; i < sortedY.length; ) {
            int j = i;
            double sum = 0;
            while (j < sortedY.length && sortedX[j] == sortedX[i]) {
                sum += sortedY[j++];
            }
            for (int t = i; t < j; t++) {
                tiedMeans[t] = sum / (j - i);
            }
            i = j;
        }
        double[] expected = bruteForce(tiedMeans);
        Calibration.ClassMap map = new Calibration.ClassMap("c", Calibration.ISOTONIC, fit.x(), fit.y(), 0, 0);
        for (int i = 0; i < sortedX.length; i++) {
            assertThat(map.apply(sortedX[i])).as("at x=%s", sortedX[i]).isCloseTo(expected[i], within(1e-12));
        }
    }

    @Property
    void theFitIsMonotoneBetweenAndBeyondTheFittedScores(@ForAll("points") List<Point> points,
                                                         @ForAll("values") List<Double> probes) {
        Isotonic.Fit fit = Isotonic.fit(points.stream().mapToDouble(Point::x).toArray(),
                points.stream().mapToDouble(Point::y).toArray());
        Calibration.ClassMap map = new Calibration.ClassMap("c", Calibration.ISOTONIC, fit.x(), fit.y(), 0, 0);
        double[] p = probes.stream().mapToDouble(d -> d * 1.4 - 0.2).sorted().toArray();
        for (int i = 0; i < p.length; i++) {
            assertThat(map.apply(p[i])).isBetween(0.0, 1.0);
            if (i > 0) {
                assertThat(map.apply(p[i])).isGreaterThanOrEqualTo(map.apply(p[i - 1]) - 1e-15);
            }
        }
    }
}
