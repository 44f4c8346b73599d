package dev.kiln.runtime.model;

/**
 * An estimator's {@link Estimator#contributions} with whatever every row shares worked out once (a tree ensemble's
 * node expectations). Thread-safe; {@code KilnModel} keeps one per loaded model, built on its first explanation.
 */
public interface Contributions {
    /** As {@link Estimator#contributions}. */
    void compute(double[] x, double[][] phi);

    /**
     * The prepared form of {@code estimator}'s contributions: {@link TreeContributions} for a tree ensemble,
     * {@link EnsembleContributions} for an ensemble, the estimator's own method otherwise.
     *
     * @throws IllegalStateException when a tree ensemble (or an ensemble's member) is not {@link Estimator#explainable()}
     */
    static Contributions of(Estimator estimator) {
        if (estimator instanceof TreeEnsembleEstimator trees) {
            return TreeContributions.of(trees);
        }
        if (estimator instanceof EnsembleEstimator ensemble) {
            return EnsembleContributions.of(ensemble);
        }
        return estimator::contributions;  // a linear model without feature means throws on use, naming why
    }
}
