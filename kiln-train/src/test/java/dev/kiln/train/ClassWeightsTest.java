package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.model.ConstantEstimator;
import dev.kiln.runtime.model.Estimator;
import dev.kiln.runtime.model.LinearEstimator;
import dev.kiln.train.linear.LinearTrainer;
import dev.kiln.train.xgboost.GbdtTrainer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** {@link ClassWeights#balanced} and row weights in the trainers that honour them. */
class ClassWeightsTest {

    @Test
    void balancedIsScikitLearnsFormula() {
        // compute_sample_weight('balanced', [0, 0, 0, 1]) = [0.667, 0.667, 0.667, 2.0]
        double[] w = ClassWeights.balanced(new double[] {0, 0, 0, 1}, 2);
        assertThat(w).containsExactly(new double[] {4.0 / 6, 4.0 / 6, 4.0 / 6, 2.0}, within(1e-15));
        // A class with no rows does not count: k is the number of classes present, as np.unique(y) in scikit-learn.
        assertThat(ClassWeights.balanced(new double[] {0, 2, 2}, 3)).containsExactly(new double[] {1.5, 0.75, 0.75}, within(1e-15));
    }

    @Test
    void refusesLabelsThatAreNotClassIndices() {
        assertThatThrownBy(() -> ClassWeights.balanced(new double[] {0, 1.5}, 2))
                .isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).code()).isEqualTo(ErrorCode.TARGET_INVALID))
                .hasMessageContaining("row 1");
        assertThatThrownBy(() -> ClassWeights.balanced(new double[] {0, 2}, 2)).isInstanceOf(KilnException.class);
    }

    @Property(tries = 200)
    void everyPresentClassCarriesTheSameTotalAndTheWeightsAverageOne(
            @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 3) Integer> labels) {
        double[] y = labels.stream().mapToDouble(Integer::doubleValue).toArray();
        double[] w = ClassWeights.balanced(y, 4);
        double[] totals = new double[4];
        for (int i = 0; i < y.length; i++) {
            totals[(int) y[i]] += w[i];
        }
        long present = labels.stream().distinct().count();
        for (double t : totals) {
            if (t != 0) {
                assertThat(t).isCloseTo((double) y.length / present, within(1e-9));
            }
        }
        assertThat(Arrays.stream(w).sum()).isCloseTo(y.length, within(1e-9));
    }

    /** 10% positives that overlap the negatives: unweighted models rarely say "positive" at 0.5. */
    private static TrainingData imbalanced(long seed) {
        Random r = new Random(seed);
        int n = 3000;
        double[][] x = new double[n][3];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextDouble() < 0.1 ? 1 : 0;
            for (int j = 0; j < 3; j++) {
                x[i][j] = r.nextGaussian() + (y[i] == 1 && j < 2 ? 0.8 : 0.0);
            }
        }
        return new TrainingData(Task.BINARY, 2, List.of("a", "b", "c"), x, y, null, null);
    }

    private static double positiveRecall(Estimator e, TrainingData data) {
        double[] out = new double[1];
        int positives = 0;
        int found = 0;
        for (int i = 0; i < data.x().length; i++) {
            if (data.y()[i] == 1) {
                positives++;
                e.predict(data.x()[i], out);
                found += out[0] >= 0.5 ? 1 : 0;
            }
        }
        return (double) found / positives;
    }

    @Test
    void balancedWeightsRaiseTheMinorityRecallOfLinearAndGbdt() {
        TrainingData data = imbalanced(1);
        TrainingData weighted = data.withWeights(ClassWeights.balanced(data.y(), 2));
        var linear = new LinearTrainer();
        double before = positiveRecall(linear.fit(data, 1).estimator(), data);
        double after = positiveRecall(linear.fit(weighted, 1).estimator(), data);
        assertThat(after).as("linear recall %s -> %s", before, after).isGreaterThan(before + 0.3);
        var gbdt = new GbdtTrainer(3, 0.1, 50, 0, 1, Map.of());
        double gBefore = positiveRecall(gbdt.fit(data, 1).estimator(), data);
        double gAfter = positiveRecall(gbdt.fit(weighted, 1).estimator(), data);
        assertThat(gAfter).as("gbdt recall %s -> %s", gBefore, gAfter).isGreaterThan(gBefore + 0.3);
        var baseline = (ConstantEstimator) new BaselineTrainer().fit(weighted, 1).estimator();
        double[] prior = new double[1];
        baseline.predict(new double[3], prior);
        assertThat(prior[0]).as("balanced priors").isCloseTo(0.5, within(1e-12));
    }

    @Test
    void allOnesWeightsGiveTheUnweightedModel() {
        TrainingData data = imbalanced(2);
        double[] ones = new double[data.x().length];
        Arrays.fill(ones, 1.0);
        TrainingData weighted = data.withWeights(ones);
        var a = (LinearEstimator) new LinearTrainer().fit(data, 1).estimator();
        var b = (LinearEstimator) new LinearTrainer().fit(weighted, 1).estimator();
        assertThat(b.weights()).isDeepEqualTo(a.weights());
        assertThat(b.intercepts()).containsExactly(a.intercepts());
        double[] y = new double[data.x().length];
        for (int i = 0; i < y.length; i++) {
            y[i] = data.x()[i][0] * 2 - data.x()[i][2] + data.y()[i];
        }
        TrainingData regression = new TrainingData(Task.REGRESSION, 0, data.featureNames(), data.x(), y, null, null);
        var ra = (LinearEstimator) new LinearTrainer().fit(regression, 1).estimator();
        var rb = (LinearEstimator) new LinearTrainer().fit(regression.withWeights(ones), 1).estimator();
        assertThat(rb.weights()).isDeepEqualTo(ra.weights());
        assertThat(rb.intercepts()).containsExactly(ra.intercepts());
        var gbdt = new GbdtTrainer(3, 0.1, 30, 0, 1, Map.of());
        Estimator ga = gbdt.fit(data, 1).estimator();
        Estimator gb = gbdt.fit(weighted, 1).estimator();
        double[] oa = new double[1];
        double[] ob = new double[1];
        for (double[] row : data.x()) {
            ga.predict(row, oa);
            gb.predict(row, ob);
            assertThat(ob[0]).isEqualTo(oa[0]);
        }
    }

    @Test
    void weightedRidgeFitsTheHeavyRows() {
        // Two groups with different slopes: weighting one group heavily pulls the slope towards it.
        int n = 200;
        double[][] x = new double[n][1];
        double[] y = new double[n];
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            x[i][0] = i % 100;
            boolean steep = i >= 100;
            y[i] = (steep ? 3.0 : 1.0) * x[i][0];
            w[i] = steep ? 100.0 : 1.0;
        }
        TrainingData data = new TrainingData(Task.REGRESSION, 0, List.of("x"), x, y, null, null);
        var plain = (LinearEstimator) new LinearTrainer().fit(data, 1).estimator();
        var heavy = (LinearEstimator) new LinearTrainer().fit(data.withWeights(w), 1).estimator();
        assertThat(plain.weights()[0][0]).isCloseTo(2.0, within(1e-3));
        assertThat(heavy.weights()[0][0]).isCloseTo((3.0 * 100 + 1.0) / 101, within(1e-3));
    }

    @Test
    void refusesNegativeOrNonFiniteWeights() {
        TrainingData data = imbalanced(3);
        double[] w = new double[data.x().length];
        w[5] = -1;
        assertThatThrownBy(() -> data.withWeights(w)).isInstanceOf(KilnException.class).hasMessageContaining("row 5");
    }
}
