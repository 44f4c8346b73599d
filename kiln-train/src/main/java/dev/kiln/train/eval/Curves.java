package dev.kiln.train.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A binary model's ROC and precision-recall curves and its calibration table on one set of rows, as a report shows
 * them. The curves are swept over the distinct scores, highest first, as scikit-learn's {@code roc_curve} and
 * {@code precision_recall_curve} do; the areas are taken over every point (ROC: the trapezoid, so tied scores count
 * half, as {@code roc_auc_score}; PR: the step-wise {@code sum (R_n - R_(n-1)) P_n}, as {@code average_precision_score})
 * and so equal {@link Metrics#binary}'s {@code roc_auc} and {@code pr_auc}. The points kept for drawing are at most
 * {@link #MAX_POINTS} per curve, evenly spaced along the sweep, first and last kept.
 *
 * @param rows      rows the curves are drawn on
 * @param positives positive rows among them
 * @param roc       the ROC curve: false and true positive rates, threshold per point ({@code null} for the first point,
 *                  above every score), and its area
 * @param pr        the precision-recall curve: recall and precision per point (first point: recall 0, precision 1, as
 *                  scikit-learn starts it; threshold {@code null}), and the average precision
 * @param calibration predicted probability against the observed positive rate in {@link #CALIBRATION_BINS} equal-width
 *                  bins of the score (empty bins left out), each with a 95% Wilson interval of the observed rate
 */
public record Curves(int rows, int positives, Roc roc, PrecisionRecall pr, List<CalibrationBin> calibration) {
    /** Points kept per curve for drawing. */
    public static final int MAX_POINTS = 200;
    /** Equal-width bins of P(positive) in the calibration table. */
    public static final int CALIBRATION_BINS = 10;

    public record Roc(double auc, List<Double> fpr, List<Double> tpr, List<Double> thresholds) {
    }

    public record PrecisionRecall(double averagePrecision, List<Double> recall, List<Double> precision, List<Double> thresholds) {
    }

    /** One bin {@code [lower, upper)} (the last one closed): its rows, mean predicted probability and observed positive rate. */
    public record CalibrationBin(double lower, double upper, int rows, double meanPredicted, double observedRate,
                                 List<Double> observedInterval) {
    }

    /**
     * The curves of scores {@code p} (P(positive)) against labels {@code y} (0/1); null when the rows do not hold both
     * classes (no curve is defined then).
     */
    public static Curves of(int[] y, double[] p) {
        int n = y.length;
        int positives = 0;
        for (int v : y) {
            positives += v;
        }
        int negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return null;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        // One point per distinct score: the cumulative true and false positives at "score >= threshold".
        List<Double> thresholds = new ArrayList<>();
        List<long[]> counts = new ArrayList<>();
        long tp = 0;
        long fp = 0;
        for (int k = 0; k < n; ) {
            double v = p[order[k]];
            while (k < n && p[order[k]] == v) {
                if (y[order[k]] == 1) {
                    tp++;
                } else {
                    fp++;
                }
                k++;
            }
            thresholds.add(v);
            counts.add(new long[] {tp, fp});
        }
        int m = counts.size();
        double[] fpr = new double[m + 1];
        double[] tpr = new double[m + 1];
        double[] recall = new double[m + 1];
        double[] precision = new double[m + 1];
        Double[] th = new Double[m + 1];
        precision[0] = 1.0;
        double auc = 0;
        double ap = 0;
        for (int j = 0; j < m; j++) {
            long[] c = counts.get(j);
            fpr[j + 1] = (double) c[1] / negatives;
            tpr[j + 1] = (double) c[0] / positives;
            recall[j + 1] = tpr[j + 1];
            precision[j + 1] = (double) c[0] / (c[0] + c[1]);
            th[j + 1] = thresholds.get(j);
            auc += (fpr[j + 1] - fpr[j]) * (tpr[j + 1] + tpr[j]) / 2;
            ap += (recall[j + 1] - recall[j]) * precision[j + 1];
        }
        int[] kept = downsample(m + 1);
        Roc roc = new Roc(auc, pick(fpr, kept), pick(tpr, kept), pick(th, kept));
        PrecisionRecall pr = new PrecisionRecall(ap, pick(recall, kept), pick(precision, kept), pick(th, kept));
        return new Curves(n, positives, roc, pr, calibration(y, p));
    }

    /** Equal-width bins of the score with the observed rate in each and its Wilson interval. */
    static List<CalibrationBin> calibration(int[] y, double[] p) {
        int[] rows = new int[CALIBRATION_BINS];
        int[] positives = new int[CALIBRATION_BINS];
        double[] sum = new double[CALIBRATION_BINS];
        for (int i = 0; i < y.length; i++) {
            double v = Math.max(0, Math.min(1, p[i]));
            int b = Math.min(CALIBRATION_BINS - 1, (int) (v * CALIBRATION_BINS));
            rows[b]++;
            positives[b] += y[i];
            sum[b] += p[i];
        }
        List<CalibrationBin> bins = new ArrayList<>();
        for (int b = 0; b < CALIBRATION_BINS; b++) {
            if (rows[b] == 0) {
                continue;
            }
            bins.add(new CalibrationBin((double) b / CALIBRATION_BINS, (double) (b + 1) / CALIBRATION_BINS, rows[b],
                    sum[b] / rows[b], (double) positives[b] / rows[b], Intervals.wilson(positives[b], rows[b])));
        }
        return bins;
    }

    /** Indices of at most {@link #MAX_POINTS} of {@code n} points, evenly spaced, the first and last included. */
    static int[] downsample(int n) {
        if (n <= MAX_POINTS) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        int[] kept = new int[MAX_POINTS];
        for (int i = 0; i < MAX_POINTS; i++) {
            kept[i] = (int) Math.round((double) i * (n - 1) / (MAX_POINTS - 1));
        }
        return kept;
    }

    private static List<Double> pick(double[] v, int[] kept) {
        List<Double> out = new ArrayList<>(kept.length);
        for (int i : kept) {
            out.add(v[i]);
        }
        return out;
    }

    private static List<Double> pick(Double[] v, int[] kept) {
        List<Double> out = new ArrayList<>(kept.length);
        for (int i : kept) {
            out.add(v[i]);
        }
        return out;
    }
}
