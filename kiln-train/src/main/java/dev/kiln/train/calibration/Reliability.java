package dev.kiln.train.calibration;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.runtime.Task;
import java.util.ArrayList;
import java.util.List;

/**
 * Reliability curve and expected calibration error (ECE) of a classifier's probabilities, as commonly defined
 * (Guo et al. 2017, "On Calibration of Modern Neural Networks"): {@link #BINS} equal-width bins of the binned
 * probability, ECE = sum over bins of (rows in bin / rows) * |observed frequency - mean predicted|. Binary models bin
 * P(positive) against the share of positive rows; multiclass models bin the top-class probability against the share of
 * rows whose class is the top class. A probability of exactly 1 falls in the last bin.
 */
public final class Reliability {
    public static final int BINS = 15;
    public static final String P_POSITIVE = "p_positive";
    public static final String TOP_CLASS = "top_class";

    private Reliability() {
    }

    /** One non-empty bin: its edges, the mean probability in it, the observed frequency, and its rows. */
    public record Bin(double lower, double upper, @JsonProperty("mean_predicted") double meanPredicted,
                      double observed, long count) {
    }

    /** The curve (non-empty bins in order) and its ECE. */
    public record Curve(List<Bin> bins, double ece) {
    }

    /** What {@link #of} bins for a task. */
    public static String curveOf(Task task) {
        return task == Task.BINARY ? P_POSITIVE : TOP_CLASS;
    }

    /**
     * @param probabilities each row's probabilities in class order (binary: {@code [P(negative), P(positive)]})
     * @param labels        each row's class index
     */
    public static Curve of(Task task, double[][] probabilities, int[] labels) {
        int n = labels.length;
        double[] sumPredicted = new double[BINS];
        double[] sumObserved = new double[BINS];
        long[] count = new long[BINS];
        for (int i = 0; i < n; i++) {
            double[] q = probabilities[i];
            double p;
            boolean hit;
            if (task == Task.BINARY) {
                p = q[1];
                hit = labels[i] == 1;
            } else {
                int top = 0;
                for (int k = 1; k < q.length; k++) {
                    if (q[k] > q[top]) {
                        top = k;
                    }
                }
                p = q[top];
                hit = labels[i] == top;
            }
            int b = Math.min(BINS - 1, Math.max(0, (int) Math.floor(p * BINS)));
            sumPredicted[b] += p;
            sumObserved[b] += hit ? 1 : 0;
            count[b]++;
        }
        List<Bin> bins = new ArrayList<>();
        double ece = 0;
        for (int b = 0; b < BINS; b++) {
            if (count[b] == 0) {
                continue;
            }
            double meanPredicted = sumPredicted[b] / count[b];
            double observed = sumObserved[b] / count[b];
            bins.add(new Bin((double) b / BINS, (double) (b + 1) / BINS, meanPredicted, observed, count[b]));
            ece += (double) count[b] / n * Math.abs(observed - meanPredicted);
        }
        return new Curve(bins, n == 0 ? 0 : ece);
    }
}
