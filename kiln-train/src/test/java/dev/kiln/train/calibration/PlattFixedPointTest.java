package dev.kiln.train.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.bundle.Calibration;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Platt stops once a step no longer changes its slope or intercept, or no longer lowers the loss: the optimum is then
 * reached to the precision of the loss's sum. The iteration as it was (kept here as the reference) went on until its
 * cap of 100 iterations, each halving its step some 25 times, every halving a pass over the rows: one fit took 100
 * seconds on 1.6 million rows. The fits are the same optimum (the loss no higher, the slope and intercept equal to
 * rounding), in a bounded number of passes.
 */
class PlattFixedPointTest {

    @Property(tries = 80)
    void stoppingWhenStepsStallGivesTheSameOptimum(@ForAll @IntRange(min = 2, max = 3000) int n, @ForAll long seed,
                                                   @ForAll @DoubleRange(min = 0, max = 4) double separation,
                                                   @ForAll @DoubleRange(min = 0.05, max = 3) double noise) {
        Random random = new Random(seed);
        double[] f = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = random.nextBoolean() ? 1 : 0;
            double p = 1 / (1 + Math.exp(-((2 * y[i] - 1) * separation + random.nextGaussian() * noise)));
            f[i] = Calibration.logit(Math.min(1 - 1e-12, Math.max(1e-12, p)));
        }
        int[] passes = new int[1];
        Platt.Fit fit = Platt.fit(f, y, passes);
        Platt.Fit before = Reference.fit(f, y);
        double[] t = Reference.targets(y);
        double loss = Platt.loss(f, t, fit.a(), fit.b());
        double lossBefore = Platt.loss(f, t, before.a(), before.b());
        assertThat(loss).isLessThanOrEqualTo(lossBefore + 1e-9 * Math.abs(lossBefore));
        assertThat(fit.a()).isCloseTo(before.a(), within(1e-6 * Math.max(1, Math.abs(before.a()))));
        assertThat(fit.b()).isCloseTo(before.b(), within(1e-6 * Math.max(1, Math.abs(before.b()))));
        assertThat(passes[0]).isLessThanOrEqualTo(MAX_PASSES);
    }

    /**
     * The case CI met: after the optimum, each iteration accepted a decrease within the loss sum's rounding noise after
     * 10 to 30 halvings of its step, 107 passes in all. A step that needs more than 10 halvings now stalls the fit.
     */
    @Test
    void decreasesWithinTheSumsNoiseDoNotGoOnForEver() {
        stoppingWhenStepsStallGivesTheSameOptimum(2906, 27, 0.3, 0.19);
    }

    /**
     * Newton's method takes a handful of iterations; the last, stalling one may halve its step some 35 times (over
     * 3,000 random tries: median 6 passes, 99.9th percentile 45, at most 49).
     */
    private static final int MAX_PASSES = 100;

    /**
     * A million rows of confident scores (logits near +-10): the gradient test never passes on rounding alone, and the
     * iteration as it was took over 2,000 passes over the rows.
     */
    @Test
    void confidentScoresOnAMillionRowsStopInAFewPasses() {
        int n = 1_600_000;
        Random random = new Random(1);
        double[] f = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double z = random.nextGaussian();
            y[i] = random.nextDouble() < 1 / (1 + Math.exp(-3 * z)) ? 1 : 0;
            double p = Math.min(Math.max(1 / (1 + Math.exp(-10 * z)), 1e-15), 1 - 1e-15);
            f[i] = Math.log(p / (1 - p));
        }
        int[] passes = new int[1];
        Platt.Fit fit = Platt.fit(f, y, passes);
        assertThat(passes[0]).isLessThanOrEqualTo(MAX_PASSES);
        // The optimum the iteration as it was reached after its 100 iterations (it moved only b, by ulps, after the 12th).
        assertThat(fit.a()).isCloseTo(0.2995468745151723, within(1e-12));
        assertThat(fit.b()).isCloseTo(1.8271071051854235e-4, within(1e-12));
    }

    /** Platt's iteration as it was before it stopped at a fixed point (commit 86b20d0). */
    private static final class Reference {
        private static final int MAX_ITERATIONS = 100;
        private static final double MIN_STEP = 1e-10;
        private static final double RIDGE = 1e-12;

        static double[] targets(double[] y) {
            double positives = 0;
            for (double v : y) {
                positives += v > 0 ? 1 : 0;
            }
            double negatives = y.length - positives;
            double[] t = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                t[i] = y[i] > 0 ? (positives + 1) / (positives + 2) : 1 / (negatives + 2);
            }
            return t;
        }

        static Platt.Fit fit(double[] f, double[] y) {
            int n = f.length;
            double positives = 0;
            for (double v : y) {
                positives += v > 0 ? 1 : 0;
            }
            double negatives = n - positives;
            double hiTarget = (positives + 1) / (positives + 2);
            double loTarget = 1 / (negatives + 2);
            double[] t = new double[n];
            for (int i = 0; i < n; i++) {
                t[i] = y[i] > 0 ? hiTarget : loTarget;
            }
            double a = 0;
            double b = Math.log((positives + 1) / (negatives + 1));
            double loss = loss(f, t, a, b);
            for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
                double ga = 0;
                double gb = 0;
                double haa = RIDGE;
                double hab = 0;
                double hbb = RIDGE;
                for (int i = 0; i < n; i++) {
                    double p = Calibration.sigmoid(a * f[i] + b);
                    double d = p - t[i];
                    double w = p * (1 - p);
                    ga += d * f[i];
                    gb += d;
                    haa += w * f[i] * f[i];
                    hab += w * f[i];
                    hbb += w;
                }
                if (Math.abs(ga) < 1e-10 * n && Math.abs(gb) < 1e-10 * n) {
                    break;
                }
                double det = haa * hbb - hab * hab;
                double da = -(hbb * ga - hab * gb) / det;
                double db = -(-hab * ga + haa * gb) / det;
                double decrease = ga * da + gb * db;
                double step = 1;
                boolean moved = false;
                while (step >= MIN_STEP) {
                    double na = a + step * da;
                    double nb = b + step * db;
                    double next = loss(f, t, na, nb);
                    if (next <= loss + 1e-4 * step * decrease) {
                        a = na;
                        b = nb;
                        loss = next;
                        moved = true;
                        break;
                    }
                    step /= 2;
                }
                if (!moved) {
                    break;
                }
            }
            if (a < 0) {
                double mean = 0;
                for (double v : t) {
                    mean += v;
                }
                mean /= n;
                return new Platt.Fit(0, Math.log(mean / (1 - mean)));
            }
            return new Platt.Fit(a, b);
        }

        private static double loss(double[] f, double[] t, double a, double b) {
            double sum = 0;
            for (int i = 0; i < f.length; i++) {
                double z = a * f[i] + b;
                double softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
                sum += softplus - t[i] * z;
            }
            return sum;
        }
    }
}
