package dev.kiln.monitor.performance;

import java.util.Arrays;

/** The metrics monitoring computes on labelled feedback, by their textbook definitions. */
public final class Scores {
    private static final double EPS = 1e-15;

    private Scores() {
    }

    /**
     * Area under the ROC curve: the probability that a random positive row scores above a random negative row,
     * ties counting one half (the Mann–Whitney U statistic over n⁺·n⁻). NaN when either class is absent.
     */
    public static double rocAuc(double[] scores, boolean[] positive, int n) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        double rankSumPositive = 0;
        long positives = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double midRank = (i + j) / 2.0 + 1.0; // ranks are 1-based; tied rows share the mean rank
            for (int k = i; k <= j; k++) {
                if (positive[order[k]]) {
                    rankSumPositive += midRank;
                    positives++;
                }
            }
            i = j + 1;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    /** Mean negative log of the probability given to the true class, clipped to [1e-15, 1 − 1e-15]. */
    public static double logLoss(double[] trueClassProbability, int n) {
        if (n == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double p = Math.min(1 - EPS, Math.max(EPS, trueClassProbability[i]));
            sum -= Math.log(p);
        }
        return sum / n;
    }

    public static double rmse(double[] predicted, double[] actual, int n) {
        if (n == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double d = predicted[i] - actual[i];
            sum += d * d;
        }
        return Math.sqrt(sum / n);
    }

    public static double mae(double[] predicted, double[] actual, int n) {
        if (n == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.abs(predicted[i] - actual[i]);
        }
        return sum / n;
    }
}
