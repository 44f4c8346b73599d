package dev.kiln.train.constraints;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.model.LinearEstimator;
import dev.kiln.train.TrainedModel;
import dev.kiln.train.TrainingData;
import dev.kiln.train.linear.LinearTrainer;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class MonotoneLinearTrainerTest {
    /** y from weights {@code w} on correlated features (each a common factor plus its own noise). */
    private static TrainingData data(Task task, double[] w, int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[][] x = new double[n][w.length];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double common = rnd.nextGaussian();
            double s = 0;
            for (int j = 0; j < w.length; j++) {
                x[i][j] = 0.6 * common + rnd.nextGaussian();
                s += w[j] * x[i][j];
            }
            s += 0.3 * rnd.nextGaussian();
            y[i] = task == Task.REGRESSION ? s : rnd.nextDouble() < 1 / (1 + Math.exp(-s)) ? 1 : 0;
        }
        List<String> names = java.util.stream.IntStream.range(0, w.length).mapToObj(j -> "f" + j).toList();
        return new TrainingData(task, task == Task.REGRESSION ? 0 : 2, names, x, y, new double[0][], new double[0]);
    }

    private static double[] weights(TrainedModel m) {
        return ((LinearEstimator) m.estimator()).weights()[0];
    }

    @Test
    void aWrongSignedWeightIsPinnedToZeroAndTheRestRefitted() {
        for (Task task : List.of(Task.REGRESSION, Task.BINARY)) {
            TrainingData d = data(task, new double[] {1.0, -0.8, 0.5}, 400, 3);
            assertThat(weights(new LinearTrainer().fit(d, 1))[1]).as("unconstrained: f1 falls").isNegative();
            TrainedModel m = new MonotoneLinearTrainer(new LinearTrainer(), new int[] {1, 1, 0}).fit(d, 1);
            double[] w = weights(m);
            assertThat(w[1]).isEqualTo(0.0);
            assertThat(w[0]).isPositive();
            assertThat(m.trainingInfo()).containsEntry("monotone_pinned_to_zero", List.of("f1"))
                    .containsEntry("monotone_refits", 1);
            assertThat(m.hyperparameters()).containsEntry("monotone_constraints", "(1,1,0)");
            // The explanation reference is the real mean of f1, not the zeroed column's.
            double mean = java.util.Arrays.stream(d.x()).mapToDouble(r -> r[1]).average().orElseThrow();
            assertThat(((LinearEstimator) m.estimator()).featureMeans()[1])
                    .isCloseTo(mean, org.assertj.core.api.Assertions.within(1e-12)).isNotZero();
        }
    }

    @Test
    void constraintsTheModelMeetsChangeNothing() {
        TrainingData d = data(Task.BINARY, new double[] {1.0, -0.8}, 300, 4);
        TrainedModel plain = new LinearTrainer().fit(d, 1);
        TrainedModel constrained = new MonotoneLinearTrainer(new LinearTrainer(), new int[] {1, -1}).fit(d, 1);
        assertThat(weights(constrained)).containsExactly(weights(plain));
        assertThat(((LinearEstimator) constrained.estimator()).intercepts())
                .containsExactly(((LinearEstimator) plain.estimator()).intercepts());
        assertThat(constrained.trainingInfo()).containsEntry("monotone_refits", 0);
    }

    @Property(tries = 60)
    void everyConstrainedWeightEndsWithItsSign(@ForAll @IntRange(min = 0, max = 80) int seed, @ForAll boolean binary) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int p = 2 + rnd.nextInt(4);
        double[] w = new double[p];
        int[] signs = new int[p];
        for (int j = 0; j < p; j++) {
            w[j] = rnd.nextDouble(-1.5, 1.5);
            signs[j] = rnd.nextInt(3) - 1;
        }
        TrainingData d = data(binary ? Task.BINARY : Task.REGRESSION, w, 150, seed);
        double[] fitted = weights(new MonotoneLinearTrainer(new LinearTrainer(), signs).fit(d, 1));
        for (int j = 0; j < p; j++) {
            assertThat(signs[j] * fitted[j]).as("feature %d", j).isGreaterThanOrEqualTo(0.0);
        }
    }
}
