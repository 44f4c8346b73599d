package dev.kiln.train.eval;

import java.util.Arrays;

/** Cost-aware evaluation and threshold choice for binary classifiers (positive = class 1). */
public final class BusinessCost {
    /**
     * The metric name of the expected cost per 1,000 rows at a model's decision threshold ({@link #per1000}): a test
     * metric of every candidate and the baseline of a binary run with a cost matrix, so gates can bound it. Lower is
     * better.
     */
    public static final String COST_PER_1000 = "cost_per_1000";

    /** Relative tolerance under which two total costs count as equal (sums of the same two products). */
    private static final double TIE_TOLERANCE = 1e-12;

    private BusinessCost() {
    }

    /** Total cost divided by the number of rows, predicting positive when {@code p >= threshold}. */
    public static double expectedCost(int[] y, double[] p, double threshold, CostMatrix costs) {
        check(y, p);
        long fp = 0;
        long fn = 0;
        for (int i = 0; i < y.length; i++) {
            boolean positive = p[i] >= threshold;
            if (positive && y[i] == 0) {
                fp++;
            } else if (!positive && y[i] == 1) {
                fn++;
            }
        }
        return cost(fp, fn, costs) / y.length;
    }

    /** {@link #expectedCost} per 1,000 rows: the figure reports show and the {@value #COST_PER_1000} metric. */
    public static double per1000(int[] y, double[] p, double threshold, CostMatrix costs) {
        return 1000 * expectedCost(y, p, threshold, costs);
    }

    /**
     * The threshold that minimises the total cost. Candidates are 0 (everything positive), every distinct
     * value of p, and the smallest double above 1 (everything negative) — together these give
     * every distinct prediction a threshold can make. Among equal costs the candidate closest to 0.5 wins
     * (so a plateau does not pull the threshold to an extreme), and on an equal distance the lower one.
     */
    public static ThresholdChoice bestThreshold(int[] y, double[] p, CostMatrix costs) {
        check(y, p);
        int n = y.length;
        double[] pos = Arrays.stream(indices(y, 1)).mapToDouble(i -> p[i]).sorted().toArray();
        double[] neg = Arrays.stream(indices(y, 0)).mapToDouble(i -> p[i]).sorted().toArray();
        double[] candidates = candidates(p);

        double bestThreshold = Double.NaN;
        double bestCost = Double.POSITIVE_INFINITY;
        int fn = 0; // positives below the threshold
        int tn = 0; // negatives below the threshold
        for (double t : candidates) {
            while (fn < pos.length && pos[fn] < t) {
                fn++;
            }
            while (tn < neg.length && neg[tn] < t) {
                tn++;
            }
            double total = cost(neg.length - tn, fn, costs);
            boolean better;
            if (Double.isNaN(bestThreshold)) {
                better = true;
            } else {
                double tolerance = TIE_TOLERANCE * Math.max(Math.abs(total), Math.abs(bestCost));
                better = total < bestCost - tolerance
                        || (Math.abs(total - bestCost) <= tolerance
                        && Math.abs(t - 0.5) < Math.abs(bestThreshold - 0.5));
            }
            if (better) {
                bestCost = total;
                bestThreshold = t;
            }
        }
        return new ThresholdChoice(bestThreshold, bestCost / n);
    }

    private static double[] candidates(double[] p) {
        double[] sorted = p.clone();
        Arrays.sort(sorted);
        double[] withEnds = new double[sorted.length + 2];
        withEnds[0] = 0.0;
        System.arraycopy(sorted, 0, withEnds, 1, sorted.length);
        withEnds[withEnds.length - 1] = Math.nextUp(1.0);
        return Arrays.stream(withEnds).distinct().toArray(); // already ascending
    }

    private static int[] indices(int[] y, int label) {
        return java.util.stream.IntStream.range(0, y.length).filter(i -> y[i] == label).toArray();
    }

    private static double cost(long fp, long fn, CostMatrix costs) {
        return fp * costs.falsePositive() + fn * costs.falseNegative();
    }

    private static void check(int[] y, double[] p) {
        if (y.length != p.length || y.length == 0) {
            throw new IllegalArgumentException("need equally many labels and probabilities, at least one; got "
                    + y.length + " and " + p.length);
        }
        for (int i = 0; i < y.length; i++) {
            if (y[i] != 0 && y[i] != 1) {
                throw new IllegalArgumentException("binary label must be 0 or 1, row " + i + " has " + y[i]);
            }
            if (!(p[i] >= 0.0 && p[i] <= 1.0)) {
                throw new IllegalArgumentException("probability must lie in [0, 1], row " + i + " has " + p[i]);
            }
        }
    }
}
