package dev.kiln.train;

import dev.kiln.runtime.model.Estimator;
import java.util.Map;

/**
 * A fitted candidate: the estimator in Kiln's scoring form, the hyperparameters that made it, and facts
 * learnt while training (for example the early-stopping iteration).
 *
 * @param xgboostModel for a GBDT, the XGBoost JSON model holding exactly the estimator's trees: what a later
 *                     warm start continues ({@link BundleWriter#XGBOOST_MODEL_FILE}); null for other algorithms
 */
public record TrainedModel(Estimator estimator, Map<String, Object> hyperparameters, Map<String, Object> trainingInfo,
                           byte[] xgboostModel) {

    public TrainedModel(Estimator estimator, Map<String, Object> hyperparameters, Map<String, Object> trainingInfo) {
        this(estimator, hyperparameters, trainingInfo, null);
    }
}
