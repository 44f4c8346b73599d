package dev.kiln.monitor.performance;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;

/**
 * Confidence-based performance estimation (CBPE, as NannyML names it): a classifier's metrics on rows whose labels
 * are not known yet, from its calibrated probabilities. If the probabilities are calibrated, row {@code i} is of
 * class {@code k} with probability {@code q[i][k]}, so each metric's expectation over the unknown labels can be
 * computed. Exact in expectation when calibration holds on the served rows, which covariate shift (P(x) moves,
 * P(y | x) stays) preserves; a change of P(y | x) itself (concept drift) is invisible to it.
 */
public final class Cbpe {
    private Cbpe() {
    }

    /** An estimate with its 95% band: where the realised metric should fall if calibration holds. */
    public record Band(double value, @JsonProperty("ci_low") double low, @JsonProperty("ci_high") double high) {
        static Band of(double value, double se) {
            double half = Comparisons.Z95 * se;
            return new Band(value, Math.max(0, value - half), Math.min(1, value + half));
        }
    }

    /**
     * Expected accuracy: the mean over rows of the calibrated probability of the class the model decided
     * ({@code pCorrect[i]}). Each row is right with probability {@code pCorrect[i]}, independently, so the realised
     * accuracy's standard deviation around it is {@code sqrt(sum p(1 - p)) / n}: the band.
     */
    public static Band accuracy(double[] pCorrect, int n) {
        if (n == 0) {
            return null;
        }
        double sum = 0;
        double variance = 0;
        for (int i = 0; i < n; i++) {
            sum += pCorrect[i];
            variance += pCorrect[i] * (1 - pCorrect[i]);
        }
        return Band.of(sum / n, Math.sqrt(variance) / n);
    }

    /**
     * Expected ROC AUC of scores {@code score} (the model's own ranking) when row {@code i} is positive with
     * probability {@code q[i]}: the expected count of correctly ordered (positive, negative) pairs, ties one half, over
     * the expected count of such pairs — CBPE's fractional-label ROC curve (expected TPR against expected FPR at each
     * threshold) without the pairs of a row with itself, which no labelling can make. O(n log n). NaN when fewer than
     * two rows or no pair can be mixed.
     */
    public static double rocAuc(double[] score, double[] q, int n) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b]));
        double below = 0; // sum of (1 - q) over rows scored lower than the current block
        double numerator = 0;
        double sumQ = 0;
        double sumN = 0;
        double self = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            double blockQ = 0;
            double blockN = 0;
            double blockSelf = 0;
            while (j < n && score[order[j]] == score[order[i]]) {
                double p = q[order[j]];
                blockQ += p;
                blockN += 1 - p;
                blockSelf += p * (1 - p);
                j++;
            }
            numerator += blockQ * below + 0.5 * (blockQ * blockN - blockSelf);
            below += blockN;
            sumQ += blockQ;
            sumN += blockN;
            self += blockSelf;
            i = j;
        }
        double pairs = sumQ * sumN - self;
        // Rounding in the sums can carry a perfect ranking a hair past 1 (a property test found 1.0000000000000002).
        return pairs > 1e-12 ? Math.min(1.0, Math.max(0.0, numerator / pairs)) : Double.NaN;
    }

    /**
     * The standard error of an AUC over {@code positives} and {@code negatives} rows (Hanley and McNeil 1982), here
     * with the expected counts: the band of the estimate.
     */
    public static double rocAucStandardError(double auc, double positives, double negatives) {
        if (!(positives > 1) || !(negatives > 1) || Double.isNaN(auc)) {
            return Double.NaN;
        }
        double q1 = auc / (2 - auc);
        double q2 = 2 * auc * auc / (1 + auc);
        double v = (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc))
                / (positives * negatives);
        return Math.sqrt(Math.max(0, v));
    }

    /** {@link #rocAuc} with its band (Hanley–McNeil at the expected class counts); null when it cannot be computed. */
    public static Band rocAucBand(double[] score, double[] q, int n) {
        double auc = rocAuc(score, q, n);
        if (Double.isNaN(auc)) {
            return null;
        }
        double positives = 0;
        for (int i = 0; i < n; i++) {
            positives += q[i];
        }
        double se = rocAucStandardError(auc, positives, n - positives);
        return Band.of(auc, Double.isNaN(se) ? 0.5 : se);
    }

    /**
     * Macro one-vs-rest expected ROC AUC of a multiclass model: {@code raw[i*k + c]} the model's probability of class
     * {@code c}, {@code cal[i*k + c]} the calibrated one; the mean over the classes whose AUC can be computed, its
     * band from their standard errors taken as independent. Null when no class's can.
     */
    public static Band macroRocAuc(double[] raw, double[] cal, int n, int k) {
        double sum = 0;
        double variance = 0;
        int classes = 0;
        double[] s = new double[n];
        double[] q = new double[n];
        for (int c = 0; c < k; c++) {
            double positives = 0;
            for (int i = 0; i < n; i++) {
                s[i] = raw[i * k + c];
                q[i] = cal[i * k + c];
                positives += q[i];
            }
            double auc = rocAuc(s, q, n);
            if (Double.isNaN(auc)) {
                continue;
            }
            double se = rocAucStandardError(auc, positives, n - positives);
            sum += auc;
            variance += Double.isNaN(se) ? 0.25 : se * se;
            classes++;
        }
        if (classes == 0) {
            return null;
        }
        return Band.of(sum / classes, Math.sqrt(variance) / classes);
    }
}
