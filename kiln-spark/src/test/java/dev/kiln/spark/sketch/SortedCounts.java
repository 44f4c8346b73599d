package dev.kiln.spark.sketch;

/** Exact ranks in a sorted array, the truth the tests hold the merged quantile sketches to. */
final class SortedCounts {
    private SortedCounts() {
    }

    /** How many of {@code sorted} are at most {@code x}. */
    static int atMost(double[] sorted, double x) {
        return count(sorted, x, true);
    }

    /** How many of {@code sorted} are below {@code x}. */
    static int below(double[] sorted, double x) {
        return count(sorted, x, false);
    }

    private static int count(double[] sorted, double x, boolean orEqual) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < x || orEqual && sorted[mid] == x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
