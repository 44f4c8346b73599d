package dev.kiln.monitor.performance;

import dev.kiln.monitor.performance.PerformanceReport.Comparison;
import dev.kiln.monitor.performance.PerformanceReport.Window;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.special.Erf;

/** Each version and shadow against the reference version, as {@link Comparison}s (see there for the statistics). */
final class Comparisons {
    /** The 97.5th percentile of the standard normal: 95% two-sided intervals. */
    static final double Z95 = 1.959963984540054;

    private Comparisons() {
    }

    /** Against the version with the most predictions (the first of them on a tie); empty with fewer than two to compare. */
    static List<Comparison> of(List<Window> versions, List<Window> shadows) {
        Window reference = null;
        for (Window w : versions) {
            if (reference == null || w.predictions() > reference.predictions()) {
                reference = w;
            }
        }
        List<Comparison> out = new ArrayList<>();
        if (reference == null) {
            return out;
        }
        for (Window w : versions) {
            if (w != reference) {
                add(out, w, false, reference);
            }
        }
        for (Window w : shadows) {
            add(out, w, true, reference);
        }
        return out;
    }

    private static void add(List<Comparison> out, Window w, boolean shadow, Window reference) {
        Double a = w.metrics().get("accuracy");
        Double b = reference.metrics().get("accuracy");
        if (a != null && b != null && w.labelled() > 0 && reference.labelled() > 0) {
            out.add(proportions(w.version(), shadow, reference.version(), a, w.labelled(), b, reference.labelled()));
        }
        if (w.rewardSd() != null && reference.rewardSd() != null) {
            out.add(means(w.version(), shadow, reference.version(), "reward_mean", w.rewardMean(), w.rewardSd(), w.rewarded(),
                    reference.rewardMean(), reference.rewardSd(), reference.rewarded()));
        }
    }

    /** Accuracy {@code p1} over {@code n1} rows against {@code p2} over {@code n2}. */
    static Comparison proportions(String version, boolean shadow, String against, double p1, long n1, double p2, long n2) {
        double diff = p1 - p2;
        double se = Math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2);
        double pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
        double sePooled = Math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
        return new Comparison(version, shadow, against, "accuracy", p1, p2, diff, diff - Z95 * se, diff + Z95 * se,
                pValue(diff, sePooled), n1, n2);
    }

    /** Mean {@code m1} (sample standard deviation {@code s1}, {@code n1} values) against {@code m2}. */
    static Comparison means(String version, boolean shadow, String against, String metric, double m1, double s1, long n1,
                            double m2, double s2, long n2) {
        double diff = m1 - m2;
        double se = Math.sqrt(s1 * s1 / n1 + s2 * s2 / n2);
        return new Comparison(version, shadow, against, metric, m1, m2, diff, diff - Z95 * se, diff + Z95 * se, pValue(diff, se), n1, n2);
    }

    /** Two-sided normal p-value of a difference with standard error {@code se} (a zero error: 1 without a difference, else 0). */
    static double pValue(double diff, double se) {
        if (se == 0 || Double.isNaN(se)) {
            return diff == 0 ? 1 : 0;
        }
        return Erf.erfc(Math.abs(diff / se) / Math.sqrt(2));
    }
}
