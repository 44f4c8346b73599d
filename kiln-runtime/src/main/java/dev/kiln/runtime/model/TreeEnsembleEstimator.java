package dev.kiln.runtime.model;

import java.util.List;

/**
 * A sum of trees: {@code link(base + scale * sum(tree leaves))}. Gradient boosting uses scale 1 and its
 * base margin; an averaging forest or a single CART tree that stores probabilities uses scale 1/trees
 * and the identity link.
 *
 * <p>With {@code singlePrecision} the margin is accumulated as XGBoost does it: start from the base
 * margin as a float and add each tree's leaf in float arithmetic, in tree order. Kiln then reproduces
 * XGBoost's margins bit for bit instead of to within float rounding (which for long regression
 * ensembles exceeds 1e-6). Requires scale 1.
 */
public record TreeEnsembleEstimator(int inputWidth, double[] base, double scale, Link link, List<Tree> trees,
                                    boolean singlePrecision)
        implements Estimator {
    public TreeEnsembleEstimator {
        trees = List.copyOf(trees);
    }

    public TreeEnsembleEstimator(int inputWidth, double[] base, double scale, Link link, List<Tree> trees) {
        this(inputWidth, base, scale, link, trees, false);
    }

    @Override
    public int outputs() {
        return base.length;
    }

    @Override
    public void predict(double[] x, double[] out) {
        if (singlePrecision) {
            predictSinglePrecision(x, out);
            return;
        }
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

    private void predictSinglePrecision(double[] x, double[] out) {
        for (int j = 0; j < base.length; j++) {
            out[j] = (float) base[j];
        }
        for (Tree tree : trees) {
            int leaf = tree.leafIndex(x);
            int w = tree.leafWidth();
            double[] values = tree.leafValues();
            int o = tree.output();
            for (int j = 0; j < w; j++) {
                out[o + j] = (float) (out[o + j] + (float) values[leaf * w + j]);
            }
        }
        link.apply(out);
    }

    @Override
    public void validate(int featureWidth) {
        if (singlePrecision && scale != 1.0) {
            throw new IllegalStateException("single-precision accumulation needs scale 1, found " + scale);
        }
        if (inputWidth != featureWidth) {
            throw new IllegalStateException("tree ensemble expects " + inputWidth + " features, the pipeline makes " + featureWidth);
        }
        for (Tree t : trees) {
            t.validate(featureWidth, base.length);
        }
    }
}
