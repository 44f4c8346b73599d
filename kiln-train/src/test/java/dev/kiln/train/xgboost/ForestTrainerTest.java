package dev.kiln.train.xgboost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.model.Link;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import dev.kiln.train.TrainedModel;
import dev.kiln.train.TrainingData;
import org.junit.jupiter.api.Test;

class ForestTrainerTest {
    private static final double TOLERANCE = 1e-6;

    private static void check(Task task, int classes, double nanRate, Link link) throws Exception {
        XGBoostTestData.Problem problem = XGBoostTestData.problem(task, classes, 2500, 8, nanRate, 0.3, 12);
        try (FittedBooster fitted = new ForestTrainer().fitBooster(problem.data(), 7)) {
            TreeEnsembleEstimator estimator = fitted.estimator();
            assertThat(estimator.link()).isEqualTo(link);
            assertThat(estimator.trees()).hasSize(ForestTrainer.DEFAULT_NUM_TREES * problem.data().outputs());
            assertThat(fitted.model().hyperparameters()).containsEntry("num_parallel_tree", 100)
                    .containsEntry("colsample_bynode", Math.sqrt(8) / 8).containsEntry("subsample", 0.632);
            assertThat(XGBoostTestData.marginMismatches(estimator, fitted.booster(), problem.testX()))
                    .as("margins differing from XGBoost's float32 sum of the leaves Kiln selects").isZero();
            double diff = XGBoostTestData.maxAbsDiff(estimator, fitted.booster(), problem.testX());
            double rel = XGBoostTestData.maxRelDiff(estimator, fitted.booster(), problem.testX());
            System.out.printf("forest %s: %d trees, max |kiln - xgboost| = %.3g, relative %.3g%n", task,
                    estimator.trees().size(), diff, rel);
            // Kiln accumulates XGBoost ensembles in single precision as XGBoost does, so values
            // (regression) and probabilities agree to float rounding of the final output.
            assertThat(diff).isLessThanOrEqualTo(TOLERANCE);
        }
    }

    @Test
    void binaryWithMissingValuesMatchesXGBoost() throws Exception {
        check(Task.BINARY, 2, 0.1, Link.LOGISTIC);
    }

    @Test
    void multiclassWithMissingValuesMatchesXGBoost() throws Exception {
        check(Task.MULTICLASS, 3, 0.1, Link.SOFTMAX);
    }

    @Test
    void regressionMatchesXGBoost() throws Exception {
        check(Task.REGRESSION, 0, 0.0, Link.IDENTITY);
    }

    @Test
    void sameSeedGivesIdenticalEstimators() {
        TrainingData data = XGBoostTestData.problem(Task.BINARY, 2, 1500, 8, 0.05, 0.3, 13).data();
        ForestTrainer trainer = new ForestTrainer();
        TrainedModel a = trainer.fit(data, 42);
        TrainedModel b = trainer.fit(data, 42);
        assertThat(XGBoostTestData.identical((TreeEnsembleEstimator) a.estimator(), (TreeEnsembleEstimator) b.estimator()))
                .isTrue();
        TrainedModel c = trainer.fit(data, 43);
        assertThat(XGBoostTestData.identical((TreeEnsembleEstimator) a.estimator(), (TreeEnsembleEstimator) c.estimator()))
                .isFalse();
        assertThat(a.trainingInfo()).containsEntry("validation_metric", "logloss").containsKey("best_validation_score");
    }
}
