package dev.kiln.data;

import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.profile.ColumnProfile.CategoryCount;
import dev.kiln.runtime.profile.ColumnProfile.Histogram;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.runtime.schema.ColumnType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Computes a {@link DatasetProfile}. Per column: non-missing count, missing count and the exact number
 * of distinct non-missing values (exact at any size: it costs one sort for numbers and one hash map
 * entry per distinct string, on top of data already in memory).
 *
 * <p>Numeric-like columns (numeric, integer, boolean, datetime in epoch ms) also get min, max, mean,
 * sample standard deviation (ddof = 1, as pandas; null below 2 values), quantiles with linear
 * interpolation between order statistics (numpy's default {@code np.quantile(method="linear")}) and
 * a {@value #BINS}-bin equal-width histogram over [min, max] whose last bin includes max (numpy's
 * convention); a constant column gets a single zero-width bin [v, v]. Mean and variance use the
 * corrected two-pass algorithm with compensated sums, which stays accurate for large offsets.
 *
 * <p>Categorical, text and boolean columns get the {@value #TOP} most frequent values with count and
 * fraction of non-missing values; ties are broken by value so profiles are deterministic. Booleans
 * are reported as "true"/"false".
 */
public final class Profiler {
    static final int BINS = 20;
    static final int TOP = 20;
    private static final double[] QUANTILES = {0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99};
    private static final String[] QUANTILE_KEYS = {"p01", "p05", "p10", "p25", "p50", "p75", "p90", "p95", "p99"};

    private Profiler() {
    }

    public static DatasetProfile profile(DataFrame frame) {
        // Columns are independent: profile them on every core. Each column's own work stays sequential, so the
        // figures are the same bit for bit as one thread's.
        // One worker per core takes the next column until none is left, reusing its sort's arrays from column to
        // column (they are garbage once the profile is made).
        List<DataColumn> all = frame.columns();
        ColumnProfile[] columns = new ColumnProfile[all.size()];
        AtomicInteger next = new AtomicInteger();
        int workers = Math.max(1, Math.min(all.size(), Runtime.getRuntime().availableProcessors()));
        IntStream.range(0, workers).parallel().forEach(w -> {
            DoubleSort.Scratch scratch = new DoubleSort.Scratch();
            for (int i = next.getAndIncrement(); i < columns.length; i = next.getAndIncrement()) {
                columns[i] = profile(all.get(i), scratch);
            }
        });
        return new DatasetProfile(frame.source(), frame.sha256(), frame.rowCount(), List.of(columns));
    }

    public static ColumnProfile profile(DataColumn column) {
        return profile(column, new DoubleSort.Scratch());
    }

    private static ColumnProfile profile(DataColumn column, DoubleSort.Scratch scratch) {
        if (column instanceof NumericColumn n) {
            return numeric(n, scratch);
        }
        return strings((StringColumn) column);
    }

    private static ColumnProfile numeric(NumericColumn column, DoubleSort.Scratch scratch) {
        double[] sorted = presentSorted(column.values(), scratch);
        int n = sorted.length;
        long missing = column.size() - n;
        List<CategoryCount> top = column.type() == ColumnType.BOOLEAN ? booleanCounts(sorted) : null;
        if (n == 0) {
            return new ColumnProfile(column.name(), column.type().wireName(), 0, missing, 0,
                    null, null, null, null, null, null, top);
        }
        double mean = mean(sorted);
        Double std = n < 2 ? null : Math.sqrt(sampleVariance(sorted, mean));
        Map<String, Double> quantiles = new LinkedHashMap<>();
        for (int q = 0; q < QUANTILES.length; q++) {
            quantiles.put(QUANTILE_KEYS[q], quantile(sorted, QUANTILES[q]));
        }
        return new ColumnProfile(column.name(), column.type().wireName(), n, missing, distinctSorted(sorted),
                sorted[0], sorted[n - 1], mean, std, quantiles, histogram(sorted), top);
    }

    private static ColumnProfile strings(StringColumn column) {
        Map<String, long[]> counts = new HashMap<>();
        long present = 0;
        for (String v : column.values()) {
            if (v != null) {
                present++;
                counts.computeIfAbsent(v, k -> new long[1])[0]++;
            }
        }
        return new ColumnProfile(column.name(), column.type().wireName(), present, column.size() - present,
                counts.size(), null, null, null, null, null, null, top(counts, present));
    }

    /** The most frequent values, count descending then value ascending, via a bounded heap. */
    static List<CategoryCount> top(Map<String, long[]> counts, long present) {
        Comparator<Map.Entry<String, long[]>> order = Comparator
                .<Map.Entry<String, long[]>>comparingLong(e -> -e.getValue()[0])
                .thenComparing(Map.Entry::getKey);
        PriorityQueue<Map.Entry<String, long[]>> heap = new PriorityQueue<>(TOP + 1, order.reversed());
        for (Map.Entry<String, long[]> e : counts.entrySet()) {
            heap.add(e);
            if (heap.size() > TOP) {
                heap.poll(); // drops the current worst
            }
        }
        List<Map.Entry<String, long[]>> best = new ArrayList<>(heap);
        best.sort(order);
        List<CategoryCount> out = new ArrayList<>(best.size());
        for (Map.Entry<String, long[]> e : best) {
            long c = e.getValue()[0];
            out.add(new CategoryCount(e.getKey(), c, (double) c / present));
        }
        return out;
    }

    private static List<CategoryCount> booleanCounts(double[] sorted) {
        Map<String, long[]> counts = new HashMap<>();
        for (double v : sorted) {
            counts.computeIfAbsent(v != 0.0 ? "true" : "false", k -> new long[1])[0]++;
        }
        return top(counts, sorted.length);
    }

    private static double[] presentSorted(double[] values, DoubleSort.Scratch scratch) {
        int n = 0;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                n++;
            }
        }
        double[] out = new double[n];
        int i = 0;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                out[i++] = v;
            }
        }
        DoubleSort.sort(out, scratch);
        return out;
    }

    private static long distinctSorted(double[] sorted) {
        long distinct = sorted.length == 0 ? 0 : 1;
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] != sorted[i - 1]) {
                distinct++;
            }
        }
        return distinct;
    }

    /** Neumaier-compensated mean. */
    static double mean(double[] values) {
        double sum = 0;
        double compensation = 0;
        for (double v : values) {
            double t = sum + v;
            compensation += Math.abs(sum) >= Math.abs(v) ? (sum - t) + v : (v - t) + sum;
            sum = t;
        }
        return (sum + compensation) / values.length;
    }

    /**
     * Corrected two-pass sample variance: sum of squared deviations minus the rounding error of the
     * mean, (sum of deviations)^2 / n (Chan, Golub and LeVeque).
     */
    static double sampleVariance(double[] values, double mean) {
        int n = values.length;
        double squares = 0;
        double deviations = 0;
        for (double v : values) {
            double d = v - mean;
            squares += d * d;
            deviations += d;
        }
        double variance = (squares - deviations * deviations / n) / (n - 1);
        return Math.max(variance, 0.0);
    }

    /** numpy's default ("linear") quantile of sorted values: interpolate at position q * (n - 1). */
    public static double quantile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return lerp(sorted[lo], sorted[hi], h - lo);
    }

    /**
     * numpy's {@code _lerp}: interpolate from the nearer end so the result never overshoots the
     * neighbours, which keeps quantiles monotone and within [min, max] despite rounding.
     */
    private static double lerp(double a, double b, double t) {
        if (a == b) {
            return a;
        }
        double diff = b - a;
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    }

    static Histogram histogram(double[] sorted) {
        double min = sorted[0];
        double max = sorted[sorted.length - 1];
        if (min == max) {
            return new Histogram(new double[] {min, max}, new long[] {sorted.length});
        }
        double[] edges = new double[BINS + 1];
        double width = (max - min) / BINS;
        if (!Double.isFinite(width)) {
            width = max / BINS - min / BINS; // the range itself overflows a double
        }
        for (int i = 0; i < BINS; i++) {
            edges[i] = min + i * width;
        }
        edges[BINS] = max;
        // A value's bin is the last one whose left edge is at most the value (the last bin also takes max). The
        // values are sorted, so each bin's count is the distance between where two edges fall: 20 binary searches
        // instead of a division per value, with the same counts.
        long[] counts = new long[BINS];
        int from = 0;
        for (int i = 0; i < BINS - 1; i++) {
            int to = firstAtLeast(sorted, from, edges[i + 1]);
            counts[i] = to - from;
            from = to;
        }
        counts[BINS - 1] = sorted.length - from;
        return new Histogram(edges, counts);
    }

    /** The first index from {@code from} whose value is at least {@code x} ({@code sorted.length} if none). */
    private static int firstAtLeast(double[] sorted, int from, double x) {
        int lo = from;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
