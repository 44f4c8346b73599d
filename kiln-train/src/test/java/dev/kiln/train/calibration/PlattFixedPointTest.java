package dev.kiln.train.calibration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.bundle.Calibration;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/**
 * Platt stops once a step no longer changes its slope or intercept (a fixed point it used to repeat until its iteration
 * cap, up to 100 passes of some 25 halvings each over the rows): the fits are bit for bit those of the iteration as it
 * was, kept here as the reference.
 */
class PlattFixedPointTest {

    @Property(tries = 80)
    void stoppingAtTheFixedPointGivesTheSameFitBitForBit(@ForAll @IntRange(min = 2, max = 3000) int n, @ForAll long seed,
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
        Platt.Fit fit = Platt.fit(f, y);
        Platt.Fit before = Reference.fit(f, y);
        assertThat(Double.doubleToRawLongBits(fit.a())).isEqualTo(Double.doubleToRawLongBits(before.a()));
        assertThat(Double.doubleToRawLongBits(fit.b())).isEqualTo(Double.doubleToRawLongBits(before.b()));
    }

    /** Platt's iteration as it was before it stopped at a fixed point (commit 86b20d0). */
    private static final class Reference {
        private static final int MAX_ITERATIONS = 100;
        private static final double MIN_STEP = 1e-10;
        private static final double RIDGE = 1e-12;

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
