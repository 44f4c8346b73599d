package dev.kiln.data;

import java.util.Arrays;

/**
 * The present values of a column as a reader adds them, in one array sized by an estimate of the final count (a
 * reader knows the file's size, not its rows): one array of the values' own size, allocated once when the estimate
 * holds. A large array goes straight to the collector's old generation, where blocks or a doubling array would be
 * copied there, and again as they grow.
 */
final class GrowingDoubles {
    /** The most values one array holds. */
    static final int MAX_SIZE = Integer.MAX_VALUE - 16;

    private double[] values = new double[0];
    private int size;

    /**
     * Adds the values of {@code from[0, n)} that are not NaN (missing), in order, growing the array to at least
     * {@code expected} values when it is full; false (nothing added) when they would pass {@link #MAX_SIZE}.
     */
    boolean addPresent(double[] from, int n, long expected) {
        if ((long) size + n > values.length) {
            if ((long) size + n > MAX_SIZE) {
                return false;
            }
            long grown = Math.max(size + n, Math.max(expected, values.length + (values.length >> 3)));
            values = Arrays.copyOf(values, (int) Math.min(grown, MAX_SIZE));
        }
        double[] to = values;
        int at = size;
        for (int i = 0; i < n; i++) {
            double v = from[i];
            to[at] = v;
            at += v == v ? 1 : 0; // a NaN is written, then overwritten: no branch to mispredict on data with holes
        }
        size = at;
        return true;
    }

    int size() {
        return size;
    }

    /** The array holding the values in {@code [0, size())}; the rest is unused. */
    double[] array() {
        return values;
    }
}
