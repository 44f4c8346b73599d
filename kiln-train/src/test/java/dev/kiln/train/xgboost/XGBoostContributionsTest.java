package dev.kiln.train.xgboost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import ml.dmlc.xgboost4j.java.DMatrix;
import org.junit.jupiter.api.Test;

/**
 * Kiln's TreeSHAP on converted models against XGBoost's own {@code pred_contribs} ({@code Booster.predictContrib}):
 * the same per-feature contributions and bias for every held-out row, missing values included. XGBoost computes in
 * single precision, Kiln in double, so they agree to float rounding.
 */
class XGBoostContributionsTest {
    private static double maxDifference(FittedBooster fitted, double[][] x) throws Exception {
        TreeEnsembleEstimator estimator = fitted.estimator();
        assertThat(estimator.explainable()).as("converted trees carry XGBoost's covers").isTrue();
        int width = estimator.inputWidth();
        int outputs = estimator.outputs();
        DMatrix m = XGBoostData.matrix(x, null);
        float[][] expected;
        try {
            expected = fitted.booster().predictContrib(m, 0);
        } finally {
            m.dispose();
        }
        double max = 0;
        double[][] phi = new double[outputs][width + 1];
        double[] margin = new double[outputs];
        for (int i = 0; i < x.length; i++) {
            assertThat(expected[i]).hasSize(outputs * (width + 1));
            estimator.contributions(x[i], phi);
            for (int k = 0; k < outputs; k++) {
                double sum = 0;
                for (int f = 0; f <= width; f++) {
                    double theirs = expected[i][k * (width + 1) + f];
                    max = Math.max(max, Math.abs(phi[k][f] - theirs) / (1 + Math.abs(theirs)));
                    sum += phi[k][f];
                }
                margin[k] = sum;
            }
            double[] scored = new double[outputs];
            estimator.predict(x[i], scored);
            double[] linked = margin.clone();
            estimator.link().apply(linked);
            for (int k = 0; k < outputs; k++) {
                assertThat(linked[k]).as("row %d output %d: base + contributions through the link", i, k)
                        .isCloseTo(scored[k], org.assertj.core.data.Offset.offset(1e-5));
            }
        }
        return max;
    }

    @Test
    void gbdtBinaryWithMissingValues() throws Exception {
        XGBoostTestData.Problem problem = XGBoostTestData.problem(Task.BINARY, 2, 1500, 8, 0.1, 0.3, 5);
        try (FittedBooster fitted = new GbdtTrainer().fitBooster(problem.data(), 7)) {
            double d = maxDifference(fitted, problem.testX());
            System.out.printf("gbdt binary: max relative |kiln - xgboost pred_contribs| = %.3g%n", d);
            assertThat(d).isLessThan(1e-4);
        }
    }

    @Test
    void gbdtMulticlass() throws Exception {
        XGBoostTestData.Problem problem = XGBoostTestData.problem(Task.MULTICLASS, 3, 1500, 8, 0.05, 0.3, 6);
        try (FittedBooster fitted = new GbdtTrainer().fitBooster(problem.data(), 7)) {
            assertThat(maxDifference(fitted, problem.testX())).isLessThan(1e-4);
        }
    }

    @Test
    void gbdtRegression() throws Exception {
        XGBoostTestData.Problem problem = XGBoostTestData.problem(Task.REGRESSION, 0, 1500, 8, 0.05, 0.3, 7);
        try (FittedBooster fitted = new GbdtTrainer().fitBooster(problem.data(), 7)) {
            assertThat(maxDifference(fitted, problem.testX())).isLessThan(1e-4);
        }
    }

    @Test
    void randomForestBinary() throws Exception {
        XGBoostTestData.Problem problem = XGBoostTestData.problem(Task.BINARY, 2, 1500, 8, 0.1, 0.3, 8);
        try (FittedBooster fitted = new ForestTrainer().fitBooster(problem.data(), 7)) {
            assertThat(maxDifference(fitted, problem.testX())).isLessThan(1e-4);
        }
    }
}
