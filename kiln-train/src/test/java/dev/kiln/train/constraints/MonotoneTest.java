package dev.kiln.train.constraints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.features.FeatureTransform;
import dev.kiln.runtime.model.Estimator;
import dev.kiln.train.BaselineTrainer;
import dev.kiln.train.Trainer;
import dev.kiln.train.TrainingData;
import dev.kiln.train.cart.DecisionTreeTrainer;
import dev.kiln.train.linear.LinearTrainer;
import dev.kiln.train.xgboost.ForestTrainer;
import dev.kiln.train.xgboost.GbdtTrainer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MonotoneTest {
    /** age (numeric with a missing indicator), city (one-hot of two levels), income (numeric), signup (dates). */
    private static final FeaturePipeline PIPELINE = new FeaturePipeline(List.of(
            new FeatureTransform.Numeric("age", 40, true, 0, 1),
            new FeatureTransform.OneHot("city", List.of("oslo", "rome"), "oslo", false),
            new FeatureTransform.Numeric("income", 1000, false, 500, 200),
            new FeatureTransform.DateParts("signup", List.of(FeatureTransform.DatePart.YEAR), 0, false)));

    @Test
    void theValueFeatureCarriesTheDirectionAndEverythingElseIsFree() {
        assertThat(PIPELINE.featureNames()).containsExactly("age", "age__missing", "city=oslo", "city=rome",
                "city=__unknown__", "income", "signup.year");
        assertThat(Monotone.featureSigns(Map.of("age", 1, "income", -1), PIPELINE)).containsExactly(1, 0, 0, 0, 0, -1, 0);
        assertThat(Monotone.xgboostConstraints(Map.of("income", -1), PIPELINE)).isEqualTo("(0,0,0,0,0,-1,0)");
        assertThat(Monotone.xgboostConstraints(Map.of(), PIPELINE)).isEqualTo("(0,0,0,0,0,0,0)");
        assertThat(Monotone.unused(Map.of("age", 1, "gone", 1), PIPELINE)).containsExactly("gone");
        assertThatThrownBy(() -> Monotone.featureSigns(Map.of("city", 1), PIPELINE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eachAlgorithmIsMadeToHonourTheConstraintsOrSaysItCannot() {
        Map<String, Integer> byColumn = Map.of("age", 1);
        Trainer gbdt = Monotone.honouring(new GbdtTrainer(), byColumn, PIPELINE);
        assertThat(((GbdtTrainer) gbdt).extraParams()).containsEntry("monotone_constraints", "(1,0,0,0,0,0,0)");
        assertThat(((GbdtTrainer) gbdt).maxDepth()).isEqualTo(GbdtTrainer.DEFAULT_MAX_DEPTH);
        Trainer forest = Monotone.honouring(new ForestTrainer(), byColumn, PIPELINE);
        assertThat(((ForestTrainer) forest).extraParams()).containsEntry("monotone_constraints", "(1,0,0,0,0,0,0)");
        Trainer linear = Monotone.honouring(new LinearTrainer(), byColumn, PIPELINE);
        assertThat(linear).isEqualTo(new MonotoneLinearTrainer(new LinearTrainer(), new int[] {1, 0, 0, 0, 0, 0, 0}));
        BaselineTrainer baseline = new BaselineTrainer();
        assertThat(Monotone.honouring(baseline, byColumn, PIPELINE)).isSameAs(baseline);
        DecisionTreeTrainer tree = new DecisionTreeTrainer();
        assertThat(Monotone.honouring(tree, Map.of(), PIPELINE)).isSameAs(tree);
        assertThatThrownBy(() -> Monotone.honouring(tree, byColumn, PIPELINE)).isInstanceOf(IllegalArgumentException.class);
        assertThat(List.of("baseline", "linear", "gbdt", "forest")).allMatch(Monotone::honours);
        assertThat(Monotone.honours("tree")).isFalse();
    }

    /** y = sin(2 x0) + 0.5 x1: rises and falls in x0; a constrained model must not. */
    private static TrainingData wavy(Task task, int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[][] x = new double[n][2];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i][0] = rnd.nextDouble(-2, 2);
            x[i][1] = rnd.nextGaussian();
            double s = Math.sin(2 * x[i][0]) + 0.5 * x[i][1] + 0.1 * rnd.nextGaussian();
            y[i] = task == Task.REGRESSION ? s : rnd.nextDouble() < 1 / (1 + Math.exp(-3 * s)) ? 1 : 0;
        }
        int fit = n * 3 / 4;
        return new TrainingData(task, task == Task.REGRESSION ? 0 : 2, List.of("x0", "x1"),
                java.util.Arrays.copyOfRange(x, 0, fit), java.util.Arrays.copyOfRange(y, 0, fit),
                java.util.Arrays.copyOfRange(x, fit, n), java.util.Arrays.copyOfRange(y, fit, n));
    }

    /** The largest drop (sign +1) of the prediction as x0 scans [-2.5, 2.5] with x1 fixed, over a few x1. */
    static double largestStepAgainst(Estimator e, int sign) {
        double worst = 0;
        double[] out = new double[e.outputs()];
        for (double x1 : new double[] {-1.5, -0.3, 0, 0.8, 2}) {
            double previous = Double.NaN;
            for (int g = 0; g <= 400; g++) {
                e.predict(new double[] {-2.5 + 5.0 * g / 400, x1}, out);
                if (!Double.isNaN(previous)) {
                    worst = Math.max(worst, sign * (previous - out[0]));
                }
                previous = out[0];
            }
        }
        return worst;
    }

    @Test
    void xgboostWithTheConstraintIsMonotoneWhereTheDataAreNot() {
        for (Task task : List.of(Task.REGRESSION, Task.BINARY)) {
            TrainingData data = wavy(task, 3000, 5);
            Estimator free = new GbdtTrainer(4, 0.1, 200, 20, 1, Map.of()).fit(data, 1).estimator();
            assertThat(largestStepAgainst(free, 1)).as("%s without the constraint follows the wave", task)
                    .isGreaterThan(0.05);
            for (int sign : new int[] {1, -1}) {
                String s = Monotone.xgboostConstraints(new int[] {sign, 0});
                var model = new GbdtTrainer(4, 0.1, 200, 20, 1, Map.of("monotone_constraints", s)).fit(data, 1);
                assertThat(model.hyperparameters()).containsEntry("monotone_constraints", s);
                assertThat(largestStepAgainst(model.estimator(), sign)).as("%s with %s", task, s).isZero();
            }
            Map<String, Object> forestParams = Map.of("monotone_constraints", "(1,0)");
            Estimator forest = new ForestTrainer(50, 6, 0.632, 0, 1, forestParams).fit(data, 1).estimator();
            assertThat(largestStepAgainst(forest, 1)).as("%s forest", task).isZero();
        }
    }
}
