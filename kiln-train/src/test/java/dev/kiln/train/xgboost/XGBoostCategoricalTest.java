package dev.kiln.train.xgboost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.model.PackedTrees;
import dev.kiln.runtime.model.Tree;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import dev.kiln.train.TrainingData;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import ml.dmlc.xgboost4j.java.DMatrix;
import org.junit.jupiter.api.Test;

/**
 * XGBoost's native categorical splits (feature type "c") converted into Kiln's trees score as XGBoost's own booster
 * does, on training rows and on rows XGBoost never saw: unseen codes, missing values, invalid (negative) codes.
 */
class XGBoostCategoricalTest {
    private static final int LEVELS = 25;
    private static final boolean[] CATEGORICAL = {false, true, false, true};

    /** Column 1 a 25-level category whose effect has no order, column 3 a 4-level one, columns 0 and 2 numeric. */
    private static double[][] rows(int n, SplittableRandom r, boolean unseen) {
        double[][] x = new double[n][4];
        for (double[] row : x) {
            row[0] = r.nextDouble() * 2 - 1;
            row[1] = unseen && r.nextInt(3) == 0 ? LEVELS + r.nextInt(20) : r.nextInt(LEVELS);
            row[2] = r.nextDouble();
            row[3] = r.nextInt(4);
            if (r.nextInt(12) == 0) {
                row[1] = Double.NaN;
            }
            if (r.nextInt(15) == 0) {
                row[3] = Double.NaN;
            }
            if (unseen && r.nextInt(20) == 0) {
                row[1] = -1;
            }
        }
        return x;
    }

    private static double effect(double code) {
        return Double.isNaN(code) ? 0.3 : ((int) code * 7919 % 5) - 2.0;
    }

    private static TrainingData data(Task task, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] x = rows(n, r, false);
        double[][] vx = rows(n / 4, r, false);
        double[] y = labels(task, x, r);
        double[] vy = labels(task, vx, r);
        return new TrainingData(task, task == Task.MULTICLASS ? 3 : (task == Task.BINARY ? 2 : 0),
                List.of("q0", "c1", "q2", "c3"), x, y, vx, vy, CATEGORICAL, null);
    }

    private static double[] labels(Task task, double[][] x, SplittableRandom r) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double s = effect(x[i][1]) + x[i][0] + (Double.isNaN(x[i][3]) ? 0 : x[i][3] == 2 ? 1 : 0) + r.nextGaussian() * 0.5;
            y[i] = switch (task) {
                case BINARY -> s > 0 ? 1 : 0;
                case MULTICLASS -> s < -1 ? 0 : s < 1 ? 1 : 2;
                case REGRESSION -> s;
            };
        }
        return y;
    }

    private static void assertScoresAsXGBoost(FittedBooster fitted, double[][] x) throws Exception {
        TreeEnsembleEstimator estimator = fitted.estimator();
        assertThat(estimator.trees().stream().anyMatch(Tree::hasCategoricalSplits))
                .as("XGBoost split on the categories natively").isTrue();
        DMatrix m = XGBoostData.matrix(x, null, CATEGORICAL, null);
        float[][] expected;
        float[][] contribs;
        try {
            expected = fitted.booster().predict(m, true);
            contribs = fitted.booster().predictContrib(m, 0);
        } finally {
            m.dispose();
        }
        int outputs = estimator.outputs();
        TreeEnsembleEstimator margins = new TreeEnsembleEstimator(estimator.inputWidth(), estimator.base(), 1.0,
                dev.kiln.runtime.model.Link.IDENTITY, estimator.trees(), true);
        PackedTrees packed = PackedTrees.of(margins);
        assertThat(packed).isNotNull();
        double[] out = new double[outputs];
        double[] fromPacked = new double[outputs];
        double[][] phi = new double[outputs][5];
        double maxContribDiff = 0;
        for (int i = 0; i < x.length; i++) {
            margins.predict(x[i], out);
            packed.predict(x[i], fromPacked);
            margins.contributions(x[i], phi);
            for (int k = 0; k < outputs; k++) {
                assertThat(Math.abs(out[k] - expected[i][k])).as("row %s output %d", java.util.Arrays.toString(x[i]), k)
                        .isLessThanOrEqualTo(1e-6);
                assertThat(fromPacked[k]).isEqualTo(out[k]);
                double sum = 0;
                for (int f = 0; f <= 4; f++) {
                    sum += phi[k][f];
                    double theirs = contribs[i][k * 5 + f];
                    maxContribDiff = Math.max(maxContribDiff, Math.abs(phi[k][f] - theirs) / (1 + Math.abs(theirs)));
                }
                assertThat(sum).as("contributions add up to the margin").isCloseTo(out[k],
                        org.assertj.core.data.Offset.offset(1e-5));
            }
        }
        assertThat(maxContribDiff).as("Kiln's TreeSHAP against XGBoost's pred_contribs").isLessThan(1e-4);
    }

    @Test
    void gbdtBinaryScoresAsXGBoostOnTrainingAndUnseenRows() throws Exception {
        TrainingData data = data(Task.BINARY, 2000, 1);
        try (FittedBooster fitted = new GbdtTrainer(4, 0.3, 60, 10, 2, Map.of()).fitBooster(data, 7)) {
            assertScoresAsXGBoost(fitted, data.x());
            assertScoresAsXGBoost(fitted, rows(800, new SplittableRandom(9), true));
        }
    }

    @Test
    void gbdtMulticlassAndRegression() throws Exception {
        for (Task task : new Task[] {Task.MULTICLASS, Task.REGRESSION}) {
            TrainingData data = data(task, 1500, 2);
            try (FittedBooster fitted = new GbdtTrainer(4, 0.3, 40, 10, 2, Map.of()).fitBooster(data, 7)) {
                assertScoresAsXGBoost(fitted, rows(600, new SplittableRandom(3), true));
            }
        }
    }

    @Test
    void forestSplitsOnCategoriesToo() throws Exception {
        TrainingData data = data(Task.BINARY, 1500, 4);
        try (FittedBooster fitted = new ForestTrainer(20, 6, 0.632, 1.0, 2, Map.of()).fitBooster(data, 7)) {
            assertScoresAsXGBoost(fitted, rows(600, new SplittableRandom(5), true));
        }
    }

    @Test
    void withoutFlagsTheSameCodesAreSplitAsNumbers() {
        TrainingData data = data(Task.BINARY, 1500, 1).withCategorical(null);
        try (FittedBooster fitted = new GbdtTrainer(4, 0.3, 20, 10, 2, Map.of()).fitBooster(data, 7)) {
            assertThat(fitted.estimator().trees()).noneMatch(Tree::hasCategoricalSplits);
        }
    }
}
