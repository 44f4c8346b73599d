package dev.kiln.train.constraints;

/**
 * What the constrained choice and the Pareto front know of one candidate.
 *
 * @param name             the algorithm (as on the leaderboard)
 * @param metric           the selection metric on validation rows; NaN when it could not be computed
 * @param higherIsBetter   the metric's direction (the same for every candidate of a run)
 * @param p99LatencyMicros single-row p99 latency ({@link Latency}); NaN when not measured
 * @param bundleBytes      the model files' size in bytes ({@code BundleWriter.sizeInBytes})
 * @param trainSeconds     the candidate's own training time
 * @param interpretable    {@link Interpretability#isInterpretable} of its algorithm and hyperparameters
 * @param honoursMonotone  trained so that it honours {@code --monotone} ({@link Monotone#honours}; true when no
 *                         constraint was given)
 */
public record CandidateFacts(String name, double metric, boolean higherIsBetter, double p99LatencyMicros,
                             long bundleBytes, double trainSeconds, boolean interpretable, boolean honoursMonotone) {
}
