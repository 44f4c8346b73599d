package dev.kiln.train.calibration;

import dev.kiln.runtime.bundle.Calibration;

/**
 * Platt scaling (Platt 1999): the logistic map {@code q = sigmoid(a * f + b)} of a score {@code f} (here the logit of
 * the model's probability, {@link Calibration#logit}) that maximises the likelihood of the held-out labels, with
 * Platt's smoothed targets ({@code (N+ + 1) / (N+ + 2)} for positives, {@code 1 / (N- + 2)} for negatives) as
 * scikit-learn's {@code _SigmoidCalibration}. Solved by Newton's method with backtracking (Lin, Lin and Weng 2007),
 * which reaches the optimum scikit-learn's BFGS approaches. A negative slope (the model ranks held-out rows backwards)
 * is not allowed: the map must be monotone, so the fit then is the best constant ({@code a = 0}, the constrained
 * optimum of a concave likelihood).
 */
public final class Platt {
    private static final int MAX_ITERATIONS = 100;
    private static final double MIN_STEP = 1e-10;
    private static final double RIDGE = 1e-12;
    /**
     * A step accepted only after this much halving stalls too: the quadratic model no longer predicts the loss at
     * that scale, so the optimum is reached to the precision of the loss's sum. Without it, on about 1 in 3,000 random
     * problems (n = 2906, separation 0.3 in PlattFixedPointTest), iterations went on accepting decreases within the
     * sum's rounding noise, each after 10 to 30 halvings: 107 passes over the rows where 10 do.
     */
    private static final double STALLED_STEP = 1.0 / 1024;

    private Platt() {
    }

    /** The map's slope {@code a >= 0} and intercept {@code b}. */
    public record Fit(double a, double b) {
    }

    /** Fits {@code y} (0 or 1) against {@code f} (finite scores). */
    public static Fit fit(double[] f, double[] y) {
        return fit(f, y, new int[1]);
    }

    /** As {@link #fit(double[], double[])}, adding to {@code lossPasses[0]} the passes over the rows spent on the loss. */
    static Fit fit(double[] f, double[] y, int[] lossPasses) {
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
        lossPasses[0]++;
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
            boolean stalled = false;
            while (step >= MIN_STEP) {
                double na = a + step * da;
                double nb = b + step * db;
                if (na == a && nb == b) {
                    // A step too small to change a or b: every later iteration would start from this same point and
                    // take this same step, so stopping here gives the same fit without up to 100 more passes.
                    break;
                }
                double next = loss(f, t, na, nb);
                lossPasses[0]++;
                if (next <= loss + 1e-4 * step * decrease) {
                    stalled = next == loss || step < STALLED_STEP;
                    a = na;
                    b = nb;
                    loss = next;
                    moved = true;
                    break;
                }
                step /= 2;
            }
            if (!moved || stalled) {
                // A step that leaves the loss exactly as it was means the optimum is reached to the precision of the
                // sums: the gradient test above can then fail for ever on rounding alone (a million rows of scores
                // near 0 and 1), and each further iteration only nudges b by an ulp at the price of dozens of passes
                // over the rows (100 seconds for one fit on 1.6 million rows).
                break;
            }
        }
        if (a < 0) {
            double mean = 0;
            for (double v : t) {
                mean += v;
            }
            mean /= n;
            return new Fit(0, Math.log(mean / (1 - mean)));
        }
        return new Fit(a, b);
    }

    /** Platt's objective: the cross-entropy of the smoothed targets, {@code sum log(1 + e^z) - t z}. */
    static double loss(double[] f, double[] t, double a, double b) {
        double sum = 0;
        for (int i = 0; i < f.length; i++) {
            double z = a * f[i] + b;
            double softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
            sum += softplus - t[i] * z;
        }
        return sum;
    }
}
