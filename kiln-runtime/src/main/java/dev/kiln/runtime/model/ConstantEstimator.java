package dev.kiln.runtime.model;

/** Predicts the same outputs for every row: the trivial baseline (class priors, or the training mean). */
public record ConstantEstimator(int inputWidth, double[] values) implements Estimator {
    @Override
    public int outputs() {
        return values.length;
    }

    @Override
    public void margins(double[] features, double[] out) {
        System.arraycopy(values, 0, out, 0, values.length);
    }

    @Override
    public Link link() {
        return Link.IDENTITY;
    }

    @Override
    public boolean explainable() {
        return true;
    }

    /** Every row gets the same outputs: nothing to attribute, the base is the output. */
    @Override
    public void contributions(double[] features, double[][] phi) {
        for (int k = 0; k < values.length; k++) {
            java.util.Arrays.fill(phi[k], 0.0);
            phi[k][inputWidth] = values[k];
        }
    }

    @Override
    public void validate(int featureWidth) {
        if (values == null || values.length == 0) {
            throw new IllegalStateException("constant estimator has no values");
        }
    }
}
