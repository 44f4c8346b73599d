package dev.kiln.train.search;

import dev.kiln.train.Trainer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a search found.
 *
 * @param algorithm   the algorithm searched
 * @param metric      the metric it ranked on
 * @param bestConfig  the best configuration scored on every fold (ties go to the lower id: the default first)
 * @param bestTrialId its {@link Trial#id()}
 * @param bestScore   its mean over the folds
 * @param trials      every trial, in the order they ran
 * @param oofOutputs  the best configuration's out-of-fold outputs, as {@code Estimator.predict} writes them, for
 *                    every training row; a row with {@code covered[i] == false} was never validated (before the first
 *                    forward-chaining block, or on the fit side of a holdout) and has an empty array
 * @param covered     whether each training row has an out-of-fold output
 * @param refitRounds gbdt: the rounds to boost when refitting on every training row, the mean over the folds of the
 *                    best round, scaled by (all training rows / mean fit rows of a fold), since a model fitted on
 *                    more rows keeps improving for proportionally longer (as e.g. LightGBM users scale
 *                    {@code best_iteration} after CV); 0 for other algorithms
 * @param notes       what the user should know ("budget spent after 14 of 30 trials")
 */
public record TuneResult(String algorithm, String metric, Map<String, Object> bestConfig, int bestTrialId,
                         double bestScore, List<Trial> trials, double[][] oofOutputs, boolean[] covered,
                         int refitRounds, List<String> notes) {
    public TuneResult {
        bestConfig = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(bestConfig));
        trials = List.copyOf(trials);
        notes = List.copyOf(notes);
    }

    /**
     * The configuration to refit on every training row: the best one, for gbdt with {@code max_rounds} set to
     * {@link #refitRounds} and early stopping off (there are no validation rows left to stop on).
     */
    public Map<String, Object> refitConfig() {
        Map<String, Object> config = new LinkedHashMap<>(bestConfig);
        if (algorithm.equals("gbdt")) {
            config.put("max_rounds", refitRounds);
            config.put("early_stopping_rounds", 0);
        }
        return config;
    }

    /** {@link ConfiguredTrainers#of} for {@link #refitConfig()}. */
    public Trainer refitTrainer(int threads) {
        return ConfiguredTrainers.of(algorithm, refitConfig(), threads);
    }
}
