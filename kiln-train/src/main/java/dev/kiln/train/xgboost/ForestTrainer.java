package dev.kiln.train.xgboost;

import dev.kiln.runtime.model.TreeEnsembleEstimator;
import dev.kiln.train.Hyperparameters;
import dev.kiln.train.TrainedModel;
import dev.kiln.train.Trainer;
import dev.kiln.train.TrainingData;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A random forest fitted by XGBoost as in its random-forest guide: one boosting round of
 * {@code numTrees} parallel trees ({@code num_parallel_tree}), learning rate 1 (XGBoost divides it by the
 * number of trees, so the leaves average), rows subsampled without replacement and features sampled per
 * split. For classification the forest averages Newton steps in margin space from the base score, not
 * class votes. Converted into Kiln's {@link TreeEnsembleEstimator} like {@link GbdtTrainer}'s models.
 *
 * @param numTrees        trees in the forest
 * @param maxDepth        maximum tree depth
 * @param subsample       fraction of rows each tree sees (XGBoost samples without replacement)
 * @param colsampleByNode fraction of features tried at each split; 0 = sqrt(p) / p
 * @param threads         XGBoost {@code nthread}; 0 = {@link Runtime#availableProcessors()}
 * @param extraParams     further XGBoost parameters, applied last
 */
public record ForestTrainer(int numTrees, int maxDepth, double subsample, double colsampleByNode, int threads,
                            Map<String, Object> extraParams) implements Trainer {
    public static final int DEFAULT_NUM_TREES = 100;
    public static final int DEFAULT_MAX_DEPTH = 8;
    public static final double DEFAULT_SUBSAMPLE = 0.632;

    public ForestTrainer {
        if (numTrees < 1) {
            throw Hyperparameters.invalid("forest", "num_trees", "an integer >= 1", numTrees);
        }
        if (maxDepth < 1) {
            throw Hyperparameters.invalid("forest", "max_depth", "an integer >= 1", maxDepth);
        }
        if (!(subsample > 0.0 && subsample <= 1.0)) {
            throw Hyperparameters.invalid("forest", "subsample", "in (0, 1]", subsample);
        }
        if (!(colsampleByNode >= 0.0 && colsampleByNode <= 1.0)) {
            throw Hyperparameters.invalid("forest", "colsample_bynode", "in (0, 1], or 0 for sqrt(p)/p", colsampleByNode);
        }
        if (threads < 0) {
            throw Hyperparameters.invalid("forest", "threads", "an integer >= 0 (0: all processors)", threads);
        }
        extraParams = XGBoostTraining.sortedCopy("forest", extraParams);
    }

    /** The defaults: 100 trees of depth 8, subsample 0.632, sqrt(p) features per split, all processors. */
    public ForestTrainer() {
        this(DEFAULT_NUM_TREES, DEFAULT_MAX_DEPTH, DEFAULT_SUBSAMPLE, 0.0, 0, Map.of());
    }

    @Override
    public String name() {
        return "forest";
    }

    @Override
    public boolean needsScaling() {
        return false;
    }

    @Override
    public TrainedModel fit(TrainingData data, long seed) {
        try (FittedBooster fitted = fitBooster(data, seed)) {
            return fitted.model();
        }
    }

    /** Fits and returns the XGBoost booster with Kiln's model converted from it. */
    public FittedBooster fitBooster(TrainingData data, long seed) {
        int p = data.width();
        double colsample = colsampleByNode > 0.0 ? colsampleByNode : Math.min(1.0, Math.sqrt(p) / p);
        Map<String, Object> params = XGBoostTraining.baseParams(data, seed, threads);
        params.put("num_parallel_tree", numTrees);
        params.put("eta", 1.0);
        params.put("max_depth", maxDepth);
        params.put("subsample", subsample);
        params.put("colsample_bynode", colsample);
        params.putAll(extraParams);

        // One round; the validation rows (if any) are only scored, for the record.
        XGBoostTraining.Outcome outcome = XGBoostTraining.train(data, params, 1, 0);
        try {
            TreeEnsembleEstimator estimator = XGBoostTraining.estimator(outcome, data);
            Map<String, Object> hyper = new LinkedHashMap<>(params);
            hyper.remove("verbosity");
            hyper.put("rounds", 1);
            Map<String, Object> info = XGBoostTraining.trainingInfo(outcome, data, estimator);
            TrainedModel model = new TrainedModel(estimator, XGBoostTraining.frozen(hyper), XGBoostTraining.frozen(info));
            return new FittedBooster(outcome.booster(), model, outcome.json());
        } catch (RuntimeException e) {
            outcome.booster().dispose();
            throw e;
        }
    }
}
