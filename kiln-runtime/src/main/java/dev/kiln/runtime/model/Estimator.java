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
        @JsonSubTypes.Type(value = TreeEnsembleEstimator.class, name = "tree_ensemble"),
        @JsonSubTypes.Type(value = EnsembleEstimator.class, name = "ensemble")
})
public sealed interface Estimator permits ConstantEstimator, LinearEstimator, TreeEnsembleEstimator, EnsembleEstimator {
    /** Number of outputs written by {@link #predict}. */
    int outputs();

    /** Number of features expected in the input vector. */
    int inputWidth();

    /**
     * Writes the margins of one feature vector into {@code out} (length {@link #outputs()}): the values before
     * {@link #link()} (log-odds for binary, per-class margins for softmax, the value for regression). An
     * {@link EnsembleEstimator} blends its members here. Must be thread-safe.
     */
    void margins(double[] features, double[] out);

    /** Scores one feature vector into {@code out} (length {@link #outputs()}): {@link #margins}, then {@link #link()}. */
    default void predict(double[] features, double[] out) {
        margins(features, out);
        link().apply(out);
    }

    /**
     * The margins of many feature vectors: {@code out[i]} gets those of {@code features[i]}, exactly as
     * {@link #margins} would write them. Implementations may reorder the work for speed.
     */
    default void marginsBatch(double[][] features, double[][] out) {
        for (int i = 0; i < features.length; i++) {
            margins(features[i], out[i]);
        }
    }

    /**
     * Scores many feature vectors: {@code out[i]} gets the outputs of {@code features[i]}, exactly as
     * {@link #predict} would write them ({@link #marginsBatch}, then the link row by row).
     */
    default void predictBatch(double[][] features, double[][] out) {
        marginsBatch(features, out);
        Link link = link();
        for (double[] row : out) {
            link.apply(row);
        }
    }

    /** How the margins become outputs; {@link Link#IDENTITY} when the estimator's outputs are its margins. */
    Link link();

    /**
     * Whether {@link #contributions} can run: tree ensembles need their node covers and linear models their
     * training feature means, both written from bundle format 1.2 on; a constant always can.
     */
    boolean explainable();

    /**
     * Splits the margins of one feature vector (the values before {@link #link()}) into additive parts:
     * {@code phi[k][f]} is feature f's contribution to output k's margin and {@code phi[k][inputWidth()]} the
     * base, the expected margin over the training rows, so that each row of {@code phi} sums to that margin
     * (to rounding). {@code phi} is {@code outputs() x (inputWidth() + 1)} and is overwritten. Tree ensembles
     * give exact Shapley values (path-dependent TreeSHAP); linear models {@code w_f (x_f - mean_f)}; an ensemble the
     * weighted sum of its members' contributions.
     *
     * @throws IllegalStateException when not {@link #explainable()}
     */
    void contributions(double[] features, double[][] phi);

    /** Checks internal consistency (array sizes, indices); throws IllegalStateException naming the problem. */
    void validate(int featureWidth);
}
