package dev.kiln.train;

/**
 * The k-th smallest of a column's values in linear expected time (Hoare's quickselect), in the order
 * {@link java.util.Arrays#sort(double[])} gives (-0.0 before 0.0; NaN last), so a median taken from it is the one a
 * full sort gives, bit for bit, without sorting a large column.
 */
final class OrderStatistics {
    private OrderStatistics() {
    }

    /**
     * The {@code k}-th smallest (0-based) of {@code keys}, which are rearranged; {@code keys} holds
     * {@link #key(double)}s.
     */
    static long select(long[] keys, int k) {
        int lo = 0;
        int hi = keys.length - 1;
        java.util.SplittableRandom random = new java.util.SplittableRandom(keys.length); // pivots: any choice is exact
        while (lo < hi) {
            long pivot = keys[lo + random.nextInt(hi - lo + 1)];
            // Three-way partition: [lo, lt) < pivot, [lt, gt] == pivot, (gt, hi] > pivot.
            int lt = lo;
            int gt = hi;
            int i = lo;
            while (i <= gt) {
                long v = keys[i];
                if (v < pivot) {
                    keys[i++] = keys[lt];
                    keys[lt++] = v;
                } else if (v > pivot) {
                    keys[i] = keys[gt];
                    keys[gt--] = v;
                } else {
                    i++;
                }
            }
            if (k < lt) {
                hi = lt - 1;
            } else if (k > gt) {
                lo = gt + 1;
            } else {
                return pivot;
            }
        }
        return keys[k];
    }

    /** The largest of {@code keys[0, end)}. */
    static long max(long[] keys, int end) {
        long max = keys[0];
        for (int i = 1; i < end; i++) {
            max = Math.max(max, keys[i]);
        }
        return max;
    }

    /** A long that orders as {@link Double#compare} orders doubles (the total order of {@code Arrays.sort}). */
    static long key(double v) {
        long bits = Double.doubleToLongBits(v);
        return bits ^ ((bits >> 63) & Long.MAX_VALUE);
    }

    static double value(long key) {
        return Double.longBitsToDouble(key ^ ((key >> 63) & Long.MAX_VALUE));
    }
}
