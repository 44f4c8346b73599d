package dev.kiln.spark.sketch;

import dev.kiln.runtime.profile.CategoryCounts;
import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.profile.ColumnProfile.CategoryCount;
import dev.kiln.runtime.profile.ColumnProfile.Histogram;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.runtime.profile.QuantileSketch;
import dev.kiln.runtime.schema.BooleanWords;
import dev.kiln.runtime.schema.ColumnType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The profile {@code kiln data profile} prints (kiln-runtime's {@link DatasetProfile}, kiln-data Profiler's
 * conventions), from sketches merged over Spark partitions. Exact: rows, count, missing, min, max, category counts
 * (under {@link CategoryCounts}' cap), true/false counts; mean and sample standard deviation to rounding (moments merged
 * by Chan's formula). From the {@link QuantileSketch}, within its rank error and exact while it holds every value
 * (up to k values): quantiles (numpy's linear interpolation over the sketch's weighted values, as Profiler's over the
 * sorted values) and histogram counts. Distinct counts: exact while the sketch holds every value or the categories
 * are under their cap, else a HyperLogLog estimate ({@link DistinctSketch}, about 0.8% relative error).
 */
public final class SparkProfiles {
    static final int BINS = 20;
    static final int TOP = 20;
    private static final double[] QUANTILES = {0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99};
    private static final String[] QUANTILE_KEYS = {"p01", "p05", "p10", "p25", "p50", "p75", "p90", "p95", "p99"};

    private SparkProfiles() {
    }

    /** The profile of {@code sketched}, named {@code source}; no SHA-256 (that would be a pass over every byte). */
    public static DatasetProfile profile(String source, SparkSketcher.Sketched sketched) {
        List<ColumnProfile> columns = new ArrayList<>();
        for (SparkSketcher.Column c : sketched.columns()) {
            columns.add(c.type().isNumericLike() ? numeric(c) : strings(c));
        }
        return new DatasetProfile(source, null, sketched.rows(), columns);
    }

    private static ColumnProfile numeric(SparkSketcher.Column c) {
        QuantileSketch q = c.quantiles();
        long n = q.count();
        List<CategoryCount> top = null;
        if (c.type() == ColumnType.BOOLEAN && n > 0) {
            long trues = Math.round(c.mean() * n);  // the mean of 0/1 values times their count: exact after rounding
            Map<String, Long> counts = new LinkedHashMap<>();
            BooleanWords words = c.words() != null ? c.words() : BooleanWords.TRUE_FALSE;
            if (trues > 0) {
                counts.put(words.trueWord(), trues);
            }
            if (n - trues > 0) {
                counts.put(words.falseWord(), n - trues);
            }
            top = top(counts, n);
        }
        if (n == 0) {
            return new ColumnProfile(c.name(), c.type().wireName(), 0, c.missing(), 0, null, null, null, null, null, null, top);
        }
        double[] values = q.sortedValues();
        long[] weights = q.sortedWeights();
        long[] cumulative = new long[weights.length];
        long sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i];
            cumulative[i] = sum;
        }
        Map<String, Double> quantiles = new LinkedHashMap<>();
        for (int i = 0; i < QUANTILES.length; i++) {
            quantiles.put(QUANTILE_KEYS[i], quantile(values, cumulative, QUANTILES[i]));
        }
        return new ColumnProfile(c.name(), c.type().wireName(), n, c.missing(), c.distinct(), q.min(), q.max(), c.mean(),
                n < 2 ? null : c.std(), quantiles, histogram(values, cumulative, q.min(), q.max()), top);
    }

    private static ColumnProfile strings(SparkSketcher.Column c) {
        CategoryCounts counts = c.categories();
        return new ColumnProfile(c.name(), c.type().wireName(), c.count(), c.missing(), c.distinct(), null, null, null,
                null, null, null, top(counts.counts(), c.count()));
    }

    /** The {@value #TOP} most frequent values, count descending then value ascending (Profiler's order). */
    static List<CategoryCount> top(Map<String, Long> counts, long present) {
        return counts.entrySet().stream()
                .sorted(Comparator.<Map.Entry<String, Long>>comparingLong(e -> -e.getValue()).thenComparing(Map.Entry::getKey))
                .limit(TOP)
                .map(e -> new CategoryCount(e.getKey(), e.getValue(), (double) e.getValue() / present))
                .toList();
    }

    /**
     * numpy's default ("linear") quantile over the weighted values: the values at ranks floor and ceil of q·(n−1),
     * interpolated as Profiler interpolates; exactly Profiler's figure while the sketch holds every value.
     */
    static double quantile(double[] values, long[] cumulative, double q) {
        long n = cumulative[cumulative.length - 1];
        double position = q * (n - 1);
        long lower = (long) Math.floor(position);
        double a = valueAtRank(values, cumulative, lower);
        double b = valueAtRank(values, cumulative, Math.min(lower + 1, n - 1));
        return lerp(a, b, position - lower);
    }

    /** The value at 0-based rank {@code rank}: the first whose cumulative weight exceeds it. */
    private static double valueAtRank(double[] values, long[] cumulative, long rank) {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > rank) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return values[lo];
    }

    private static double lerp(double a, double b, double t) {
        if (a == b) {
            return a;
        }
        double diff = b - a;
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    }

    /** Profiler's {@value #BINS} equal-width bins over [min, max], the last one closed; counts from the weighted values. */
    static Histogram histogram(double[] values, long[] cumulative, double min, double max) {
        long n = cumulative[cumulative.length - 1];
        if (min == max) {
            return new Histogram(new double[] {min, max}, new long[] {n});
        }
        double[] edges = new double[BINS + 1];
        double width = (max - min) / BINS;
        if (!Double.isFinite(width)) {
            width = max / BINS - min / BINS;
        }
        for (int i = 0; i < BINS; i++) {
            edges[i] = min + i * width;
        }
        edges[BINS] = max;
        long[] counts = new long[BINS];
        long before = 0;
        for (int i = 0; i < BINS - 1; i++) {
            long below = below(values, cumulative, edges[i + 1]);
            counts[i] = below - before;
            before = below;
        }
        counts[BINS - 1] = n - before;
        return new Histogram(edges, counts);
    }

    /** The weight of the values below {@code x}. */
    private static long below(double[] values, long[] cumulative, double x) {
        int lo = 0;
        int hi = values.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (values[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo == 0 ? 0 : cumulative[lo - 1];
    }
}
