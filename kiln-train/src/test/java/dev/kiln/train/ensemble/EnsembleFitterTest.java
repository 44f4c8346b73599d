package dev.kiln.train.ensemble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Caruana-style ensemble selection: never worse than the best single member, finds a planted blend, deterministic. */
class EnsembleFitterTest {

    @Property(tries = 100)
    void neverWorseOnTheHeldOutRowsThanTheBestSingleMember(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int members,
                                                           @ForAll @IntRange(min = 0, max = 2) int taskIndex) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Task task = Task.values()[taskIndex];
        int classes = task == Task.MULTICLASS ? 3 : 2;
        int outputs = task == Task.MULTICLASS ? 3 : 1;
        int n = 5 + rnd.nextInt(60);
        double[] y = new double[n];
        for (int r = 0; r < n; r++) {
            y[r] = task == Task.REGRESSION ? rnd.nextDouble(-3, 3) : rnd.nextInt(classes);
        }
        List<double[][]> margins = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            double[][] m = new double[n][outputs];
            double skill = rnd.nextDouble(0, 2);
            for (int r = 0; r < n; r++) {
                for (int k = 0; k < outputs; k++) {
                    double signal = task == Task.REGRESSION ? y[r]
                            : (task == Task.BINARY ? 2 * y[r] - 1 : (y[r] == k ? 1 : -1));
                    m[r][k] = skill * signal + rnd.nextDouble(-2, 2);
                }
            }
            margins.add(m);
        }
        EnsembleFitter.Result result = EnsembleFitter.fit(task, classes, margins, y, 50);
        double bestSingle = Double.POSITIVE_INFINITY;
        for (double[][] m : margins) {
            bestSingle = Math.min(bestSingle, EnsembleFitter.loss(task, new double[n][outputs], m, 1, y));
        }
        assertThat(result.score()).isLessThanOrEqualTo(bestSingle);
        double sum = 0;
        for (double w : result.weights()) {
            assertThat(w).isBetween(0.0, 1.0);
            sum += w;
        }
        assertThat(sum).isCloseTo(1.0, Offset.offset(1e-12));
        // the score is that of the blend the weights describe
        double[][] blend = new double[n][outputs];
        for (int i = 0; i < members; i++) {
            for (int r = 0; r < n; r++) {
                for (int k = 0; k < outputs; k++) {
                    blend[r][k] += result.weights()[i] * margins.get(i)[r][k];
                }
            }
        }
        assertThat(EnsembleFitter.loss(task, new double[n][outputs], blend, 1, y))
                .isCloseTo(result.score(), Offset.offset(1e-9 * (1 + result.score())));
        assertThat(result.rounds()).isBetween(1, 50);
        EnsembleFitter.Result again = EnsembleFitter.fit(task, classes, margins, y, 50);
        assertThat(again.weights()).containsExactly(result.weights());
        assertThat(again.score()).isEqualTo(result.score());
    }

    @Test
    void findsTwoMembersWhoseErrorsCancel() {
        int n = 200;
        SplittableRandom rnd = new SplittableRandom(7);
        double[] y = new double[n];
        double[][] plus = new double[n][1];
        double[][] minus = new double[n][1];
        double[][] noisy = new double[n][1];
        double[][] constant = new double[n][1];
        for (int r = 0; r < n; r++) {
            y[r] = rnd.nextDouble(-5, 5);
            double e = rnd.nextDouble(-1, 1);
            plus[r][0] = y[r] + e;
            minus[r][0] = y[r] - e;
            noisy[r][0] = y[r] + rnd.nextDouble(-1.5, 1.5);
        }
        EnsembleFitter.Result result = EnsembleFitter.fit(Task.REGRESSION, 0, List.of(constant, noisy, plus, minus), y, 50);
        assertThat(result.weights()[0]).isZero();
        assertThat(result.weights()[2]).isCloseTo(0.5, Offset.offset(1e-12));
        assertThat(result.weights()[3]).isCloseTo(0.5, Offset.offset(1e-12));
        assertThat(result.score()).isLessThan(1e-12);
        assertThat(result.rounds()).isLessThan(50).as("stops once nothing improves");
        assertThat(result.notes()).anyMatch(s -> s.contains("no better ensemble"));
    }

    @Test
    void findsAPlantedBinaryBlendOfThreeToOne() {
        // the true log-odds are 0.75 a + 0.25 b: labels drawn from them; with many rows selection lands on 3:1
        int n = 20_000;
        SplittableRandom rnd = new SplittableRandom(11);
        double[] y = new double[n];
        double[][] a = new double[n][1];
        double[][] b = new double[n][1];
        for (int r = 0; r < n; r++) {
            a[r][0] = rnd.nextDouble(-4, 4);
            b[r][0] = rnd.nextDouble(-4, 4);
            double p = 1 / (1 + Math.exp(-(0.75 * a[r][0] + 0.25 * b[r][0])));
            y[r] = rnd.nextDouble() < p ? 1 : 0;
        }
        EnsembleFitter.Result result = EnsembleFitter.fit(Task.BINARY, 2, List.of(b, a), y, 50);
        assertThat(result.weights()[1]).isCloseTo(0.75, Offset.offset(0.06));
        assertThat(result.weights()[0]).isCloseTo(0.25, Offset.offset(0.06));
    }

    @Test
    void tiesGoToTheLowerIndex() {
        double[][] m = {{0.5}, {-0.5}, {2}};
        double[] y = {1, 0, 1};
        EnsembleFitter.Result result = EnsembleFitter.fit(Task.BINARY, 2, List.of(m, m.clone(), m), y, 10);
        assertThat(result.weights()).containsExactly(1.0, 0.0, 0.0);
        assertThat(result.rounds()).isEqualTo(1 + EnsembleFitter.PATIENCE);
    }

    @Test
    void multiclassSelectionUsesTheSoftmaxLogLoss() {
        double[][] good = {{2, 0, 0}, {0, 2, 0}, {0, 0, 2}};
        double[][] bad = {{0, 2, 0}, {0, 0, 2}, {2, 0, 0}};
        double[] y = {0, 1, 2};
        EnsembleFitter.Result result = EnsembleFitter.fit(Task.MULTICLASS, 3, List.of(bad, good), y, 50);
        assertThat(result.weights()).containsExactly(0.0, 1.0);
        double expected = -Math.log(Math.exp(2) / (Math.exp(2) + 2));
        assertThat(result.score()).isCloseTo(expected, Offset.offset(1e-12));
    }

    @Test
    void badInputNamesTheParameter() {
        double[][] m = {{0.5}, {-0.5}};
        assertInvalid(() -> EnsembleFitter.fit(Task.BINARY, 2, List.of(), new double[] {1, 0}, 50), "memberMargins");
        assertInvalid(() -> EnsembleFitter.fit(Task.BINARY, 2, List.<double[][]>of(m), new double[] {1, 0, 1}, 50), "memberMargins");
        assertInvalid(() -> EnsembleFitter.fit(Task.BINARY, 2, List.<double[][]>of(m), new double[] {1, 0}, 0), "maxRounds");
        assertInvalid(() -> EnsembleFitter.fit(Task.BINARY, 2, List.<double[][]>of(m), new double[] {1, 3}, 50), "y");
        assertInvalid(() -> EnsembleFitter.fit(Task.MULTICLASS, 3, List.<double[][]>of(m), new double[] {1, 0}, 50), "memberMargins");
        assertInvalid(() -> EnsembleFitter.fit(Task.BINARY, 2, List.<double[][]>of(new double[][] {{Double.NaN}, {Double.NaN}}),
                new double[] {1, 0}, 50), "memberMargins");
    }

    private static void assertInvalid(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String parameter) {
        assertThatThrownBy(call).isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .satisfies(e -> assertThat(((KilnException) e).details()).containsEntry("parameter", parameter))
                .hasMessageContaining(parameter);
    }
}
