package dev.kiln.train.validation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Splits by time ({@code --time-column}): a model is always scored on rows later than every row it was fitted
 * on. Rows are ordered by time (ties by row index). Forward chaining is scikit-learn's {@code TimeSeriesSplit}:
 * k+1 blocks of {@code n / (k + 1)} rows, fold i fitting on every row before block i+1 and validating on it, so the
 * first block (and any remainder rows at its front) is never validated.
 */
final class TimeSplits {
    private TimeSplits() {
    }

    static ValidationPlan forwardChaining(double[] times, int folds) {
        int n = times.length;
        int k = Math.min(folds, n - 1);
        Integer[] order = byTime(times);
        int block = n / (k + 1);
        List<ValidationPlan.Fold> out = new ArrayList<>(k);
        for (int f = 0; f < k; f++) {
            int start = n - (k - f) * block;
            out.add(new ValidationPlan.Fold(sortedSlice(order, 0, start), sortedSlice(order, start, start + block)));
        }
        List<String> notes = new ArrayList<>();
        notes.add("the earliest " + (n - k * block) + " rows are only fitted on, never validated");
        if (k < folds) {
            notes.add(n + " training rows: " + k + " folds instead of " + folds);
        }
        return new ValidationPlan(ValidationPlan.Kind.FORWARD_CHAINING, out, "forward-chaining " + k
                + "-fold validation by time of " + n + " rows (fit on the past, validate on the next block)", notes);
    }

    static ValidationPlan latestHoldout(double[] times, double fraction) {
        int n = times.length;
        Integer[] order = byTime(times);
        int validCount = Math.max(1, Math.min(n - 1, (int) Math.round(fraction * n)));
        ValidationPlan.Fold fold = new ValidationPlan.Fold(sortedSlice(order, 0, n - validCount),
                sortedSlice(order, n - validCount, n));
        return new ValidationPlan(ValidationPlan.Kind.HOLDOUT, List.of(fold), "holdout of the latest " + validCount
                + " of " + n + " rows by time", List.of());
    }

    private static Integer[] byTime(double[] times) {
        Integer[] order = new Integer[times.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> times[i]).thenComparingInt(i -> i));
        return order;
    }

    private static int[] sortedSlice(Integer[] order, int from, int to) {
        int[] out = new int[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = order[i];
        }
        Arrays.sort(out);
        return out;
    }
}
