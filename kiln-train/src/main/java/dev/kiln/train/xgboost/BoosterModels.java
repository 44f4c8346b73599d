package dev.kiln.train.xgboost;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * A booster trained elsewhere (XGBoost4J-Spark's, on a cluster) as Kiln's model: its XGBoost JSON model cut back to the
 * rounds to keep and converted into Kiln's {@link TreeEnsembleEstimator} exactly as {@link GbdtTrainer} converts its own
 * (the converter, with XGBoost's own base margin).
 */
public final class BoosterModels {
    private BoosterModels() {
    }

    /** The XGBoost version Kiln trains with, as a bundle's training info names it. */
    public static String xgboostVersion() {
        return XGBoostTraining.XGBOOST_VERSION;
    }

    /** {@code json} (an XGBoost JSON gbtree model) with only its first {@code rounds} boosting rounds. */
    public static byte[] keepRounds(byte[] json, int rounds) {
        try {
            return XGBoostTraining.slice(json, rounds);
        } catch (IllegalArgumentException e) {
            throw new KilnException(ErrorCode.TRAINING_FAILED, "cannot cut the XGBoost model back to " + rounds
                    + " rounds: " + e.getMessage(), Map.of(), e);
        }
    }

    /** Kiln's estimator of the XGBoost JSON model {@code json} on {@code width} features. */
    public static TreeEnsembleEstimator estimator(byte[] json, int width) {
        Booster booster;
        try {
            booster = XGBoost.loadModel(json);
        } catch (XGBoostError e) {
            throw XGBoostData.failed("could not load the XGBoost model", e);
        } catch (java.io.IOException e) {
            throw new KilnException(ErrorCode.TRAINING_FAILED, "could not load the XGBoost model: " + e.getMessage(),
                    Map.of(), e);
        }
        try {
            return XGBoostTraining.estimator(json, booster, width);
        } finally {
            booster.dispose();
        }
    }
}
