package dev.kiln.monitor.stats;

import dev.kiln.runtime.profile.CategoryCounts;
import dev.kiln.runtime.profile.ColumnSketch;
import dev.kiln.runtime.profile.QuantileSketch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Population stability index, {@code PSI = Σ_b (c_b − r_b) · ln(c_b / r_b)} over bins b, with
 * {@code r_b}, {@code c_b} the reference and current shares of bin b. Every term is ≥ 0, so PSI ≥ 0,
 * and it is 0 when the shares are equal. Common reading: < 0.1 stable, 0.1–0.2 moderate, ≥ 0.2 major.
 *
 * <p><b>Empty bins.</b> A share of exactly 0 is replaced by {@value #EPSILON} (as Evidently does), so
 * an empty bin contributes a large but finite term.
 *
 * <p><b>Numeric columns:</b> bins are cut at the reference's quantiles {@code i/bins}, i = 1..bins−1
 * (lower quantiles, {@link QuantileSketch#quantile}), equal edges deduplicated; bin i holds values in
 * {@code (e_{i−1}, e_i]}, the first {@code (−∞, e_1]}, the last {@code (e_last, +∞)}. Shares come from
 * each side's {@link QuantileSketch#cdf}. When either side has missing values, "missing" is one more bin
 * and all shares are over present + missing values; otherwise over present values.
 *
 * <p><b>Categorical columns:</b> one bin per reference category; an {@value #OTHER} bin for values
 * beyond the reference's category cap (when the reference has any, a current category it does not
 * list may be one of those, so it goes there); otherwise current categories absent from the reference
 * go to an {@value #UNSEEN} bin; plus "missing" as above.
 */
public final class PopulationStability {
    public static final double EPSILON = 1e-4;
    public static final int DEFAULT_BINS = 10;
    public static final String UNSEEN = "__unseen__";
    public static final String OTHER = "__other__";
    public static final String MISSING = "__missing__";

    private PopulationStability() {
    }

    /** Bin labels with reference and current shares (each list sums to 1 when its side is non-empty). */
    public record Bins(List<String> labels, double[] reference, double[] current) {
        public double psi() {
            return PopulationStability.psi(reference, current);
        }
    }

    /** PSI of two share vectors (same length). */
    public static double psi(double[] reference, double[] current) {
        if (reference.length != current.length) {
            throw new IllegalArgumentException("share vectors differ in length");
        }
        double sum = 0.0;
        for (int i = 0; i < reference.length; i++) {
            double r = reference[i] == 0.0 ? EPSILON : reference[i];
            double c = current[i] == 0.0 ? EPSILON : current[i];
            sum += (c - r) * Math.log(c / r);
        }
        return Math.max(0.0, sum);
    }

    /** PSI of two columns of the same kind (numeric-like with {@link #DEFAULT_BINS}, or categorical). */
    public static double of(ColumnSketch reference, ColumnSketch current) {
        return bins(reference, current, DEFAULT_BINS).psi();
    }

    public static Bins bins(ColumnSketch reference, ColumnSketch current, int bins) {
        if (reference.numeric() != current.numeric()) {
            throw new IllegalArgumentException("column '" + reference.name() + "' is "
                    + (reference.numeric() ? "numeric" : "categorical") + " in the reference and not in the current data");
        }
        return reference.numeric()
                ? numericBins(reference.quantiles(), reference.missing(), current.quantiles(), current.missing(), bins)
                : categoricalBins(reference.categories(), reference.missing(), current.categories(), current.missing());
    }

    public static double numeric(QuantileSketch reference, QuantileSketch current) {
        return numericBins(reference, 0, current, 0, DEFAULT_BINS).psi();
    }

    /** Numeric bins as documented above; {@code bins} ≥ 1. */
    public static Bins numericBins(QuantileSketch reference, long referenceMissing, QuantileSketch current,
                                   long currentMissing, int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("bins must be at least 1");
        }
        List<Double> edges = new ArrayList<>();
        if (reference.count() > 0) {
            for (int i = 1; i < bins; i++) {
                double e = reference.quantile((double) i / bins);
                if (edges.isEmpty() || e > edges.get(edges.size() - 1)) {
                    edges.add(e);
                }
            }
        }
        boolean missingBin = referenceMissing > 0 || currentMissing > 0;
        List<String> labels = new ArrayList<>();
        for (int i = 0; i <= edges.size(); i++) {
            String lo = i == 0 ? "-inf" : Double.toString(edges.get(i - 1));
            String hi = i == edges.size() ? "+inf)" : edges.get(i) + "]";
            labels.add("(" + lo + ", " + hi);
        }
        if (missingBin) {
            labels.add(MISSING);
        }
        return new Bins(labels, numericShares(reference, referenceMissing, edges, missingBin),
                numericShares(current, currentMissing, edges, missingBin));
    }

    private static double[] numericShares(QuantileSketch s, long missing, List<Double> edges, boolean missingBin) {
        int n = edges.size() + 1 + (missingBin ? 1 : 0);
        double[] out = new double[n];
        long total = s.count() + (missingBin ? missing : 0);
        if (total == 0) {
            return out;
        }
        double present = (double) s.count() / total;
        double previous = 0.0;
        for (int i = 0; i < edges.size(); i++) {
            double cdf = s.count() == 0 ? 0.0 : s.cdf(edges.get(i));
            out[i] = (cdf - previous) * present;
            previous = cdf;
        }
        out[edges.size()] = s.count() == 0 ? 0.0 : (1.0 - previous) * present;
        if (missingBin) {
            out[n - 1] = (double) missing / total;
        }
        return out;
    }

    public static double categorical(CategoryCounts reference, CategoryCounts current) {
        return categoricalBins(reference, 0, current, 0).psi();
    }

    /** Categorical bins as documented above. */
    public static Bins categoricalBins(CategoryCounts reference, long referenceMissing, CategoryCounts current,
                                       long currentMissing) {
        Map<String, Long> refCounts = reference.counts();
        Map<String, Integer> index = new LinkedHashMap<>();
        List<String> labels = new ArrayList<>();
        for (String c : refCounts.keySet()) {
            index.put(c, index.size());
            labels.add(c);
        }
        // Values the reference does not list: beyond its cap when it overflowed, else never seen.
        int spill = labels.size();
        labels.add(reference.other() > 0 ? OTHER : UNSEEN);
        boolean missingBin = referenceMissing > 0 || currentMissing > 0;
        int missingIndex = missingBin ? labels.size() : -1;
        if (missingBin) {
            labels.add(MISSING);
        }
        double[] ref = new double[labels.size()];
        double[] cur = new double[labels.size()];
        long refTotal = reference.count() + (missingBin ? referenceMissing : 0);
        long curTotal = current.count() + (missingBin ? currentMissing : 0);
        if (refTotal > 0) {
            refCounts.forEach((k, v) -> ref[index.get(k)] += (double) v / refTotal);
            ref[spill] += (double) reference.other() / refTotal;
            if (missingBin) {
                ref[missingIndex] = (double) referenceMissing / refTotal;
            }
        }
        if (curTotal > 0) {
            for (Map.Entry<String, Long> e : current.counts().entrySet()) {
                cur[index.getOrDefault(e.getKey(), spill)] += (double) e.getValue() / curTotal;
            }
            cur[spill] += (double) current.other() / curTotal;
            if (missingBin) {
                cur[missingIndex] = (double) currentMissing / curTotal;
            }
        }
        return new Bins(List.copyOf(labels), ref, cur);
    }

    /**
     * Share of the current present values whose category the reference never saw (0 when the
     * reference overflowed its category cap, as unseen cannot then be told from capped; 0 when empty).
     */
    public static double unseenShare(CategoryCounts reference, CategoryCounts current) {
        if (current.count() == 0 || reference.other() > 0) {
            return 0.0;
        }
        long unseen = current.other();
        for (Map.Entry<String, Long> e : current.counts().entrySet()) {
            if (!reference.counts().containsKey(e.getKey())) {
                unseen += e.getValue();
            }
        }
        return (double) unseen / current.count();
    }
}
