package dev.kiln.train.eval;

import dev.kiln.runtime.Task;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluation metrics with scikit-learn's definitions, so that numbers reported by Kiln can be checked
 * against the reference implementation. Every method returns its metrics in a fixed (insertion) order
 * with snake_case keys.
 */
public final class Metrics {
    /** float64 machine epsilon: scikit-learn's {@code log_loss} clipping with {@code eps="auto"}. */
    public static final double LOG_LOSS_EPS = Math.ulp(1.0);

    /** Metrics where a smaller value is better; every other metric Kiln reports is better when larger. */
    private static final java.util.Set<String> LOWER_IS_BETTER = java.util.Set.of("log_loss", "brier", "rmse", "mae",
            BusinessCost.COST_PER_1000);

    public static boolean lowerIsBetter(String metric) {
        return LOWER_IS_BETTER.contains(metric);
    }

    /**
     * The metrics {@link #binary}, {@link #multiclass} and {@link #regression} report for a task, in their order; a
     * binary model trained with a cost matrix also has {@value BusinessCost#COST_PER_1000} ({@link BusinessCost#per1000}).
     */
    public static List<String> names(Task task) {
        return switch (task) {
            case BINARY -> List.of("roc_auc", "pr_auc", "log_loss", "brier", "accuracy", "precision", "recall", "f1");
            case MULTICLASS -> List.of("accuracy", "f1_macro", "f1_weighted", "log_loss");
            case REGRESSION -> List.of("rmse", "mae", "r2");
        };
    }

    /**
     * The task's metrics from a model's raw outputs, as training reports them: binary {@code out[i][0]} is P(positive)
     * and a row is positive when it is {@code >= threshold}; multiclass one probability per class; regression the
     * value. {@code y} holds class indices (binary: 1 = positive) or values.
     */
    public static Map<String, Double> of(Task task, double[] y, double[][] out, double threshold) {
        return switch (task) {
            case BINARY -> binary(classIndices(y), column0(out), threshold);
            case MULTICLASS -> multiclass(classIndices(y), out, out.length == 0 ? 0 : out[0].length);
            case REGRESSION -> regression(y, column0(out));
        };
    }

    /** Class indices held as doubles (a training target's y) as ints. */
    public static int[] classIndices(double[] y) {
        return Arrays.stream(y).mapToInt(v -> (int) v).toArray();
    }

    private static double[] column0(double[][] out) {
        return Arrays.stream(out).mapToDouble(o -> o[0]).toArray();
    }

    private Metrics() {
    }

    /**
     * Binary metrics. {@code y} holds 0/1 labels (1 = positive), {@code p} the predicted P(1); a row is
     * predicted positive when {@code p >= threshold}.
     * <ul>
     * <li>{@code roc_auc}: as {@code roc_auc_score}, the trapezoid over distinct thresholds, so tied scores
     * count half.</li>
     * <li>{@code pr_auc}: as {@code average_precision_score}, the step-wise sum
     * {@code sum (R_n - R_(n-1)) P_n} over distinct thresholds, not a trapezoid (which is optimistic).</li>
     * <li>{@code log_loss}: p clipped to [eps, 1 - eps], eps = {@link #LOG_LOSS_EPS}.</li>
     * <li>{@code brier}: mean squared difference between p and y.</li>
     * <li>{@code accuracy, precision, recall, f1}: positive class 1; a zero denominator gives 0
     * ({@code zero_division=0}).</li>
     * </ul>
     * When y holds only one class, roc_auc and pr_auc are undefined and reported as NaN (scikit-learn
     * raises or warns there).
     */
    public static Map<String, Double> binary(int[] y, double[] p, double threshold) {
        checkLengths(y.length, p.length);
        int n = y.length;
        long tp = 0;
        long fp = 0;
        long fn = 0;
        long positives = 0;
        double logLoss = 0.0;
        double brier = 0.0;
        for (int i = 0; i < n; i++) {
            int label = y[i];
            if (label != 0 && label != 1) {
                throw new IllegalArgumentException("binary label must be 0 or 1, row " + i + " has " + label);
            }
            double pi = p[i];
            if (!(pi >= 0.0 && pi <= 1.0)) {
                throw new IllegalArgumentException("probability must lie in [0, 1], row " + i + " has " + pi);
            }
            positives += label;
            boolean predicted = pi >= threshold;
            if (predicted && label == 1) {
                tp++;
            } else if (predicted) {
                fp++;
            } else if (label == 1) {
                fn++;
            }
            double clipped = clip(pi);
            logLoss -= label == 1 ? Math.log(clipped) : Math.log(1.0 - clipped);
            brier += (pi - label) * (pi - label);
        }
        long correct = n - fp - fn;
        double precision = ratio(tp, tp + fp);
        double recall = ratio(tp, tp + fn);
        double[] curves = rankingAreas(y, p, positives);

        Map<String, Double> m = new LinkedHashMap<>();
        m.put("roc_auc", curves[0]);
        m.put("pr_auc", curves[1]);
        m.put("log_loss", logLoss / n);
        m.put("brier", brier / n);
        m.put("accuracy", (double) correct / n);
        m.put("precision", precision);
        m.put("recall", recall);
        m.put("f1", ratio(2 * tp, 2 * tp + fp + fn));
        return m;
    }

    /**
     * Multiclass metrics from per-class probabilities. The prediction is the arg-max (ties go to the
     * lowest class index). Macro F1 averages the per-class F1 over the classes present in y or in the
     * predictions (scikit-learn's default labels, the union), weighted F1 weights each class by its
     * support in y. log_loss clips each probability to [eps, 1 - eps] and renormalises the row, as
     * scikit-learn does.
     */
    public static Map<String, Double> multiclass(int[] y, double[][] proba, int numClasses) {
        checkLengths(y.length, proba.length);
        int n = y.length;
        int[] predicted = new int[n];
        double logLoss = 0.0;
        for (int i = 0; i < n; i++) {
            double[] row = proba[i];
            if (row.length != numClasses) {
                throw new IllegalArgumentException("row " + i + " has " + row.length + " probabilities, expected "
                        + numClasses);
            }
            checkClass(y[i], numClasses, i);
            int best = 0;
            double sum = 0.0;
            for (int c = 0; c < numClasses; c++) {
                if (row[c] > row[best]) {
                    best = c;
                }
                sum += clip(row[c]);
            }
            predicted[i] = best;
            logLoss -= Math.log(clip(row[y[i]]) / sum);
        }
        long[][] cm = confusion(y, predicted, numClasses);
        long correct = 0;
        double macro = 0.0;
        double weighted = 0.0;
        int present = 0;
        for (int c = 0; c < numClasses; c++) {
            long support = 0;
            long predictedCount = 0;
            for (int o = 0; o < numClasses; o++) {
                support += cm[c][o];
                predictedCount += cm[o][c];
            }
            long tp = cm[c][c];
            correct += tp;
            if (support == 0 && predictedCount == 0) {
                continue; // not in the union of labels
            }
            present++;
            double f1 = ratio(2 * tp, support + predictedCount);
            macro += f1;
            weighted += support * f1;
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", (double) correct / n);
        m.put("f1_macro", macro / present);
        m.put("f1_weighted", weighted / n);
        m.put("log_loss", logLoss / n);
        return m;
    }

    /**
     * Regression metrics. r2 follows {@code r2_score}: {@code 1 - SS_res / SS_tot}; when y is constant
     * (SS_tot = 0) it is 1.0 for a perfect prediction and 0.0 otherwise. Constancy is tested exactly
     * (all values equal), not through a rounded SS_tot.
     */
    public static Map<String, Double> regression(double[] y, double[] pred) {
        checkLengths(y.length, pred.length);
        int n = y.length;
        double mean = 0.0;
        for (double v : y) {
            mean += v;
        }
        mean /= n;
        double squares = 0.0;
        double absolute = 0.0;
        double total = 0.0;
        boolean constant = true;
        for (int i = 0; i < n; i++) {
            double e = y[i] - pred[i];
            squares += e * e;
            absolute += Math.abs(e);
            total += (y[i] - mean) * (y[i] - mean);
            constant &= y[i] == y[0];
        }
        double r2 = constant ? (squares == 0.0 ? 1.0 : 0.0) : 1.0 - squares / total;
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("rmse", Math.sqrt(squares / n));
        m.put("mae", absolute / n);
        m.put("r2", r2);
        return m;
    }

    /** Confusion matrix: rows are true classes, columns predicted classes. */
    public static long[][] confusion(int[] y, int[] pred, int numClasses) {
        if (y.length != pred.length) {
            throw new IllegalArgumentException("y has " + y.length + " rows, predictions " + pred.length);
        }
        long[][] cm = new long[numClasses][numClasses];
        for (int i = 0; i < y.length; i++) {
            checkClass(y[i], numClasses, i);
            checkClass(pred[i], numClasses, i);
            cm[y[i]][pred[i]]++;
        }
        return cm;
    }

    /**
     * ROC AUC and average precision from one sweep over the distinct scores, highest first. Returns NaN
     * for both when only one class is present.
     */
    private static double[] rankingAreas(int[] y, double[] p, long positives) {
        long negatives = y.length - positives;
        if (positives == 0 || negatives == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double[] pos = new double[(int) positives];
        double[] neg = new double[(int) negatives];
        int a = 0;
        int b = 0;
        for (int i = 0; i < y.length; i++) {
            if (y[i] == 1) {
                pos[a++] = p[i];
            } else {
                neg[b++] = p[i];
            }
        }
        Arrays.sort(pos);
        Arrays.sort(neg);
        int i = pos.length - 1;
        int j = neg.length - 1;
        long tp = 0;
        long fp = 0;
        double rocArea = 0.0; // in units of (positives * negatives)
        double ap = 0.0;
        while (i >= 0 || j >= 0) {
            double v = Math.max(i >= 0 ? pos[i] : Double.NEGATIVE_INFINITY, j >= 0 ? neg[j] : Double.NEGATIVE_INFINITY);
            long dtp = 0;
            long dfp = 0;
            while (i >= 0 && pos[i] == v) {
                dtp++;
                i--;
            }
            while (j >= 0 && neg[j] == v) {
                dfp++;
                j--;
            }
            rocArea += dfp * (tp + 0.5 * dtp);
            tp += dtp;
            fp += dfp;
            ap += (double) dtp / positives * tp / (tp + fp);
        }
        return new double[] {rocArea / ((double) positives * negatives), ap};
    }

    private static double clip(double p) {
        return Math.max(LOG_LOSS_EPS, Math.min(1.0 - LOG_LOSS_EPS, p));
    }

    private static double ratio(long numerator, long denominator) {
        return denominator == 0 ? 0.0 : (double) numerator / denominator;
    }

    private static void checkLengths(int labels, int predictions) {
        if (labels != predictions) {
            throw new IllegalArgumentException("y has " + labels + " rows, predictions " + predictions);
        }
        if (labels == 0) {
            throw new IllegalArgumentException("metrics need at least one row");
        }
    }

    private static void checkClass(int c, int numClasses, int row) {
        if (c < 0 || c >= numClasses) {
            throw new IllegalArgumentException("class index " + c + " at row " + row + " is outside 0.."
                    + (numClasses - 1));
        }
    }
}
