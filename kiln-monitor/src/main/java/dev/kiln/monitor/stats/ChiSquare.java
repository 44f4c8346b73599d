package dev.kiln.monitor.stats;

import dev.kiln.runtime.profile.CategoryCounts;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.commons.math3.special.Gamma;

/**
 * Pearson's chi-square test of homogeneity on a 2 × K table (reference and current counts of K
 * categories), without continuity correction: the same as scipy
 * {@code chi2_contingency([[ref...], [cur...]], correction=False)}. Categories with zero count on both
 * sides are dropped; {@code dof = K − 1}. The p-value is the upper regularized gamma function
 * {@code Q(dof/2, statistic/2)} (commons-math), accurate also for tiny p-values. With fewer than two
 * categories, or an empty side, there is nothing to test: statistic 0, dof 0, p-value 1.
 */
public final class ChiSquare {
    /** Name under which {@link CategoryCounts#other()} counts enter the table. */
    public static final String OTHER = PopulationStability.OTHER;

    private ChiSquare() {
    }

    public record Result(double statistic, int dof, double pValue) {
    }

    /** The test on two category counts; the {@code other} counts form one more category. */
    public static Result test(CategoryCounts reference, CategoryCounts current) {
        Map<String, Long> r = new LinkedHashMap<>(reference.counts());
        Map<String, Long> c = new LinkedHashMap<>(current.counts());
        if (reference.other() > 0) {
            r.merge(OTHER, reference.other(), Long::sum);
        }
        if (current.other() > 0) {
            c.merge(OTHER, current.other(), Long::sum);
        }
        return test(r, c);
    }

    /** The test on two maps of category → count (absent = 0). */
    public static Result test(Map<String, Long> reference, Map<String, Long> current) {
        TreeSet<String> keys = new TreeSet<>(reference.keySet());
        keys.addAll(current.keySet());
        long[] a = new long[keys.size()];
        long[] b = new long[keys.size()];
        int i = 0;
        for (String k : keys) {
            a[i] = reference.getOrDefault(k, 0L);
            b[i] = current.getOrDefault(k, 0L);
            i++;
        }
        return test(a, b);
    }

    /** The test on two aligned count vectors. */
    public static Result test(long[] reference, long[] current) {
        if (reference.length != current.length) {
            throw new IllegalArgumentException("count vectors differ in length");
        }
        double n1 = 0;
        double n2 = 0;
        int k = 0;
        for (int i = 0; i < reference.length; i++) {
            if (reference[i] < 0 || current[i] < 0) {
                throw new IllegalArgumentException("counts must not be negative");
            }
            n1 += reference[i];
            n2 += current[i];
            if (reference[i] + current[i] > 0) {
                k++;
            }
        }
        if (k < 2 || n1 == 0 || n2 == 0) {
            return new Result(0.0, 0, 1.0);
        }
        double n = n1 + n2;
        double stat = 0.0;
        for (int i = 0; i < reference.length; i++) {
            double col = reference[i] + current[i];
            if (col == 0) {
                continue;
            }
            double e1 = n1 * col / n;
            double e2 = n2 * col / n;
            stat += (reference[i] - e1) * (reference[i] - e1) / e1 + (current[i] - e2) * (current[i] - e2) / e2;
        }
        int dof = k - 1;
        double p = stat <= 0 ? 1.0 : Gamma.regularizedGammaQ(dof / 2.0, stat / 2.0);
        return new Result(stat, dof, Math.max(0.0, Math.min(1.0, p)));
    }
}
