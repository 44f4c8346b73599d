package dev.kiln.runtime.model;

/** Predicts the same outputs for every row: the trivial baseline (class priors, or the training mean). */
public record ConstantEstimator(int inputWidth, double[] values) implements Estimator {
    @Override
    public int outputs() {
        return values.length;
    }

    @Override
    public void predict(double[] features, double[] out) {
        System.arraycopy(values, 0, out, 0, values.length);
    }

    @Override
    public void validate(int featureWidth) {
        if (values == null || values.length == 0) {
            throw new IllegalStateException("constant estimator has no values");
        }
    }
}
