package dev.kiln.runtime.model;

/**
 * {@code link(W x + b)}; {@code weights[k]} is the weight row of output k. {@code featureMeans} (bundle format
 * 1.2; null in older bundles) are the training rows' mean feature values, the reference that explanations
 * measure a row against.
 */
public record LinearEstimator(double[][] weights, double[] intercepts, Link link, double[] featureMeans)
        implements Estimator {

    /** A linear model without feature means: it scores, but cannot be explained. */
    public LinearEstimator(double[][] weights, double[] intercepts, Link link) {
        this(weights, intercepts, link, null);
    }
    @Override
    public int outputs() {
        return intercepts.length;
    }

    @Override
    public int inputWidth() {
        return weights.length == 0 ? 0 : weights[0].length;
    }

    @Override
    public void margins(double[] x, double[] out) {
        for (int k = 0; k < intercepts.length; k++) {
            double[] w = weights[k];
            double s = intercepts[k];
            for (int j = 0; j < w.length; j++) {
                s += w[j] * x[j];
            }
            out[k] = s;
        }
    }

    @Override
    public boolean explainable() {
        return featureMeans != null;
    }

    /** {@code w_kf (x_f - mean_f)}, base {@code b_k + w_k . mean}: exact Shapley values for independent features. */
    @Override
    public void contributions(double[] x, double[][] phi) {
        if (featureMeans == null) {
            throw new IllegalStateException("the linear model has no training feature means");
        }
        for (int k = 0; k < intercepts.length; k++) {
            double[] w = weights[k];
            double base = intercepts[k];
            for (int j = 0; j < w.length; j++) {
                phi[k][j] = w[j] * (x[j] - featureMeans[j]);
                base += w[j] * featureMeans[j];
            }
            phi[k][w.length] = base;
        }
    }

    @Override
    public void validate(int featureWidth) {
        if (featureMeans != null) {
            if (featureMeans.length != featureWidth) {
                throw new IllegalStateException("linear estimator has " + featureMeans.length
                        + " feature means, the pipeline makes " + featureWidth + " features");
            }
            for (double m : featureMeans) {
                if (!Double.isFinite(m)) {
                    throw new IllegalStateException("linear estimator has a feature mean of " + m);
                }
            }
        }
        if (weights == null || intercepts == null || link == null || java.util.Arrays.asList(weights).contains(null)) {
            throw new IllegalStateException("linear estimator needs weights, intercepts and a link");
        }
        if (weights.length != intercepts.length) {
            throw new IllegalStateException("linear estimator has " + weights.length + " weight rows but "
                    + intercepts.length + " intercepts");
        }
        for (double[] row : weights) {
            if (row.length != featureWidth) {
                throw new IllegalStateException("linear estimator weight row has " + row.length
                        + " entries, the pipeline makes " + featureWidth + " features");
            }
        }
    }
}
