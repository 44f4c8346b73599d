package dev.kiln.runtime.profile;

/**
 * Doubles as {@code long} sort keys, and the sort and merges a {@link QuantileSketch}'s levels need on them.
 *
 * <p>The key of a double is its bit pattern with the 63 low bits flipped when negative, so that signed {@code long}
 * order is the order {@link java.util.Arrays#sort(double[])} gives finite doubles (-0.0 before 0.0 included): sorting
 * keys and sorting values give the same sequence. Comparing longs lets the JIT choose conditional moves where
 * comparing doubles takes a branch, which mispredicts half the time on random data: the sort and the merges below
 * are written branch-free for that reason (bidirectional merges, after Scandum's quadsort "parity merge", so that
 * two independent chains of loads and compares run at once).
 */
final class SortKeys {
    /** Runs of this many keys or fewer are sorted by a sorting network. */
    private static final int NETWORK = 8;

    private SortKeys() {
    }

    static long key(double value) {
        long bits = Double.doubleToRawLongBits(value);
        return bits ^ ((bits >> 63) & Long.MAX_VALUE);
    }

    static double value(long key) {
        return Double.longBitsToDouble(key ^ ((key >> 63) & Long.MAX_VALUE));
    }

    /** Sorts {@code a[0..n)} ascending; {@code scratch} holds at least n keys, overwritten. */
    static void sort(long[] a, int n, long[] scratch) {
        if (n < 2) {
            return;
        }
        if (n <= NETWORK) {
            network(a, 0, n);
        } else {
            sort(a, scratch, 0, n, false);
        }
    }

    /**
     * Sorts {@code a[lo..hi)} and leaves the result in {@code a} or, when {@code intoScratch}, in {@code scratch}
     * (same indices); the other array's range is overwritten. Halves differ in length by at most one, as
     * {@link #merge} needs.
     */
    private static void sort(long[] a, long[] scratch, int lo, int hi, boolean intoScratch) {
        int n = hi - lo;
        if (n <= NETWORK) {
            network(a, lo, n);
            if (intoScratch) {
                System.arraycopy(a, lo, scratch, lo, n);
            }
            return;
        }
        int mid = lo + (n >>> 1);
        sort(a, scratch, lo, mid, !intoScratch);
        sort(a, scratch, mid, hi, !intoScratch);
        if (intoScratch) {
            merge(a, lo, mid, hi, scratch);
        } else {
            merge(scratch, lo, mid, hi, a);
        }
    }

    /**
     * Sorts up to 8 keys at {@code a[lo..lo+n)}: the keys missing to make 8 count as {@link Long#MAX_VALUE}, which no
     * key exceeds, so the first n out are the n keys sorted; then Knuth's 19-comparator network for 8 (TAOCP vol. 3,
     * 5.3.4), whose compare-exchanges are independent of each other within each of its 6 rounds.
     */
    private static void network(long[] a, int lo, int n) {
        long x0 = a[lo];
        long x1 = n > 1 ? a[lo + 1] : Long.MAX_VALUE;
        long x2 = n > 2 ? a[lo + 2] : Long.MAX_VALUE;
        long x3 = n > 3 ? a[lo + 3] : Long.MAX_VALUE;
        long x4 = n > 4 ? a[lo + 4] : Long.MAX_VALUE;
        long x5 = n > 5 ? a[lo + 5] : Long.MAX_VALUE;
        long x6 = n > 6 ? a[lo + 6] : Long.MAX_VALUE;
        long x7 = n > 7 ? a[lo + 7] : Long.MAX_VALUE;
        long t;
        t = Math.min(x0, x2); x2 = Math.max(x0, x2); x0 = t;
        t = Math.min(x1, x3); x3 = Math.max(x1, x3); x1 = t;
        t = Math.min(x4, x6); x6 = Math.max(x4, x6); x4 = t;
        t = Math.min(x5, x7); x7 = Math.max(x5, x7); x5 = t;
        t = Math.min(x0, x4); x4 = Math.max(x0, x4); x0 = t;
        t = Math.min(x1, x5); x5 = Math.max(x1, x5); x1 = t;
        t = Math.min(x2, x6); x6 = Math.max(x2, x6); x2 = t;
        t = Math.min(x3, x7); x7 = Math.max(x3, x7); x3 = t;
        t = Math.min(x0, x1); x1 = Math.max(x0, x1); x0 = t;
        t = Math.min(x2, x3); x3 = Math.max(x2, x3); x2 = t;
        t = Math.min(x4, x5); x5 = Math.max(x4, x5); x4 = t;
        t = Math.min(x6, x7); x7 = Math.max(x6, x7); x6 = t;
        t = Math.min(x2, x4); x4 = Math.max(x2, x4); x2 = t;
        t = Math.min(x3, x5); x5 = Math.max(x3, x5); x3 = t;
        t = Math.min(x1, x4); x4 = Math.max(x1, x4); x1 = t;
        t = Math.min(x3, x6); x6 = Math.max(x3, x6); x3 = t;
        t = Math.min(x1, x2); x2 = Math.max(x1, x2); x1 = t;
        t = Math.min(x3, x4); x4 = Math.max(x3, x4); x3 = t;
        t = Math.min(x5, x6); x6 = Math.max(x5, x6); x5 = t;
        a[lo] = x0;
        if (n > 1) {
            a[lo + 1] = x1;
        }
        if (n > 2) {
            a[lo + 2] = x2;
        }
        if (n > 3) {
            a[lo + 3] = x3;
        }
        if (n > 4) {
            a[lo + 4] = x4;
        }
        if (n > 5) {
            a[lo + 5] = x5;
        }
        if (n > 6) {
            a[lo + 6] = x6;
        }
        if (n > 7) {
            a[lo + 7] = x7;
        }
    }

    /**
     * Merges the sorted runs {@code s[lo..mid)} and {@code s[mid..hi)}, whose lengths differ by at most one, into
     * {@code d[lo..hi)}: the front takes the smallest key and the back the largest, half the length each (a tie goes
     * to the first run at the front and to the second at the back, one order for both), then the middle key if the
     * length is odd. With such lengths neither end reads past its runs.
     */
    private static void merge(long[] s, int lo, int mid, int hi, long[] d) {
        int i = lo;
        int j = mid;
        int k = lo;
        int ie = mid - 1;
        int je = hi - 1;
        int ke = hi - 1;
        for (int c = (hi - lo) >>> 1; c > 0; c--) {
            long x = s[i];
            long y = s[j];
            boolean first = x <= y;
            d[k++] = first ? x : y;
            i += first ? 1 : 0;
            j += first ? 0 : 1;
            long xe = s[ie];
            long ye = s[je];
            boolean firstLast = xe > ye;
            d[ke--] = firstLast ? xe : ye;
            ie -= firstLast ? 1 : 0;
            je -= firstLast ? 0 : 1;
        }
        if (((hi - lo) & 1) != 0) {
            d[k] = i <= ie ? s[i] : s[j];
        }
    }

    /**
     * Merges the ascending {@code a[aFrom..aTo)} and {@code b[bFrom..bTo)} into {@code d} from {@code dFrom}. Rounds of
     * front-and-back steps, as many per round as the shorter remainder holds, so that neither end can run past its
     * run (it could only reach a key the other end took this round, which then loses the comparison), until one run
     * is used up; the rest of the other is copied.
     */
    static void merge(long[] a, int aFrom, int aTo, long[] b, int bFrom, int bTo, long[] d, int dFrom) {
        int i = aFrom;
        int j = bFrom;
        int k = dFrom;
        int ie = aTo - 1;
        int je = bTo - 1;
        int ke = dFrom + (aTo - aFrom) + (bTo - bFrom) - 1;
        while (i <= ie && j <= je) {
            for (int c = Math.min(ie - i, je - j) + 1; c > 0; c--) {
                long x = a[i];
                long y = b[j];
                boolean first = x <= y;
                d[k++] = first ? x : y;
                i += first ? 1 : 0;
                j += first ? 0 : 1;
                long xe = a[ie];
                long ye = b[je];
                boolean firstLast = xe > ye;
                d[ke--] = firstLast ? xe : ye;
                ie -= firstLast ? 1 : 0;
                je -= firstLast ? 0 : 1;
            }
        }
        if (i <= ie) {
            System.arraycopy(a, i, d, k, ie - i + 1);
        } else if (j <= je) {
            System.arraycopy(b, j, d, k, je - j + 1);
        }
    }
}
