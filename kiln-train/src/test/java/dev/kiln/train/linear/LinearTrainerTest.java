package dev.kiln.train.linear;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.model.LinearEstimator;
import dev.kiln.runtime.model.Link;
import dev.kiln.train.TrainedModel;
import dev.kiln.train.TrainingData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinearTrainerTest {
    private final LinearTrainer trainer = new LinearTrainer();

    private static TrainingData data(Task task, int classes, double[][] x, double[] y) {
        List<String> names = new ArrayList<>();
        for (int j = 0; j < x[0].length; j++) {
            names.add("f" + j);
        }
        return new TrainingData(task, classes, names, x, y, new double[0][], new double[0]);
    }

    private static LinearEstimator fit(LinearTrainer trainer, TrainingData data) {
        TrainedModel model = trainer.fit(data, 1L);
        LinearEstimator e = (LinearEstimator) model.estimator();
        e.validate(data.width());
        return e;
    }

    @Test
    void binaryMatchesScikitLearn() {
        // Data (/work/scratch/ref/ref.py and newton.py, "logistic binary"): g = Lcg(2024); per row
        // x_j = 4u - 2 (j < 4), z = 1.5 x0 - 2 x1 + 0.5 x2 + 0.3, y = u' < sigmoid(z).
        // OPTIMUM: the exact minimiser of sum log-loss + 0.5 ||w||^2, by Newton's method in numpy (final
        // gradient 2e-15). SKLEARN: scikit-learn 1.2.1 LogisticRegression(C=1.0, solver='lbfgs', tol=1e-12,
        // max_iter=10000); its L-BFGS stops on its function-decrease test 7e-7 from the optimum.
        double[] optimumW = {1.5463274411363372, -1.438285648569725, 0.14119038164099765, 0.207972191321199};
        double optimumB = 0.4625027776936438;
        double[] optimumP = {0.6534446576641819, 0.9096950730804181, 0.25329737818643494, 0.9960283310557887,
                0.9647969714942961};
        double[] sklearnW = {1.54632757831024, -1.438285276532405, 0.1411903553881587, 0.20797292624307098};
        double sklearnB = 0.4625025839428093;
        Lcg g = new Lcg(2024);
        int n = 200;
        double[][] x = new double[n][4];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) {
                x[i][j] = 4 * g.next() - 2;
            }
            double z = 1.5 * x[i][0] - 2 * x[i][1] + 0.5 * x[i][2] + 0.3;
            y[i] = g.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
        }
        TrainedModel model = trainer.fit(data(Task.BINARY, 2, x, y), 7L);
        LinearEstimator e = (LinearEstimator) model.estimator();
        assertThat(e.link()).isEqualTo(Link.LOGISTIC);
        assertThat(e.outputs()).isEqualTo(1);
        assertThat(e.weights()[0]).containsExactly(optimumW, within(1e-7));
        assertThat(e.intercepts()[0]).isCloseTo(optimumB, within(1e-7));
        assertThat(e.weights()[0]).containsExactly(sklearnW, within(1e-5));
        assertThat(e.intercepts()[0]).isCloseTo(sklearnB, within(1e-5));
        double[] out = new double[1];
        for (int i = 0; i < optimumP.length; i++) {
            e.predict(x[i], out);
            assertThat(out[0]).isCloseTo(optimumP[i], within(1e-8));
        }
        assertThat(model.trainingInfo()).containsEntry("converged", true).containsEntry("seed", 7L);
        assertThat(model.hyperparameters()).containsEntry("C", 1.0);
    }

    @Test
    void multinomialMatchesScikitLearn() {
        // Data (/work/scratch/ref/ref.py and newton.py, "logistic multinomial"): g = Lcg(99); x_j = 4u - 2
        // (j < 3); y = argmax_c (W_c . x + Gumbel noise -log(-log(u + 1e-300))).
        // OPTIMUM: exact minimiser of sum cross-entropy + 0.5 ||W||^2 by Newton's method in numpy, intercepts
        // centred (sklearn's sum to zero too). SKLEARN: scikit-learn 1.2.1 LogisticRegression(C=1.0,
        // solver='lbfgs', tol=1e-12) (multinomial), which stops 2.5e-6 from the optimum.
        double[][] optimumW = {
                {0.6599489810812547, -0.8994071096252009, 0.36826777425352547},
                {-0.6425186593944492, 1.0873938687971683, 0.3728617963572067},
                {-0.017430321686809174, -0.18798675917197072, -0.7411295706107341}};
        double[] optimumB = {0.0808232553775938, -0.0314327876044881, -0.0493904677731057};
        double[][] sklearnW = {
                {0.6599489337441649, -0.8994084319364593, 0.36827032071051885},
                {-0.6425169497458659, 1.087394536815304, 0.37285939396859946},
                {-0.017431983998298838, -0.18798610487884487, -0.7411297146791189}};
        double[] sklearnB = {0.08082372060032586, -0.03143302717899561, -0.04939069342133058};
        Lcg g = new Lcg(99);
        double[][] w = {{1.0, -1.0, 0.5}, {-0.5, 1.5, 0.0}, {0.0, 0.0, -1.0}};
        int n = 300;
        double[][] x = new double[n][3];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                x[i][j] = 4 * g.next() - 2;
            }
            int best = 0;
            double bestZ = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < 3; c++) {
                double z = w[c][0] * x[i][0] + w[c][1] * x[i][1] + w[c][2] * x[i][2]
                        - Math.log(-Math.log(g.next() + 1e-300));
                if (z > bestZ) {
                    bestZ = z;
                    best = c;
                }
            }
            y[i] = best;
        }
        LinearEstimator e = fit(trainer, data(Task.MULTICLASS, 3, x, y));
        assertThat(e.link()).isEqualTo(Link.SOFTMAX);
        for (int c = 0; c < 3; c++) {
            assertThat(e.weights()[c]).containsExactly(optimumW[c], within(1e-7));
            assertThat(e.weights()[c]).containsExactly(sklearnW[c], within(1e-5));
        }
        assertThat(e.intercepts()).containsExactly(optimumB, within(1e-7));
        assertThat(e.intercepts()).containsExactly(sklearnB, within(1e-5));
        double[] out = new double[3];
        e.predict(x[0], out);
        assertThat(out).containsExactly(new double[] {0.24665694750352354, 0.6737576185405554,
                0.07958543395592117}, within(1e-8));
        e.predict(x[1], out);
        assertThat(out).containsExactly(new double[] {0.056379379661913955, 0.8960122649964641,
                0.047608355341621965}, within(1e-8));
    }

    @Test
    void regressionMatchesLeastSquares() {
        // Reference: scikit-learn 1.2.1 LinearRegression() on (/work/scratch/ref/ref.py, "ols"): g = Lcg(5);
        // x_j = 6u - 3 (j < 3); y = 2 x0 - x1 + 0.25 x2 + 1 + (u' - 0.5) / 2. Kiln's ridge alpha is 1e-6
        // relative, so the coefficients agree to about 1e-6.
        Lcg g = new Lcg(5);
        int n = 100;
        double[][] x = new double[n][3];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                x[i][j] = g.next() * 6 - 3;
            }
            y[i] = 2 * x[i][0] - x[i][1] + 0.25 * x[i][2] + 1 + (g.next() - 0.5) * 0.5;
        }
        TrainedModel model = trainer.fit(data(Task.REGRESSION, 0, x, y), 1L);
        LinearEstimator e = (LinearEstimator) model.estimator();
        assertThat(e.link()).isEqualTo(Link.IDENTITY);
        assertThat(e.weights()[0]).containsExactly(new double[] {1.9858159351083233, -1.0033383057508773,
                0.2519218684374728}, within(1e-5));
        assertThat(e.intercepts()[0]).isCloseTo(1.0139835435075475, within(1e-5));
    }

    @Test
    void ridgeMatchesTheClosedForm() {
        // One feature: w = Sxy / (Sxx + alpha), alpha = ridgeAlpha * Sxx (the mean gram diagonal), b = ybar - w xbar.
        double[][] x = {{1}, {2}, {4}, {7}};
        double[] y = {3, 5, 6, 11};
        double xbar = 3.5;
        double ybar = 6.25;
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < 4; i++) {
            sxx += (x[i][0] - xbar) * (x[i][0] - xbar);
            sxy += (x[i][0] - xbar) * (y[i] - ybar);
        }
        LinearTrainer strong = new LinearTrainer(1.0, 500, 1e-8, 0.5);
        LinearEstimator e = fit(strong, data(Task.REGRESSION, 0, x, y));
        double w = sxy / (sxx + 0.5 * sxx);
        assertThat(e.weights()[0][0]).isCloseTo(w, within(1e-12));
        assertThat(e.intercepts()[0]).isCloseTo(ybar - w * xbar, within(1e-12));
    }

    @Test
    void constantAndDuplicateColumnsStaySolvable() {
        Lcg g = new Lcg(3);
        int n = 60;
        double[][] x = new double[n][3];
        double[] yReg = new double[n];
        double[] yBin = new double[n];
        for (int i = 0; i < n; i++) {
            double v = g.next() * 2 - 1;
            x[i] = new double[] {v, 5.0, v}; // constant column, and a duplicate (singular gram matrix)
            yReg[i] = 3 * v + 1;
            yBin[i] = g.next() < 1 / (1 + Math.exp(-3 * v)) ? 1 : 0;
        }
        LinearEstimator reg = fit(trainer, data(Task.REGRESSION, 0, x, yReg));
        assertThat(reg.weights()[0][1]).isEqualTo(0.0);
        assertThat(reg.weights()[0][0] + reg.weights()[0][2]).isCloseTo(3.0, within(1e-4));
        assertThat(reg.weights()[0][0]).isCloseTo(reg.weights()[0][2], within(1e-9)); // ridge splits evenly
        double[] out = new double[1];
        reg.predict(x[0], out);
        assertThat(out[0]).isCloseTo(yReg[0], within(1e-4));

        LinearEstimator bin = fit(trainer, data(Task.BINARY, 2, x, yBin));
        assertThat(bin.weights()[0][1]).isCloseTo(0.0, within(1e-6));
        assertThat(bin.weights()[0][0]).isCloseTo(bin.weights()[0][2], within(1e-6));
    }

    @Test
    void separableDataKeepsFiniteWeights() {
        int n = 100;
        double[][] x = new double[n][2];
        double[] y = new double[n];
        Lcg g = new Lcg(8);
        for (int i = 0; i < n; i++) {
            x[i][0] = g.next() * 2 - 1;
            x[i][1] = g.next();
            y[i] = x[i][0] > 0 ? 1 : 0;
        }
        TrainedModel model = trainer.fit(data(Task.BINARY, 2, x, y), 1L);
        LinearEstimator e = (LinearEstimator) model.estimator();
        assertThat(model.trainingInfo()).containsEntry("converged", true);
        assertThat(e.weights()[0][0]).isFinite().isGreaterThan(1.0).isLessThan(100.0);
        double[] out = new double[1];
        int correct = 0;
        for (int i = 0; i < n; i++) {
            e.predict(x[i], out);
            correct += (out[0] >= 0.5) == (y[i] == 1) ? 1 : 0;
        }
        assertThat(correct).isGreaterThanOrEqualTo(98);
    }

    @Test
    void singleClassAndAbsentClassStayFinite() {
        double[][] x = {{0.1}, {0.5}, {-0.3}, {0.9}};
        LinearEstimator zeros = fit(trainer, data(Task.BINARY, 2, x, new double[] {0, 0, 0, 0}));
        assertThat(zeros.intercepts()[0]).isFinite().isNegative();
        // Class 2 of 3 never occurs: its probability becomes small but everything stays finite.
        LinearEstimator multi = fit(trainer, data(Task.MULTICLASS, 3, x, new double[] {0, 1, 0, 1}));
        double[] out = new double[3];
        multi.predict(x[0], out);
        assertThat(java.util.Arrays.stream(out).allMatch(Double::isFinite)).isTrue();
        assertThat(out[2]).isLessThan(1e-3);
        assertThat(out[0] + out[1] + out[2]).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void fittingIsDeterministic() {
        Lcg g = new Lcg(21);
        int n = 5000; // more than one chunk, so the parallel reduction is exercised
        double[][] x = new double[n][5];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 5; j++) {
                x[i][j] = g.next() - 0.5;
            }
            y[i] = (int) (g.next() * 3);
        }
        TrainingData d = data(Task.MULTICLASS, 3, x, y);
        LinearEstimator a = fit(trainer, d);
        LinearEstimator b = fit(trainer, d);
        assertThat(a.weights()).isDeepEqualTo(b.weights());
        assertThat(a.intercepts()).isEqualTo(b.intercepts());
    }

    @Test
    void describesItself() {
        assertThat(trainer.name()).isEqualTo("linear");
        assertThat(trainer.needsScaling()).isTrue();
    }
}
