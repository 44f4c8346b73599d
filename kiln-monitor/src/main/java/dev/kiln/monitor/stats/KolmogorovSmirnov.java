package dev.kiln.monitor.stats;

import dev.kiln.runtime.profile.QuantileSketch;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;

/**
 * Two-sample Kolmogorov-Smirnov test on {@link QuantileSketch}es.
 *
 * <p><b>Statistic.</b> {@code D = sup_x |F1(x) − F2(x)|} with the empirical CDFs {@code F(x) = fraction
 * of values ≤ x}, evaluated at every distinct value after all values equal to it (on both sides) are
 * counted: ties are handled as in the textbook definition and in scipy's {@code ks_2samp}. When both
 * sketches are exact ({@link QuantileSketch#exact()}) D is exact; otherwise it is computed from the
 * retained weighted items and is within {@link #statisticErrorBound} of the exact value (measured at
 * 1,000,000 values per side with the default k: about 0.001).
 *
 * <p><b>p-value</b> (two-sided, null hypothesis: same continuous distribution):
 * <ul>
 *   <li>{@code "exact"} when {@code n·m ≤} {@value #EXACT_MAX_PRODUCT} (at most ~10^7 lattice steps,
 *       tens of milliseconds): {@code P(D_{n,m} ≥ d)} by counting monotone lattice paths that stay
 *       inside {@code |i/n − j/m| < d} (carried as probabilities, so no overflow at any size). This is
 *       the distribution scipy's {@code method='exact'} uses (it assumes no ties, as scipy does).
 *       scipy's {@code 'auto'} goes exact up to {@code max(n, m) ≤ 10000}; we stop earlier to bound the
 *       cost per column, which changes the p-value only in the far tail.</li>
 *   <li>{@code "asymptotic"} otherwise: scipy's {@code method='asymp'} for two-sided tests,
 *       {@code kstwo.sf(d, round(n·m/(n+m)))}, i.e. the one-sample Kolmogorov distribution at the
 *       effective size, via commons-math 3.6.1 {@code KolmogorovSmirnovTest.cdf} (Pelz-Good above 140,
 *       Marsaglia-Tsang-Wang below).</li>
 * </ul>
 * When a sketch is compacted, D is approximate (and measured to come out slightly high), and at large n the
 * p-value is very sensitive to it: an error of 0.002 in D turns p = 0.5 into p = 0.01 at a million rows. So the
 * p-value is then computed conservatively, on {@code max(0, D − }{@link #statisticErrorBound}{@code )} with the
 * true counts n and m: sketch error can make a difference look less significant, never more. The method then
 * reads {@code "asymptotic, sketch-conservative"} (or {@code "exact, sketch-conservative"}).
 */
public final class KolmogorovSmirnov {
    /** Largest n·m for which the p-value is computed exactly. */
    public static final long EXACT_MAX_PRODUCT = 10_000_000L;

    private KolmogorovSmirnov() {
    }

    /**
     * @param statistic D in [0, 1]
     * @param pValue two-sided p-value in [0, 1]
     * @param method {@code "exact"} or {@code "asymptotic"} (how the p-value was computed)
     */
    public record Result(double statistic, double pValue, String method) {
    }

    /** The test; both sketches must be non-empty ({@link IllegalArgumentException} otherwise). */
    public static Result test(QuantileSketch reference, QuantileSketch current) {
        double d = statistic(reference, current);
        if (reference.exact() && current.exact()) {
            return withPValue(d, reference.count(), current.count());
        }
        double conservative = Math.max(0, d - statisticErrorBound(reference, current));
        Result r = withPValue(conservative, reference.count(), current.count());
        return new Result(d, r.pValue(), r.method() + ", sketch-conservative");
    }

    /** The p-value for statistic {@code d} and sample sizes n, m (method chosen as documented above). */
    public static Result withPValue(double d, long n, long m) {
        if (n <= 0 || m <= 0) {
            throw new IllegalArgumentException("KS test needs two non-empty samples, got sizes " + n + " and " + m);
        }
        if ((double) n * m <= EXACT_MAX_PRODUCT) {
            return new Result(d, exactPValue(d, (int) n, (int) m), "exact");
        }
        return new Result(d, asymptoticPValue(d, n, m), "asymptotic");
    }

    /** D = sup |F1 − F2| from the sketches' retained items (exact when both are exact). */
    public static double statistic(QuantileSketch a, QuantileSketch b) {
        if (a.count() == 0 || b.count() == 0) {
            throw new IllegalArgumentException("KS statistic needs two non-empty samples, got sizes " + a.count()
                    + " and " + b.count());
        }
        double[] va = a.sortedValues();
        double[] vb = b.sortedValues();
        long[] wa = a.sortedWeights();
        long[] wb = b.sortedWeights();
        double n = a.count();
        double m = b.count();
        int i = 0;
        int j = 0;
        long ca = 0;
        long cb = 0;
        double d = 0.0;
        while (i < va.length || j < vb.length) {
            double x = j >= vb.length ? va[i] : i >= va.length ? vb[j] : Math.min(va[i], vb[j]);
            while (i < va.length && va[i] <= x) {
                ca += wa[i++];
            }
            while (j < vb.length && vb[j] <= x) {
                cb += wb[j++];
            }
            d = Math.max(d, Math.abs(ca / n - cb / m));
        }
        return Math.min(d, 1.0);
    }

    /** The documented bound on |D_sketch − D_exact|: the sum of the two sketches' rank-error bounds. */
    public static double statisticErrorBound(QuantileSketch a, QuantileSketch b) {
        return a.rankErrorBound() + b.rankErrorBound();
    }

    /**
     * Exact two-sided {@code P(D_{n,m} ≥ d)} under the null hypothesis (no ties): one minus the share
     * of the {@code C(n+m, n)} lattice paths from (0,0) to (n,m) on which every point (i,j) has
     * {@code |i·m − j·n| < d·n·m}. Each cell holds that share for paths to it, so
     * {@code u(i,j) = u(i−1,j)·i/(i+j) + u(i,j−1)·j/(i+j)} (a path to (i,j) last came from the left with
     * probability i/(i+j)). O(n·m) time, O(m) memory.
     */
    public static double exactPValue(double d, int n, int m) {
        if (n <= 0 || m <= 0) {
            throw new IllegalArgumentException("sample sizes must be positive");
        }
        long nm = (long) n * m;
        // D takes values c/(n·m) for integer c; round to that lattice so float noise cannot move a boundary.
        long c = Math.round(d * nm);
        if (c <= 0) {
            return 1.0;
        }
        double[] u = new double[m + 1];
        // row i = 0
        u[0] = 1.0;
        for (int j = 1; j <= m; j++) {
            u[j] = inside(0, j, n, m, c) ? u[j - 1] : 0.0;
        }
        for (int i = 1; i <= n; i++) {
            u[0] = inside(i, 0, n, m, c) ? u[0] : 0.0;
            for (int j = 1; j <= m; j++) {
                if (inside(i, j, n, m, c)) {
                    double s = i + j;
                    u[j] = u[j] * (i / s) + u[j - 1] * (j / s);
                } else {
                    u[j] = 0.0;
                }
            }
        }
        return clamp(1.0 - u[m]);
    }

    private static boolean inside(long i, long j, long n, long m, long c) {
        return Math.abs(i * m - j * n) < c;
    }

    /** scipy's two-sided {@code 'asymp'}: {@code kstwo.sf(d, round(n·m/(n+m)))}. */
    public static double asymptoticPValue(double d, long n, long m) {
        double en = (double) n * m / ((double) n + m);
        long effective = Math.max(1, Math.round(en));
        if (d <= 0) {
            return 1.0;
        }
        if (effective > Integer.MAX_VALUE) {
            effective = Integer.MAX_VALUE;
        }
        int k = (int) effective;
        // Beyond n·d² ≈ 18 the survival function is below 1e-15 and 1 − cdf cancels to noise; use the
        // limiting series there (it is accurate when the p-value is that small).
        if (k * d * d > 18.0) {
            return clamp(limitingSurvival(d * Math.sqrt(en)));
        }
        return clamp(1.0 - new KolmogorovSmirnovTest().cdf(d, k));
    }

    /** Kolmogorov's limiting survival function {@code 2 Σ_{j≥1} (−1)^{j−1} exp(−2 j² t²)}. */
    static double limitingSurvival(double t) {
        if (t <= 0) {
            return 1.0;
        }
        double sum = 0.0;
        for (int j = 1; j <= 200; j++) {
            double term = Math.exp(-2.0 * j * j * t * t);
            sum += (j % 2 == 1 ? term : -term);
            if (term < 1e-300) {
                break;
            }
        }
        return 2.0 * sum;
    }

    private static double clamp(double p) {
        return Math.max(0.0, Math.min(1.0, p));
    }
}
