package dev.kiln.train.linear;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.model.LinearEstimator;
import dev.kiln.runtime.model.Link;
import dev.kiln.train.Hyperparameters;
import dev.kiln.train.TrainedModel;
import dev.kiln.train.Trainer;
import dev.kiln.train.TrainingData;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Linear models written for Kiln, without libraries: L2-regularised logistic regression (binary, and
 * multinomial/softmax for multiclass), fitted by L-BFGS to match scikit-learn's
 * {@code LogisticRegression(C)} objective, and ridge regression solved exactly by the normal equations. Row
 * weights ({@link TrainingData#weights}) weigh each row's loss, as scikit-learn's {@code sample_weight}.
 *
 * @param c              inverse regularisation strength of the logistic models, as scikit-learn's C
 *                       (objective {@code C * sum loss + 0.5 ||w||^2})
 * @param maxIterations  L-BFGS iteration limit
 * @param tolerance      L-BFGS stops when the largest gradient entry falls below this fraction of the
 *                       initial one
 * @param ridgeAlpha     ridge strength for regression, relative to the mean diagonal of the centred
 *                       gram matrix (a tiny value: near least squares, but always solvable)
 */
public record LinearTrainer(double c, int maxIterations, double tolerance, double ridgeAlpha) implements Trainer {
    public LinearTrainer {
        if (!(c > 0.0) || Double.isInfinite(c)) {
            throw Hyperparameters.invalid("linear", "C", "a finite number > 0", c);
        }
        if (maxIterations < 1) {
            throw Hyperparameters.invalid("linear", "max_iter", "an integer >= 1", maxIterations);
        }
        if (!(tolerance > 0.0)) {
            throw Hyperparameters.invalid("linear", "tol", "a number > 0", tolerance);
        }
        if (!(ridgeAlpha > 0.0) || Double.isInfinite(ridgeAlpha)) {
            throw Hyperparameters.invalid("linear", "ridge_alpha", "a finite number > 0", ridgeAlpha);
        }
    }

    /** scikit-learn's defaults for C; a tight tolerance so coefficients are accurate, not just usable. */
    public LinearTrainer() {
        this(1.0, 500, 1e-8, 1e-6);
    }

    @Override
    public String name() {
        return "linear";
    }

    @Override
    public boolean needsScaling() {
        return true;
    }

    @Override
    public TrainedModel fit(TrainingData data, long seed) {
        data.requireNoCategorical(name());
        int width = data.width();
        if (data.x().length == 0 || data.x().length != data.y().length) {
            throw new IllegalArgumentException("training needs rows, and as many targets as rows; got "
                    + data.x().length + " rows and " + data.y().length + " targets");
        }
        Map<String, Object> hyperparameters = new LinkedHashMap<>();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("seed", seed); // the fit is deterministic; recorded for the lineage only
        if (data.weights() != null) {
            hyperparameters.put("row_weights", true);
        }
        LinearEstimator estimator;
        if (data.task() == Task.REGRESSION) {
            hyperparameters.put("ridge_alpha", ridgeAlpha);
            Ridge.Solution s = Ridge.fit(data.x(), data.y(), data.weights(), width, ridgeAlpha);
            info.put("ridge_alpha_used", s.alpha());
            estimator = new LinearEstimator(new double[][] {s.weights()}, new double[] {s.intercept()},
                    Link.IDENTITY, featureMeans(data.x(), width));
        } else {
            hyperparameters.put("C", c);
            hyperparameters.put("max_iter", maxIterations);
            hyperparameters.put("tol", tolerance);
            int outputs = data.outputs();
            int[] labels = labels(data);
            LogisticObjective objective = new LogisticObjective(data.x(), labels, outputs, width, c, data.weights());
            Lbfgs.Result r = new Lbfgs(maxIterations, tolerance).minimize(objective,
                    new double[objective.dimension()]);
            info.put("iterations", r.iterations());
            info.put("converged", r.converged());
            info.put("objective", r.value());
            estimator = toEstimator(objective, r.x(), outputs, featureMeans(data.x(), width));
        }
        return new TrainedModel(estimator, hyperparameters, info);
    }

    private static int[] labels(TrainingData data) {
        double[] y = data.y();
        int classes = data.task() == Task.BINARY ? 2 : data.numClasses();
        int[] labels = new int[y.length];
        for (int i = 0; i < y.length; i++) {
            int label = (int) y[i];
            if (label != y[i] || label < 0 || label >= classes) {
                throw new IllegalArgumentException("row " + i + " has class " + y[i] + ", expected 0.."
                        + (classes - 1));
            }
            labels[i] = label;
        }
        return labels;
    }

    /** The training rows' mean of each feature: the reference explanations measure a row against. */
    static double[] featureMeans(double[][] x, int width) {
        double[] sum = new double[width];
        for (double[] row : x) {
            for (int j = 0; j < width; j++) {
                sum[j] += row[j];
            }
        }
        for (int j = 0; j < width; j++) {
            sum[j] /= x.length;
        }
        return sum;
    }

    private static LinearEstimator toEstimator(LogisticObjective objective, double[] theta, int outputs,
                                               double[] means) {
        double[][] weights = new double[outputs][];
        double[] intercepts = new double[outputs];
        for (int o = 0; o < outputs; o++) {
            weights[o] = objective.weights(theta, o);
            intercepts[o] = objective.intercept(theta, o);
        }
        if (outputs > 1) {
            // Softmax ignores a common shift; centring the unpenalised intercepts makes them unique.
            double mean = 0.0;
            for (double b : intercepts) {
                mean += b;
            }
            mean /= outputs;
            for (int o = 0; o < outputs; o++) {
                intercepts[o] -= mean;
            }
        }
        return new LinearEstimator(weights, intercepts, outputs > 1 ? Link.SOFTMAX : Link.LOGISTIC, means);
    }
}
