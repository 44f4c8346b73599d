package dev.kiln.train.xgboost;

import dev.kiln.runtime.model.TreeEnsembleEstimator;
import dev.kiln.train.Hyperparameters;
import dev.kiln.train.TrainedModel;
import dev.kiln.train.Trainer;
import dev.kiln.train.TrainingData;
import java.util.LinkedHashMap;
import java.util.Map;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Gradient-boosted trees, fitted by XGBoost ({@code hist} tree method) and converted into Kiln's
 * {@link TreeEnsembleEstimator}. Boosts up to {@code maxRounds} rounds and, when the training data has
 * validation rows, stops once the validation metric (logloss, mlogloss or rmse by task) has not improved
 * for {@code earlyStoppingRounds} rounds; the model keeps the rounds up to the best one.
 *
 * <p>Deterministic for a seed on a given machine. XGBoost sums histograms per thread, so a different
 * {@code threads} count (0 = all available processors) can change the last bits of split gains and thus
 * the model; pass a fixed count where models must match across machines.
 *
 * @param maxDepth            maximum tree depth (XGBoost {@code max_depth})
 * @param learningRate        shrinkage (XGBoost {@code eta})
 * @param maxRounds           maximum number of boosting rounds
 * @param earlyStoppingRounds rounds without improvement before stopping; 0 disables early stopping
 * @param threads             XGBoost {@code nthread}; 0 = {@link Runtime#availableProcessors()}
 * @param extraParams         further XGBoost parameters (e.g. {@code subsample}, {@code lambda}), applied
 *                            last so they override the ones above
 */
public record GbdtTrainer(int maxDepth, double learningRate, int maxRounds, int earlyStoppingRounds, int threads,
                          Map<String, Object> extraParams) implements Trainer {
    public static final int DEFAULT_MAX_DEPTH = 6;
    public static final double DEFAULT_LEARNING_RATE = 0.1;
    public static final int DEFAULT_MAX_ROUNDS = 300;
    public static final int DEFAULT_EARLY_STOPPING_ROUNDS = 20;

    public GbdtTrainer {
        if (maxDepth < 1) {
            throw Hyperparameters.invalid("gbdt", "max_depth", "an integer >= 1", maxDepth);
        }
        if (!(learningRate > 0.0 && learningRate <= 1.0)) {
            throw Hyperparameters.invalid("gbdt", "learning_rate", "in (0, 1]", learningRate);
        }
        if (maxRounds < 1) {
            throw Hyperparameters.invalid("gbdt", "max_rounds", "an integer >= 1", maxRounds);
        }
        if (earlyStoppingRounds < 0) {
            throw Hyperparameters.invalid("gbdt", "early_stopping_rounds", "an integer >= 0 (0: no early stopping)",
                    earlyStoppingRounds);
        }
        if (threads < 0) {
            throw Hyperparameters.invalid("gbdt", "threads", "an integer >= 0 (0: all processors)", threads);
        }
        extraParams = XGBoostTraining.sortedCopy("gbdt", extraParams);
    }

    /** The defaults: depth 6, eta 0.1, up to 300 rounds, early stopping after 20, all processors. */
    public GbdtTrainer() {
        this(DEFAULT_MAX_DEPTH, DEFAULT_LEARNING_RATE, DEFAULT_MAX_ROUNDS, DEFAULT_EARLY_STOPPING_ROUNDS, 0, Map.of());
    }

    @Override
    public String name() {
        return "gbdt";
    }

    @Override
    public boolean needsScaling() {
        return false;
    }

    /** This trainer continuing {@code parent}, an XGBoost JSON model (see {@link #fitBooster(TrainingData, long, byte[])}). */
    public Trainer continuing(byte[] parent) {
        return new GbdtContinuation(this, parent);
    }

    private static int roundsOf(XGBoostTraining.Outcome outcome) {
        try {
            return outcome.booster().getNumBoostedRound();
        } catch (XGBoostError e) {
            throw XGBoostData.failed("could not count XGBoost's rounds", e);
        }
    }

    @Override
    public TrainedModel fit(TrainingData data, long seed) {
        try (FittedBooster fitted = fitBooster(data, seed)) {
            return fitted.model();
        }
    }

    /** Fits and returns the XGBoost booster (holding exactly the estimator's trees) with Kiln's model. */
    public FittedBooster fitBooster(TrainingData data, long seed) {
        return fitBooster(data, seed, null);
    }

    /**
     * As above; with {@code parent} (an XGBoost JSON model trained on the same features and task, as a GBDT
     * bundle stores it) the booster continues that model: its trees kept, up to {@code maxRounds} rounds added on
     * {@code data}, early stopping on its validation rows. The model's {@code rounds} then counts the parent's
     * rounds too, and its training info says how many were added ({@code rounds_added}).
     */
    public FittedBooster fitBooster(TrainingData data, long seed, byte[] parent) {
        Map<String, Object> params = XGBoostTraining.baseParams(data, seed, threads);
        params.put("max_depth", maxDepth);
        params.put("eta", learningRate);
        params.putAll(extraParams);

        XGBoostTraining.Outcome outcome = XGBoostTraining.train(data, params, maxRounds, earlyStoppingRounds, parent);
        try {
            TreeEnsembleEstimator estimator = XGBoostTraining.estimator(outcome, data);
            Map<String, Object> hyper = new LinkedHashMap<>(params);
            hyper.remove("verbosity");
            hyper.put("max_rounds", maxRounds);
            hyper.put("early_stopping_rounds", earlyStoppingRounds);
            int total = roundsOf(outcome);
            hyper.put("rounds", total);
            Map<String, Object> info = XGBoostTraining.trainingInfo(outcome, data, estimator);
            info.put("stopped_early", outcome.roundsTrained() < maxRounds);
            if (parent != null) {
                hyper.put("warm_start", true);
                info.put("parent_rounds", total - outcome.roundsKept());
                info.put("rounds_added", outcome.roundsKept());
            }
            TrainedModel model = new TrainedModel(estimator, XGBoostTraining.frozen(hyper), XGBoostTraining.frozen(info),
                    outcome.json());
            return new FittedBooster(outcome.booster(), model, outcome.json());
        } catch (RuntimeException e) {
            outcome.booster().dispose();
            throw e;
        }
    }
}
