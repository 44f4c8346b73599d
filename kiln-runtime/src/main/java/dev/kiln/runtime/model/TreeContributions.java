package dev.kiln.runtime.model;

import java.util.List;

/**
 * A tree ensemble's contributions ({@link Estimator#contributions}) with what every row shares worked out once:
 * each tree's expected value at every node, and the deepest tree's depth. Thread-safe; {@code KilnModel} keeps one
 * per loaded model.
 */
public final class TreeContributions implements Contributions {
    private final TreeEnsembleEstimator estimator;
    private final double[][] expected;
    private final int depth;
    private final ThreadLocal<TreeShap> shaps = ThreadLocal.withInitial(TreeShap::new);

    private TreeContributions(TreeEnsembleEstimator estimator) {
        if (!estimator.explainable()) {
            throw new IllegalStateException("the tree ensemble has trees without node covers");
        }
        this.estimator = estimator;
        List<Tree> trees = estimator.trees();
        this.expected = new double[trees.size()][];
        int deepest = 0;
        for (int t = 0; t < trees.size(); t++) {
            expected[t] = TreeShap.expectedValues(trees.get(t));
            deepest = Math.max(deepest, TreeShap.depth(trees.get(t)));
        }
        this.depth = deepest;
    }

    /** @throws IllegalStateException when a tree has no covers (a bundle written before format 1.2) */
    public static TreeContributions of(TreeEnsembleEstimator estimator) {
        return new TreeContributions(estimator);
    }

    /** As {@link TreeEnsembleEstimator#contributions}. */
    @Override
    public void compute(double[] x, double[][] phi) {
        for (double[] row : phi) {
            java.util.Arrays.fill(row, 0.0);
        }
        TreeShap shap = shaps.get();
        List<Tree> trees = estimator.trees();
        for (int t = 0; t < trees.size(); t++) {
            shap.add(trees.get(t), expected[t], depth, x, phi, estimator.scale());
        }
        double[] base = estimator.base();
        int width = estimator.inputWidth();
        for (int k = 0; k < base.length; k++) {
            phi[k][width] += base[k];
        }
    }
}
