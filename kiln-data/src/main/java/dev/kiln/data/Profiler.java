package dev.kiln.data;

import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.profile.ColumnProfile.CategoryCount;
import dev.kiln.runtime.profile.ColumnProfile.Histogram;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.runtime.schema.BooleanWords;
import dev.kiln.runtime.schema.ColumnType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.ToLongFunction;
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
 * are reported in the words the file writes them in ({@link NumericColumn#words}: yes/no, true/false...).
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
        List<DataColumn> all = frame.columns();
        ColumnProfile[] columns = new ColumnProfile[all.size()];
        eachOnEveryCore(columns.length, (i, work) -> columns[i] = profile(all.get(i), work));
        return new DatasetProfile(frame.source(), frame.sha256(), frame.rowCount(), List.of(columns));
    }

    /**
     * Profiles a data file or directory as {@code profile(DataReader.read(path))} does, bit for bit. One file is
     * profiled as it is read, without building its frame: CSV as the parallel reader parses it
     * ({@link CsvChunkProfiler}), Parquet as DuckDB's chunks are fetched ({@link DuckDbChunkColumns}), JSON lines as
     * {@link JsonLinesReader} parses them ({@link JsonLinesChunkColumns}). Where that cannot give the same profile (see
     * each), or on any problem, the file is read whole, which names the problem.
     */
    public static DatasetProfile profile(Path path) {
        DatasetProfile whileReading = whileReading(path);
        return whileReading != null ? whileReading : profile(DataReader.read(path));
    }

    private static DatasetProfile whileReading(Path path) {
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException | RuntimeException e) {
            return null; // the whole read names it
        }
        if (Files.isDirectory(real)) {
            return null;
        }
        if (DataReader.isDelimitedText(real)) {
            return CsvChunkProfiler.profile(real);
        }
        DuckDbReader.Format format = DataReader.duckDbFormat(real);
        if (format == DuckDbReader.Format.PARQUET) {
            return DuckDbChunkColumns.profile(real);
        }
        return format == DuckDbReader.Format.JSON_LINES || format == DuckDbReader.Format.JSON
                ? JsonLinesChunkColumns.profile(real) : null;
    }

    /** Work on one column, given its index and the worker's reusable arrays. */
    interface ColumnWork {
        void run(int column, Work work);
    }

    /**
     * Runs {@code task} for every column: one worker per core takes the next column until none is left, reusing its
     * arrays from column to column (they are garbage once the profile is made).
     */
    static void eachOnEveryCore(int columns, ColumnWork task) {
        AtomicInteger next = new AtomicInteger();
        int workers = Math.max(1, Math.min(columns, Runtime.getRuntime().availableProcessors()));
        IntStream.range(0, workers).parallel().forEach(w -> {
            Work work = new Work();
            for (int i = next.getAndIncrement(); i < columns; i = next.getAndIncrement()) {
                task.run(i, work);
            }
        });
    }

    /** A worker's arrays: the sort's, and one for a column's present values. */
    static final class Work {
        final DoubleSort.Scratch sort = new DoubleSort.Scratch();
        private double[] present = new double[0];

        double[] present(int n) {
            if (present.length < n) {
                present = new double[n];
            }
            return present;
        }
    }

    public static ColumnProfile profile(DataColumn column) {
        return profile(column, new Work());
    }

    static ColumnProfile profile(DataColumn column, Work work) {
        if (column instanceof NumericColumn n) {
            return numeric(n, work);
        }
        return strings((StringColumn) column);
    }

    private static ColumnProfile numeric(NumericColumn column, Work work) {
        double[] values = column.values();
        double[] present = work.present(values.length);
        int n = 0;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                present[n++] = v;
            }
        }
        return numeric(column.name(), column.type(), column.words(), present, n, column.size() - n, work.sort);
    }

    /**
     * The profile of a numeric-like column from its {@code n} present values, {@code present[0, n)} in row order,
     * which this sorts in place; a boolean column's values are counted in {@code words} (null: true/false).
     */
    static ColumnProfile numeric(String name, ColumnType type, BooleanWords words, double[] present, int n, long missing,
                                 DoubleSort.Scratch scratch) {
        DoubleSort.sort(present, n, scratch);
        double[] sorted = present;
        List<CategoryCount> top = type == ColumnType.BOOLEAN
                ? booleanCounts(words != null ? words : BooleanWords.TRUE_FALSE, sorted, n) : null;
        if (n == 0) {
            return new ColumnProfile(name, type.wireName(), 0, missing, 0,
                    null, null, null, null, null, null, top);
        }
        double mean = mean(sorted, n);
        Double std = n < 2 ? null : Math.sqrt(sampleVariance(sorted, n, mean));
        Map<String, Double> quantiles = new LinkedHashMap<>();
        for (int q = 0; q < QUANTILES.length; q++) {
            quantiles.put(QUANTILE_KEYS[q], quantile(sorted, n, QUANTILES[q]));
        }
        return new ColumnProfile(name, type.wireName(), n, missing, distinctSorted(sorted, n),
                sorted[0], sorted[n - 1], mean, std, quantiles, histogram(sorted, n), top);
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
        return strings(column.name(), column.type(), present, column.size() - present, counts.size(),
                top(counts.entrySet(), e -> e.getValue()[0], Map.Entry::getKey, present));
    }

    /** The profile of a textual column from its counts and most frequent values. */
    static ColumnProfile strings(String name, ColumnType type, long present, long missing, long distinct,
                                 List<CategoryCount> top) {
        return new ColumnProfile(name, type.wireName(), present, missing, distinct,
                null, null, null, null, null, null, top);
    }

    /**
     * The {@value #TOP} most frequent of {@code distinct} values (each with its count), count descending then value
     * ascending, via a bounded heap.
     */
    static <T> List<CategoryCount> top(Collection<T> distinct, ToLongFunction<T> count, Function<T, String> value,
                                       long present) {
        Comparator<T> order = Comparator.<T>comparingLong(e -> -count.applyAsLong(e)).thenComparing(value);
        PriorityQueue<T> heap = new PriorityQueue<>(TOP + 1, order.reversed());
        for (T e : distinct) {
            heap.add(e);
            if (heap.size() > TOP) {
                heap.poll(); // drops the current worst
            }
        }
        List<T> best = new ArrayList<>(heap);
        best.sort(order);
        List<CategoryCount> out = new ArrayList<>(best.size());
        for (T e : best) {
            long c = count.applyAsLong(e);
            out.add(new CategoryCount(value.apply(e), c, (double) c / present));
        }
        return out;
    }

    private static List<CategoryCount> booleanCounts(BooleanWords words, double[] sorted, int n) {
        Map<String, long[]> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.computeIfAbsent(words.word(sorted[i]), k -> new long[1])[0]++;
        }
        return top(counts.entrySet(), e -> e.getValue()[0], Map.Entry::getKey, n);
    }

    private static long distinctSorted(double[] sorted, int n) {
        long distinct = n == 0 ? 0 : 1;
        for (int i = 1; i < n; i++) {
            if (sorted[i] != sorted[i - 1]) {
                distinct++;
            }
        }
        return distinct;
    }

    /** Neumaier-compensated mean of {@code values[0, n)}. */
    static double mean(double[] values, int n) {
        double sum = 0;
        double compensation = 0;
        for (int i = 0; i < n; i++) {
            double v = values[i];
            double t = sum + v;
            compensation += Math.abs(sum) >= Math.abs(v) ? (sum - t) + v : (v - t) + sum;
            sum = t;
        }
        return (sum + compensation) / n;
    }

    /**
     * Corrected two-pass sample variance: sum of squared deviations minus the rounding error of the
     * mean, (sum of deviations)^2 / n (Chan, Golub and LeVeque).
     */
    static double sampleVariance(double[] values, int n, double mean) {
        double squares = 0;
        double deviations = 0;
        for (int i = 0; i < n; i++) {
            double d = values[i] - mean;
            squares += d * d;
            deviations += d;
        }
        double variance = (squares - deviations * deviations / n) / (n - 1);
        return Math.max(variance, 0.0);
    }

    /** numpy's default ("linear") quantile of sorted values: interpolate at position q * (n - 1). */
    public static double quantile(double[] sorted, double q) {
        return quantile(sorted, sorted.length, q);
    }

    /** The same of the sorted values {@code sorted[0, n)}. */
    static double quantile(double[] sorted, int n, double q) {
        double h = (n - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, n - 1);
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

    static Histogram histogram(double[] sorted, int n) {
        double min = sorted[0];
        double max = sorted[n - 1];
        if (min == max) {
            return new Histogram(new double[] {min, max}, new long[] {n});
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
            int to = firstAtLeast(sorted, from, n, edges[i + 1]);
            counts[i] = to - from;
            from = to;
        }
        counts[BINS - 1] = n - from;
        return new Histogram(edges, counts);
    }

    /** The first index in {@code [from, n)} whose value is at least {@code x} ({@code n} if none). */
    private static int firstAtLeast(double[] sorted, int from, int n, double x) {
        int lo = from;
        int hi = n;
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
