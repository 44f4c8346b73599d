package dev.kiln.train.xgboost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.Task;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Kiln's scoring against XGBoost's on larger models: deeper trees, more classes, more rows. */
@Tag("slow")
class XGBoostLargeDataTest {
    @Test
    void largeMulticlassGbdtMatchesXGBoost() throws Exception {
        XGBoostTestData.Problem problem = XGBoostTestData.problem(Task.MULTICLASS, 5, 20_000, 16, 0.15, 0.5, 31);
        try (FittedBooster fitted = new GbdtTrainer(8, 0.1, 300, 20, 0, java.util.Map.of()).fitBooster(problem.data(), 3)) {
            assertThat(XGBoostTestData.marginMismatches(fitted.estimator(), fitted.booster(), problem.testX())).isZero();
            double diff = XGBoostTestData.maxAbsDiff(fitted.estimator(), fitted.booster(), problem.testX());
            System.out.printf("large gbdt MULTICLASS: %d trees, max |kiln - xgboost| = %.3g%n",
                    fitted.estimator().trees().size(), diff);
            assertThat(diff).isLessThanOrEqualTo(1e-6);
        }
    }

    @Test
    void largeBinaryForestMatchesXGBoost() throws Exception {
        XGBoostTestData.Problem problem = XGBoostTestData.problem(Task.BINARY, 2, 20_000, 16, 0.15, 0.5, 32);
        try (FittedBooster fitted = new ForestTrainer(200, 12, 0.632, 0.0, 0, java.util.Map.of()).fitBooster(problem.data(), 3)) {
            assertThat(XGBoostTestData.marginMismatches(fitted.estimator(), fitted.booster(), problem.testX())).isZero();
            double diff = XGBoostTestData.maxAbsDiff(fitted.estimator(), fitted.booster(), problem.testX());
            System.out.printf("large forest BINARY: %d trees, max |kiln - xgboost| = %.3g%n",
                    fitted.estimator().trees().size(), diff);
            assertThat(diff).isLessThanOrEqualTo(1e-6);
        }
    }
}
