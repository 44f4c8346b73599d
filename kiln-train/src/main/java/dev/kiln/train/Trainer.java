package dev.kiln.train;

/**
 * Kiln's own training interface: every algorithm, whatever library fits it, returns an estimator in
 * Kiln's scoring form ({@link dev.kiln.runtime.model.Estimator}). Implementations are deterministic for
 * a given seed.
 */
public interface Trainer {
    /** Short algorithm name used on the command line: baseline, linear, tree, forest, gbdt. */
    String name();

    /** Whether the feature pipeline should standardise numeric features for this algorithm. */
    boolean needsScaling();

    TrainedModel fit(TrainingData data, long seed);
}
