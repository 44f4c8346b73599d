package dev.kiln.train.constraints;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.model.LinearEstimator;
import dev.kiln.train.TrainedModel;
import dev.kiln.train.Trainer;
import dev.kiln.train.TrainingData;
import dev.kiln.train.linear.LinearTrainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A linear model whose weights agree with the monotone directions: fits {@code base}; every constrained feature
 * whose weight has the wrong sign is pinned to zero and the model refitted without it, until every sign agrees (an
 * active-set method for sign-constrained least squares / logistic regression, as Lawson and Hanson's NNLS, pinning
 * all violators at once). Each refit pins at least one more feature, so it ends after at most as many refits as
 * there are constrained features. A pinned feature is removed by zeroing its column: its weight then stays exactly
 * zero under both of {@link LinearTrainer}'s solvers (its gradient and its row of the normal equations are zero).
 * Unconstrained features and the default linear trainer are unaffected.
 *
 * @param signs one direction per feature ({@link Monotone#featureSigns}): +1 weight >= 0, -1 weight <= 0, 0 free
 */
public record MonotoneLinearTrainer(LinearTrainer base, int[] signs) implements Trainer {
    public MonotoneLinearTrainer {
        signs = signs.clone();
    }

    @Override
    public int[] signs() {
        return signs.clone();
    }

    @Override
    public String name() {
        return base.name();
    }

    @Override
    public boolean needsScaling() {
        return base.needsScaling();
    }

    @Override
    public TrainedModel fit(TrainingData data, long seed) {
        if (signs.length != data.width()) {
            throw new IllegalArgumentException("monotone directions for " + signs.length + " features, data has "
                    + data.width());
        }
        boolean constrained = Arrays.stream(signs).anyMatch(s -> s != 0);
        if (constrained && data.task() == Task.MULTICLASS) {
            throw new IllegalArgumentException("monotone constraints need a binary or regression target");
        }
        boolean[] pinned = new boolean[signs.length];
        int refits = 0;
        while (true) {
            TrainedModel model = base.fit(pinned(data, pinned), seed);
            LinearEstimator e = (LinearEstimator) model.estimator();
            boolean violated = false;
            for (int j = 0; j < signs.length; j++) {
                if (!pinned[j] && signs[j] * e.weights()[0][j] < 0) {
                    pinned[j] = true;
                    violated = true;
                }
            }
            if (!violated) {
                return finished(model, e, data, pinned, refits);
            }
            refits++;
        }
    }

    private TrainedModel finished(TrainedModel model, LinearEstimator e, TrainingData data, boolean[] pinned, int refits) {
        double[][] weights = new double[e.weights().length][];
        for (int o = 0; o < weights.length; o++) {
            weights[o] = e.weights()[o].clone();
            for (int j = 0; j < pinned.length; j++) {
                if (pinned[j]) {
                    weights[o][j] = 0.0;
                }
            }
        }
        // Explanations measure a row against the training means: the real ones, not the zeroed columns'.
        LinearEstimator estimator = new LinearEstimator(weights, e.intercepts(), e.link(), means(data.x(), signs.length));
        Map<String, Object> hyperparameters = new LinkedHashMap<>(model.hyperparameters());
        hyperparameters.put("monotone_constraints", Monotone.xgboostConstraints(signs));
        Map<String, Object> info = new LinkedHashMap<>(model.trainingInfo());
        List<String> names = new ArrayList<>();
        for (int j = 0; j < pinned.length; j++) {
            if (pinned[j]) {
                names.add(data.featureNames().get(j));
            }
        }
        info.put("monotone_pinned_to_zero", names);
        info.put("monotone_refits", refits);
        return new TrainedModel(estimator, hyperparameters, info);
    }

    private static TrainingData pinned(TrainingData data, boolean[] pinned) {
        boolean any = false;
        for (boolean p : pinned) {
            any |= p;
        }
        if (!any) {
            return data;
        }
        return new TrainingData(data.task(), data.numClasses(), data.featureNames(), zeroed(data.x(), pinned),
                data.y(), data.validX() == null ? null : zeroed(data.validX(), pinned), data.validY());
    }

    private static double[][] zeroed(double[][] x, boolean[] pinned) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i].clone();
            for (int j = 0; j < pinned.length; j++) {
                if (pinned[j]) {
                    out[i][j] = 0.0;
                }
            }
        }
        return out;
    }

    private static double[] means(double[][] x, int width) {
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

    @Override
    public boolean equals(Object o) {
        return o instanceof MonotoneLinearTrainer other && base.equals(other.base) && Arrays.equals(signs, other.signs);
    }

    @Override
    public int hashCode() {
        return 31 * base.hashCode() + Arrays.hashCode(signs);
    }

    @Override
    public String toString() {
        return "MonotoneLinearTrainer[base=" + base + ", signs=" + Arrays.toString(signs) + "]";
    }
}
