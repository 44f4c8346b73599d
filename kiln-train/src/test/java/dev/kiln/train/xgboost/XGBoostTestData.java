package dev.kiln.train.xgboost;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.model.Tree;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import dev.kiln.train.TrainingData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoostError;

/** Synthetic data sets and the Kiln-vs-XGBoost comparison used by the XGBoost tests. */
final class XGBoostTestData {
    private XGBoostTestData() {
    }

    /** Train / validation / held-out test rows of one generated problem. */
    record Problem(TrainingData data, double[][] testX, double[] testY) {
    }

    /**
     * Rows of {@code p >= 6} features: continuous normals, one feature rounded to a few levels (so that
     * many values sit exactly on split thresholds) and, when {@code nanRate > 0}, missing values whose
     * presence carries signal (so XGBoost learns default directions both ways).
     */
    static Problem problem(Task task, int classes, int n, int p, double nanRate, double noise, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[][] x = new double[n][p];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < p; j++) {
                x[i][j] = rnd.nextGaussian();
            }
            x[i][5] = Math.rint(x[i][5] * 2.0) / 2.0; // levels ..., -0.5, 0, 0.5, ...
            double s = x[i][0] + 0.5 * x[i][1] * x[i][1] - x[i][2] * x[i][3] + 0.8 * x[i][5];
            for (int j = 0; j < p; j++) {
                if (nanRate > 0 && rnd.nextDouble() < nanRate) {
                    x[i][j] = Double.NaN;
                    if (j == 4) {
                        s += 1.0;
                    } else if (j == 0) {
                        s -= 1.0;
                    }
                }
            }
            s += noise * rnd.nextGaussian();
            y[i] = switch (task) {
                case BINARY -> rnd.nextDouble() < 1.0 / (1.0 + Math.exp(-2.0 * s)) ? 1.0 : 0.0;
                case MULTICLASS -> Math.max(0.0, Math.min(classes - 1.0, Math.floor(s + classes / 2.0)));
                case REGRESSION -> s;
            };
        }
        int nTrain = n * 6 / 10;
        int nValid = n * 2 / 10;
        List<String> names = new ArrayList<>();
        for (int j = 0; j < p; j++) {
            names.add("f" + j);
        }
        TrainingData data = new TrainingData(task, task == Task.REGRESSION ? 0 : classes, names,
                Arrays.copyOfRange(x, 0, nTrain), Arrays.copyOfRange(y, 0, nTrain),
                Arrays.copyOfRange(x, nTrain, nTrain + nValid), Arrays.copyOfRange(y, nTrain, nTrain + nValid));
        return new Problem(data, Arrays.copyOfRange(x, nTrain + nValid, n), Arrays.copyOfRange(y, nTrain + nValid, n));
    }

    /** Labels replaced by pure noise: nothing to learn, so early stopping must kick in. */
    static Problem noise(Task task, int classes, int n, int p, long seed) {
        Problem base = problem(task, classes, n, p, 0.0, 0.0, seed);
        SplittableRandom rnd = new SplittableRandom(seed + 1);
        TrainingData d = base.data();
        return new Problem(new TrainingData(d.task(), d.numClasses(), d.featureNames(), d.x(), relabel(d.y(), task, classes, rnd),
                d.validX(), relabel(d.validY(), task, classes, rnd)), base.testX(), base.testY());
    }

    private static double[] relabel(double[] y, Task task, int classes, SplittableRandom rnd) {
        double[] out = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = switch (task) {
                case BINARY -> rnd.nextInt(2);
                case MULTICLASS -> rnd.nextInt(classes);
                case REGRESSION -> rnd.nextGaussian();
            };
        }
        return out;
    }

    /** XGBoost's own predictions (probabilities or values), one row per input row. */
    static float[][] xgboostPredict(Booster booster, double[][] x) throws XGBoostError {
        DMatrix m = XGBoostData.matrix(x, null);
        try {
            return booster.predict(m);
        } finally {
            m.dispose();
        }
    }

    /** Largest absolute difference between Kiln's and XGBoost's outputs over all rows and outputs. */
    static double maxAbsDiff(TreeEnsembleEstimator estimator, Booster booster, double[][] x) throws XGBoostError {
        float[][] expected = xgboostPredict(booster, x);
        double[] out = new double[estimator.outputs()];
        double max = 0.0;
        for (int i = 0; i < x.length; i++) {
            if (expected[i].length != out.length) {
                throw new AssertionError("XGBoost gives " + expected[i].length + " outputs, Kiln " + out.length);
            }
            estimator.predict(x[i], out);
            for (int j = 0; j < out.length; j++) {
                double d = Math.abs(out[j] - expected[i][j]);
                if (!(d <= max)) {
                    max = d; // NaN propagates
                }
            }
        }
        return max;
    }

    /**
     * Checks that Kiln routes every row to the same leaves as XGBoost: XGBoost's CPU predictor starts from
     * the base margin and adds the trees' leaf values one by one in single precision, so repeating that
     * arithmetic on the leaves Kiln selects must give XGBoost's margins bit for bit. Returns the number
     * of margins that differ.
     */
    static int marginMismatches(TreeEnsembleEstimator estimator, Booster booster, double[][] x) throws XGBoostError {
        DMatrix m = XGBoostData.matrix(x, null);
        float[][] margins;
        try {
            margins = booster.predict(m, true, 0);
        } finally {
            m.dispose();
        }
        int k = estimator.outputs();
        int mismatches = 0;
        for (int i = 0; i < x.length; i++) {
            float[] acc = new float[k];
            for (int j = 0; j < k; j++) {
                acc[j] = (float) estimator.base()[j];
            }
            for (Tree t : estimator.trees()) {
                acc[t.output()] += (float) t.leafValues()[t.leafIndex(x[i])];
            }
            for (int j = 0; j < k; j++) {
                if (Float.floatToIntBits(acc[j]) != Float.floatToIntBits(margins[i][j])) {
                    mismatches++;
                }
            }
        }
        return mismatches;
    }

    /** Largest |Kiln - XGBoost| / max(1, |XGBoost|): XGBoost sums leaves in float, Kiln in double. */
    static double maxRelDiff(TreeEnsembleEstimator estimator, Booster booster, double[][] x) throws XGBoostError {
        float[][] expected = xgboostPredict(booster, x);
        double[] out = new double[estimator.outputs()];
        double max = 0.0;
        for (int i = 0; i < x.length; i++) {
            estimator.predict(x[i], out);
            for (int j = 0; j < out.length; j++) {
                double d = Math.abs(out[j] - expected[i][j]) / Math.max(1.0, Math.abs(expected[i][j]));
                if (!(d <= max)) {
                    max = d;
                }
            }
        }
        return max;
    }

    /** True when two estimators have bit-identical bases, links and tree arrays. */
    static boolean identical(TreeEnsembleEstimator a, TreeEnsembleEstimator b) {
        if (a.inputWidth() != b.inputWidth() || !Arrays.equals(a.base(), b.base()) || a.scale() != b.scale()
                || a.link() != b.link() || a.trees().size() != b.trees().size()) {
            return false;
        }
        for (int t = 0; t < a.trees().size(); t++) {
            Tree x = a.trees().get(t);
            Tree y = b.trees().get(t);
            if (x.output() != y.output() || x.leafWidth() != y.leafWidth() || !Arrays.equals(x.feature(), y.feature())
                    || !Arrays.equals(x.threshold(), y.threshold()) || !Arrays.equals(x.left(), y.left())
                    || !Arrays.equals(x.right(), y.right()) || !Arrays.equals(x.defaultLeft(), y.defaultLeft())
                    || !Arrays.equals(x.leafValues(), y.leafValues())) {
                return false;
            }
        }
        return true;
    }

    /** How many internal nodes send missing values left / right, over all trees. */
    static int[] defaultDirections(TreeEnsembleEstimator e) {
        int[] counts = new int[2];
        for (Tree t : e.trees()) {
            for (int i = 0; i < t.nodeCount(); i++) {
                if (t.left()[i] >= 0) {
                    counts[t.defaultLeft()[i] ? 0 : 1]++;
                }
            }
        }
        return counts;
    }
}
