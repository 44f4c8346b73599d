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
    /**
     * The facts of a trained candidate, its interpretability and monotonicity read off the hyperparameters it
     * recorded: it honours {@code --monotone} when none is given, when it is the baseline (a constant), or when its
     * trainer recorded {@code monotone_constraints} (gbdt and forest through XGBoost's parameter, linear through
     * {@link MonotoneLinearTrainer}); see {@link Monotone#honouring}.
     */
    public static CandidateFacts of(String algorithm, double metric, boolean higherIsBetter, double p99LatencyMicros,
                                    long bundleBytes, double trainSeconds, java.util.Map<String, Object> hyperparameters,
                                    Constraints constraints) {
        boolean monotone = !constraints.monotone().isEmpty();
        boolean honours = !monotone || algorithm.equals("baseline")
                || (hyperparameters != null && hyperparameters.containsKey("monotone_constraints"));
        return new CandidateFacts(algorithm, metric, higherIsBetter, p99LatencyMicros, bundleBytes, trainSeconds,
                Interpretability.isInterpretable(algorithm, hyperparameters, monotone), honours);
    }
}
