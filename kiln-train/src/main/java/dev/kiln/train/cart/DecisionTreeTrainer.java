package dev.kiln.train.cart;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.model.Link;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import dev.kiln.train.Hyperparameters;
import dev.kiln.train.TrainedModel;
import dev.kiln.train.Trainer;
import dev.kiln.train.TrainingData;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A single CART tree: Gini impurity for classification, variance (squared error) for regression, exact
 * greedy splits. The result is a {@link TreeEnsembleEstimator} with one tree, identity link, zero base and
 * scale 1, whose leaves hold the prediction itself: P(class 1) for binary, the class distribution for
 * multiclass, the mean target for regression.
 *
 * @param maxDepth            the root is depth 0; nodes at this depth are leaves
 * @param minSamplesLeaf      a split must leave at least this many rows on each side
 * @param minImpurityDecrease a split must decrease the impurity, weighted by the node's share of rows
 *                            ({@code n_t / N * (I - n_L/n_t I_L - n_R/n_t I_R)}, scikit-learn's
 *                            definition), by at least this much
 */
public record DecisionTreeTrainer(int maxDepth, int minSamplesLeaf, double minImpurityDecrease) implements Trainer {
    public DecisionTreeTrainer {
        if (maxDepth < 0) {
            throw Hyperparameters.invalid("tree", "max_depth", "an integer >= 0", maxDepth);
        }
        if (minSamplesLeaf < 1) {
            throw Hyperparameters.invalid("tree", "min_samples_leaf", "an integer >= 1", minSamplesLeaf);
        }
        if (!(minImpurityDecrease >= 0.0)) {
            throw Hyperparameters.invalid("tree", "min_impurity_decrease", "a number >= 0", minImpurityDecrease);
        }
    }

    public DecisionTreeTrainer() {
        this(8, 5, 0.0);
    }

    @Override
    public String name() {
        return "tree";
    }

    @Override
    public boolean needsScaling() {
        return false;
    }

    @Override
    public TrainedModel fit(TrainingData data, long seed) {
        TreeBuilder.Grown grown = grow(data);
        int outputs = data.outputs();
        TreeEnsembleEstimator estimator = new TreeEnsembleEstimator(data.width(), new double[outputs], 1.0,
                Link.IDENTITY, List.of(grown.tree()));
        Map<String, Object> hyperparameters = new LinkedHashMap<>();
        hyperparameters.put("max_depth", maxDepth);
        hyperparameters.put("min_samples_leaf", minSamplesLeaf);
        hyperparameters.put("min_impurity_decrease", minImpurityDecrease);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("seed", seed); // all features, exact splits: the tree does not depend on it
        info.put("nodes", grown.tree().nodeCount());
        info.put("leaves", countLeaves(grown.tree().left()));
        info.put("depth", grown.depth());
        return new TrainedModel(estimator, hyperparameters, info);
    }

    /** Grows the tree and reports each training row's leaf (package-private for tests). */
    TreeBuilder.Grown grow(TrainingData data) {
        data.requireNoCategorical(name());
        double[][] x = data.x();
        int n = x.length;
        if (n == 0 || n != data.y().length) {
            throw new IllegalArgumentException("training needs rows, and as many targets as rows; got " + n
                    + " rows and " + data.y().length + " targets");
        }
        int width = data.width();
        double[][] columns = new double[width][n];
        for (int i = 0; i < n; i++) {
            if (x[i].length != width) {
                throw new IllegalArgumentException("row " + i + " has " + x[i].length + " features, expected " + width);
            }
            for (int f = 0; f < width; f++) {
                double v = x[i][f];
                if (Double.isNaN(v)) {
                    throw new IllegalArgumentException("row " + i + " feature " + f + " is missing (NaN)");
                }
                columns[f][i] = v;
            }
        }
        if (data.task() == Task.REGRESSION) {
            return new TreeBuilder(columns, null, data.y(), 0, false, maxDepth, minSamplesLeaf,
                    minImpurityDecrease).grow();
        }
        int classes = data.task() == Task.BINARY ? 2 : data.numClasses();
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            double v = data.y()[i];
            labels[i] = (int) v;
            if (labels[i] != v || labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("row " + i + " has class " + v + ", expected 0.." + (classes - 1));
            }
        }
        return new TreeBuilder(columns, labels, null, classes, data.task() == Task.BINARY, maxDepth,
                minSamplesLeaf, minImpurityDecrease).grow();
    }

    private static int countLeaves(int[] left) {
        int leaves = 0;
        for (int l : left) {
            leaves += l < 0 ? 1 : 0;
        }
        return leaves;
    }
}
