package dev.kiln.train.xgboost;

import dev.kiln.runtime.model.TreeEnsembleEstimator;
import dev.kiln.train.TrainedModel;
import ml.dmlc.xgboost4j.java.Booster;

/**
 * A fitted XGBoost booster next to the Kiln model converted from it, for tests and benchmarks that
 * compare Kiln's scoring with XGBoost's. The booster holds exactly the trees of the estimator (after
 * early stopping it has been cut back to the best iteration). The caller owns the booster's native
 * memory: {@link #close()} (or {@code booster().dispose()}) when done.
 *
 * @param booster the XGBoost model
 * @param model   Kiln's trained model; its estimator is a {@link TreeEnsembleEstimator}
 * @param json    the booster's JSON model that the estimator was converted from
 */
public record FittedBooster(Booster booster, TrainedModel model, byte[] json) implements AutoCloseable {
    public TreeEnsembleEstimator estimator() {
        return (TreeEnsembleEstimator) model.estimator();
    }

    @Override
    public void close() {
        booster.dispose();
    }
}
