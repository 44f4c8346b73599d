package dev.kiln.runtime.model;

import java.util.List;

/**
 * A sum of trees: {@code link(base + scale * sum(tree leaves))}. Gradient boosting uses scale 1 and its
 * base margin; an averaging forest or a single CART tree that stores probabilities uses scale 1/trees
 * and the identity link.
 */
public record TreeEnsembleEstimator(int inputWidth, double[] base, double scale, Link link, List<Tree> trees)
        implements Estimator {
    public TreeEnsembleEstimator {
        trees = List.copyOf(trees);
    }

    @Override
    public int outputs() {
        return base.length;
    }

    @Override
    public void predict(double[] x, double[] out) {
        int k = base.length;
        for (int j = 0; j < k; j++) {
            out[j] = 0.0;
        }
        for (Tree tree : trees) {
            int leaf = tree.leafIndex(x);
            int w = tree.leafWidth();
            double[] values = tree.leafValues();
            int o = tree.output();
            for (int j = 0; j < w; j++) {
                out[o + j] += values[leaf * w + j];
            }
        }
        for (int j = 0; j < k; j++) {
            out[j] = base[j] + scale * out[j];
        }
        link.apply(out);
    }

    @Override
    public void validate(int featureWidth) {
        if (inputWidth != featureWidth) {
            throw new IllegalStateException("tree ensemble expects " + inputWidth + " features, the pipeline makes " + featureWidth);
        }
        for (Tree t : trees) {
            t.validate(featureWidth, base.length);
        }
    }
}
