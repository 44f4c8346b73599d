package dev.kiln.train.xgboost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.model.Link;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import dev.kiln.train.TrainedModel;
import dev.kiln.train.TrainingData;
import java.util.LinkedHashMap;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.Test;

class GbdtTrainerTest {
    private static final double TOLERANCE = 1e-6;

    private static double check(Task task, int classes, double nanRate, Link link) throws Exception {
        XGBoostTestData.Problem problem = XGBoostTestData.problem(task, classes, 2500, 8, nanRate, 0.3, 11);
        try (FittedBooster fitted = new GbdtTrainer().fitBooster(problem.data(), 7)) {
            TreeEnsembleEstimator estimator = fitted.estimator();
            assertThat(estimator.link()).isEqualTo(link);
            assertThat(estimator.outputs()).isEqualTo(problem.data().outputs());
            int rounds = (Integer) fitted.model().hyperparameters().get("rounds");
            assertThat(estimator.trees()).hasSize(rounds * problem.data().outputs());
            if (nanRate > 0) {
                int[] directions = XGBoostTestData.defaultDirections(estimator);
                assertThat(directions[0]).as("nodes sending missing left").isPositive();
                assertThat(directions[1]).as("nodes sending missing right").isPositive();
            }
            assertThat(XGBoostTestData.marginMismatches(estimator, fitted.booster(), problem.testX()))
                    .as("margins differing from XGBoost's float32 sum of the leaves Kiln selects").isZero();
            double diff = XGBoostTestData.maxAbsDiff(estimator, fitted.booster(), problem.testX());
            double rel = XGBoostTestData.maxRelDiff(estimator, fitted.booster(), problem.testX());
            System.out.printf("gbdt %s: %d trees, max |kiln - xgboost| = %.3g, relative %.3g%n", task,
                    estimator.trees().size(), diff, rel);
            // Kiln accumulates XGBoost ensembles in single precision as XGBoost does, so values
            // (regression) and probabilities agree to float rounding of the final output.
            assertThat(diff).isLessThanOrEqualTo(TOLERANCE);
            return diff;
        }
    }

    @Test
    void binaryWithMissingValuesMatchesXGBoost() throws Exception {
        check(Task.BINARY, 2, 0.1, Link.LOGISTIC);
    }

    @Test
    void multiclassWithMissingValuesMatchesXGBoost() throws Exception {
        check(Task.MULTICLASS, 4, 0.1, Link.SOFTMAX);
    }

    @Test
    void regressionMatchesXGBoost() throws Exception {
        check(Task.REGRESSION, 0, 0.0, Link.IDENTITY);
    }

    @Test
    void sameSeedGivesIdenticalEstimators() {
        TrainingData data = XGBoostTestData.problem(Task.MULTICLASS, 3, 1500, 8, 0.05, 0.3, 3).data();
        GbdtTrainer trainer = new GbdtTrainer(5, 0.3, 40, 10, 0, Map.of("subsample", 0.8, "colsample_bynode", 0.7));
        TrainedModel a = trainer.fit(data, 99);
        TrainedModel b = trainer.fit(data, 99);
        assertThat(XGBoostTestData.identical((TreeEnsembleEstimator) a.estimator(), (TreeEnsembleEstimator) b.estimator()))
                .isTrue();
        assertThat(a.hyperparameters()).isEqualTo(b.hyperparameters());
        assertThat(a.trainingInfo()).isEqualTo(b.trainingInfo());
        TrainedModel c = trainer.fit(data, 100);
        assertThat(XGBoostTestData.identical((TreeEnsembleEstimator) a.estimator(), (TreeEnsembleEstimator) c.estimator()))
                .as("another seed samples other rows").isFalse();
    }

    @Test
    void earlyStoppingStopsOnNoiseAndKeepsTheBestRounds() throws Exception {
        XGBoostTestData.Problem problem = XGBoostTestData.noise(Task.BINARY, 2, 2000, 8, 5);
        try (FittedBooster fitted = new GbdtTrainer().fitBooster(problem.data(), 1)) {
            Map<String, Object> info = fitted.model().trainingInfo();
            int best = (Integer) info.get("best_iteration");
            int trained = (Integer) info.get("rounds_trained");
            assertThat(info.get("stopped_early")).isEqualTo(true);
            assertThat(trained).isLessThan(GbdtTrainer.DEFAULT_MAX_ROUNDS).isEqualTo(best + 1 + 20);
            assertThat(info.get("rounds_kept")).isEqualTo(best + 1);
            assertThat(fitted.model().hyperparameters().get("rounds")).isEqualTo(best + 1);
            assertThat(fitted.estimator().trees()).hasSize(best + 1);
            assertThat(fitted.booster().getNumBoostedRound()).isEqualTo(best + 1);
            assertThat((Double) info.get("best_validation_score")).isPositive();
            assertThat(XGBoostTestData.maxAbsDiff(fitted.estimator(), fitted.booster(), problem.testX()))
                    .isLessThanOrEqualTo(TOLERANCE);
            assertThat(XGBoostTestData.marginMismatches(fitted.estimator(), fitted.booster(), problem.testX())).isZero();
        }
    }

    @Test
    void recordsHyperparametersAndTrainingFacts() {
        TrainingData data = XGBoostTestData.problem(Task.REGRESSION, 0, 1000, 8, 0.0, 0.3, 21).data();
        TrainedModel model = new GbdtTrainer(4, 0.3, 50, 5, 1, Map.of("lambda", 2.0)).fit(data, 5);
        assertThat(model.hyperparameters()).containsEntry("objective", "reg:squarederror")
                .containsEntry("tree_method", "hist").containsEntry("max_depth", 4).containsEntry("eta", 0.3)
                .containsEntry("max_rounds", 50).containsEntry("early_stopping_rounds", 5)
                .containsEntry("eval_metric", "rmse").containsEntry("seed", 5L).containsEntry("nthread", 1)
                .containsEntry("lambda", 2.0).containsKey("rounds");
        assertThat(model.trainingInfo()).containsEntry("validation_metric", "rmse")
                .containsKeys("best_iteration", "best_validation_score", "rounds_trained", "validation_curve")
                .containsEntry("library", "xgboost4j 3.0.4");
    }

    @Test
    void withoutValidationRowsTrainsAllRounds() {
        TrainingData d = XGBoostTestData.problem(Task.BINARY, 2, 800, 8, 0.0, 0.3, 8).data();
        TrainingData noValid = new TrainingData(d.task(), d.numClasses(), d.featureNames(), d.x(), d.y(), null, null);
        TrainedModel model = new GbdtTrainer(3, 0.1, 25, 20, 0, Map.of()).fit(noValid, 1);
        assertThat(model.hyperparameters()).containsEntry("rounds", 25);
        assertThat(((TreeEnsembleEstimator) model.estimator()).trees()).hasSize(25);
        assertThat(model.trainingInfo()).doesNotContainKey("best_iteration");
    }

    /** The slice used after early stopping keeps exactly the first rounds: XGBoost agrees bit for bit. */
    @Test
    void slicedBoosterPredictsLikeTheFirstRoundsOfTheFullOne() throws Exception {
        XGBoostTestData.Problem problem = XGBoostTestData.problem(Task.MULTICLASS, 3, 1200, 8, 0.1, 0.3, 4);
        TrainingData data = problem.data();
        Map<String, Object> params = new LinkedHashMap<>(XGBoostTraining.baseParams(data, 3, 0));
        params.put("num_parallel_tree", 2);
        params.put("subsample", 0.7);
        DMatrix train = XGBoostData.matrix(data.x(), data.y());
        DMatrix test = XGBoostData.matrix(problem.testX(), null);
        Booster full = XGBoost.train(train, params, 30, Map.of(), null, null, null, 0);
        Booster sliced = null;
        try {
            byte[] json = XGBoostTraining.slice(full.toByteArray("json"), 12);
            sliced = XGBoost.loadModel(json);
            assertThat(sliced.getNumBoostedRound()).isEqualTo(12);
            float[][] expected = full.predict(test, false, 12 * 2); // tree limit = rounds * num_parallel_tree
            float[][] actual = sliced.predict(test);
            assertThat(actual).isDeepEqualTo(expected);
            TreeEnsembleEstimator estimator = XGBoostJsonConverter.convert(json, data.width());
            assertThat(estimator.trees()).hasSize(12 * 2 * 3);
            assertThat(XGBoostTestData.maxAbsDiff(estimator, sliced, problem.testX())).isLessThanOrEqualTo(TOLERANCE);
            assertThat(XGBoostTestData.marginMismatches(estimator, sliced, problem.testX())).isZero();
            // Converting the sliced JSON equals converting the full one and dropping the later trees.
            TreeEnsembleEstimator whole = XGBoostJsonConverter.convert(full.toByteArray("json"), data.width());
            TreeEnsembleEstimator firstRounds = new TreeEnsembleEstimator(whole.inputWidth(), whole.base(), whole.scale(),
                    whole.link(), whole.trees().subList(0, 12 * 2 * 3), whole.singlePrecision());
            assertThat(XGBoostTestData.identical(estimator, firstRounds)).isTrue();
        } finally {
            full.dispose();
            if (sliced != null) {
                sliced.dispose();
            }
            train.dispose();
            test.dispose();
        }
    }

    /**
     * A refit whose caller reads none of its rows after the fit ({@link TrainingData#rowsReleasable}) lets them go once
     * XGBoost has its matrix, and fits the very model the rows kept fit: the same trees and the same check against
     * XGBoost (taken on the rows before they were let go).
     */
    @Test
    void releasableRowsAreLetGoAndFitTheSameModel() throws Exception {
        XGBoostTestData.Problem problem = XGBoostTestData.problem(Task.BINARY, 2, 2500, 8, 0.1, 0.3, 11);
        TrainingData d = problem.data();
        TrainingData all = new TrainingData(d.task(), d.numClasses(), d.featureNames(), d.x(), d.y(), null, null);
        TrainingData releasable = new TrainingData(d.task(), d.numClasses(), d.featureNames(), d.x().clone(), d.y(),
                null, null).withRowsReleasable();
        GbdtTrainer trainer = new GbdtTrainer(4, 0.3, 20, 0, 1, Map.of());

        try (FittedBooster kept = trainer.fitBooster(all, 7); FittedBooster let = trainer.fitBooster(releasable, 7)) {
            assertThat((Object[]) releasable.x()).as("rows let go").containsOnlyNulls();
            assertThat((Object[]) all.x()).as("rows kept").doesNotContainNull();
            assertThat(let.json()).isEqualTo(kept.json());
            assertThat(let.model().trainingInfo()).isEqualTo(kept.model().trainingInfo());
            double[][] a = new double[problem.testX().length][1];
            double[][] b = new double[problem.testX().length][1];
            let.estimator().predictBatch(problem.testX(), a);
            kept.estimator().predictBatch(problem.testX(), b);
            assertThat(a).isDeepEqualTo(b);
        }
    }
}
