package dev.kiln.runtime.model;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * A fitted model in Kiln's own scoring form: plain numbers, scored by Kiln's code, never by the
 * library that trained it. Outputs: binary = one value, P(positive class); multiclass = one probability
 * per class; regression = one value.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ConstantEstimator.class, name = "constant"),
        @JsonSubTypes.Type(value = LinearEstimator.class, name = "linear"),
        @JsonSubTypes.Type(value = TreeEnsembleEstimator.class, name = "tree_ensemble")
})
public sealed interface Estimator permits ConstantEstimator, LinearEstimator, TreeEnsembleEstimator {
    /** Number of outputs written by {@link #predict}. */
    int outputs();

    /** Number of features expected in the input vector. */
    int inputWidth();

    /** Scores one feature vector into {@code out} (length {@link #outputs()}). Must be thread-safe. */
    void predict(double[] features, double[] out);

    /**
     * Scores many feature vectors: {@code out[i]} gets the outputs of {@code features[i]}, exactly as
     * {@link #predict} would write them. Implementations may reorder the work for speed.
     */
    default void predictBatch(double[][] features, double[][] out) {
        for (int i = 0; i < features.length; i++) {
            predict(features[i], out[i]);
        }
    }

    /** Checks internal consistency (array sizes, indices); throws IllegalStateException naming the problem. */
    void validate(int featureWidth);
}
