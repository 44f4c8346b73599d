package dev.kiln.runtime.model;

/** {@code link(W x + b)}; {@code weights[k]} is the weight row of output k. */
public record LinearEstimator(double[][] weights, double[] intercepts, Link link) implements Estimator {
    @Override
    public int outputs() {
        return intercepts.length;
    }

    @Override
    public int inputWidth() {
        return weights.length == 0 ? 0 : weights[0].length;
    }

    @Override
    public void predict(double[] x, double[] out) {
        for (int k = 0; k < intercepts.length; k++) {
            double[] w = weights[k];
            double s = intercepts[k];
            for (int j = 0; j < w.length; j++) {
                s += w[j] * x[j];
            }
            out[k] = s;
        }
        link.apply(out);
    }

    @Override
    public void validate(int featureWidth) {
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
