package dev.kiln.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Estimators' contributions against their definitions: for tree ensembles, TreeSHAP equals the Shapley values
 * computed by brute force over every subset of features (the value of a subset being the tree's expected output
 * given those features, the others following the covers); every estimator's contributions and base add up to
 * its margin.
 */
class ContributionsPropertiesTest {

    @Property(tries = 300)
    void treeShapEqualsBruteForceShapley(@ForAll long seed, @ForAll @IntRange(min = 1, max = 5) int features,
                                         @ForAll @IntRange(min = 1, max = 3) int treeCount) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int outputs = rnd.nextInt(2) + 1;
        List<Tree> trees = new ArrayList<>();
        for (int t = 0; t < treeCount; t++) {
            int leafWidth = outputs == 2 && rnd.nextBoolean() ? 2 : 1;
            int output = leafWidth == 2 ? 0 : rnd.nextInt(outputs);
            trees.add(randomTree(rnd, features, 1 + rnd.nextInt(6), output, leafWidth));
        }
        double scale = rnd.nextBoolean() ? 1.0 : 1.0 / treeCount;
        double[] base = new double[outputs];
        for (int k = 0; k < outputs; k++) {
            base[k] = rnd.nextDouble(-1, 1);
        }
        TreeEnsembleEstimator estimator = new TreeEnsembleEstimator(features, base, scale, Link.IDENTITY, trees);
        estimator.validate(features);
        double[] x = randomRow(rnd, features);

        double[][] phi = new double[outputs][features + 1];
        estimator.contributions(x, phi);
        // The per-model state KilnModel keeps, after another row: the same values.
        TreeContributions prepared = TreeContributions.of(estimator);
        double[][] reused = new double[outputs][features + 1];
        prepared.compute(randomRow(rnd, features), reused);
        prepared.compute(x, reused);
        for (int k = 0; k < outputs; k++) {
            assertThat(reused[k]).containsExactly(phi[k]);
        }

        double[][] exact = new double[outputs][features + 1];
        for (int k = 0; k < outputs; k++) {
            exact[k][features] = base[k];
        }
        for (Tree tree : trees) {
            for (int j = 0; j < tree.leafWidth(); j++) {
                int k = tree.output() + j;
                double[] shapley = bruteForceShapley(tree, x, features, j);
                for (int f = 0; f <= features; f++) {
                    exact[k][f] += scale * shapley[f];
                }
            }
        }
        double[] margins = new double[outputs];
        estimator.predict(x, margins);  // identity link: the margins
        for (int k = 0; k < outputs; k++) {
            double sum = 0;
            for (int f = 0; f <= features; f++) {
                assertThat(phi[k][f]).as("output %d feature %d", k, f).isCloseTo(exact[k][f], within(exact[k][f]));
                sum += phi[k][f];
            }
            assertThat(sum).as("local accuracy, output %d", k).isCloseTo(margins[k], within(margins[k]));
        }
    }

    @Property(tries = 200)
    void linearContributionsAreWeightTimesDistanceFromTheMean(@ForAll long seed,
                                                              @ForAll @IntRange(min = 1, max = 8) int features) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int outputs = rnd.nextInt(3) + 1;
        double[][] w = new double[outputs][features];
        double[] b = new double[outputs];
        double[] means = new double[features];
        for (int k = 0; k < outputs; k++) {
            b[k] = rnd.nextDouble(-2, 2);
            for (int f = 0; f < features; f++) {
                w[k][f] = rnd.nextDouble(-3, 3);
            }
        }
        for (int f = 0; f < features; f++) {
            means[f] = rnd.nextDouble(-1, 1);
        }
        LinearEstimator linear = new LinearEstimator(w, b, Link.IDENTITY, means);
        linear.validate(features);
        double[] x = new double[features];
        for (int f = 0; f < features; f++) {
            x[f] = rnd.nextDouble(-5, 5);
        }
        double[][] phi = new double[outputs][features + 1];
        linear.contributions(x, phi);
        double[] margins = new double[outputs];
        linear.predict(x, margins);
        for (int k = 0; k < outputs; k++) {
            double sum = phi[k][features];
            for (int f = 0; f < features; f++) {
                assertThat(phi[k][f]).isCloseTo(w[k][f] * (x[f] - means[f]), within(phi[k][f]));
                sum += phi[k][f];
            }
            assertThat(sum).isCloseTo(margins[k], within(margins[k]));
            // A row at the mean is explained entirely by the base.
            double[][] atMean = new double[outputs][features + 1];
            linear.contributions(means, atMean);
            for (int f = 0; f < features; f++) {
                assertThat(atMean[k][f]).isZero();
            }
        }
    }

    @Test
    void estimatorsWithoutWhatExplanationsNeedSayWhy() {
        Tree bare = new Tree(0, 1, new int[] {0, 0, 0}, new float[] {0.5f, 0, 0}, new int[] {1, -1, -1},
                new int[] {2, -1, -1}, new boolean[3], new double[] {0, -1, 1});
        TreeEnsembleEstimator trees = new TreeEnsembleEstimator(1, new double[] {0}, 1, Link.LOGISTIC, List.of(bare));
        assertThat(trees.explainable()).isFalse();
        assertThatThrownBy(() -> trees.contributions(new double[] {1}, new double[1][2]))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("covers");
        LinearEstimator linear = new LinearEstimator(new double[][] {{1}}, new double[] {0}, Link.LOGISTIC);
        assertThat(linear.explainable()).isFalse();
        assertThatThrownBy(() -> linear.contributions(new double[] {1}, new double[1][2]))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("means");
    }

    @Test
    void coversAreChecked() {
        Tree negative = new Tree(0, 1, new int[] {0, 0, 0}, new float[] {0.5f, 0, 0}, new int[] {1, -1, -1},
                new int[] {2, -1, -1}, new boolean[3], new double[] {0, -1, 1}, new double[] {2, -1, 3});
        assertThatThrownBy(() -> negative.validate(1, 1)).hasMessageContaining("node 1 has cover -1.0");
        Tree shortCovers = new Tree(0, 1, new int[] {0, 0, 0}, new float[] {0.5f, 0, 0}, new int[] {1, -1, -1},
                new int[] {2, -1, -1}, new boolean[3], new double[] {0, -1, 1}, new double[] {2, 1});
        assertThatThrownBy(() -> shortCovers.validate(1, 1)).hasMessageContaining("3 nodes but 2 covers");
    }

    @Test
    void aBranchNoTrainingRowReachedAddsNothing() {
        // Root splits feature 0; its right child was never reached in training (cover 0).
        Tree tree = new Tree(0, 1, new int[] {0, 1, 0, 0, 0}, new float[] {0.5f, 0.5f, 0, 0, 0},
                new int[] {1, 3, -1, -1, -1}, new int[] {2, 4, -1, -1, -1}, new boolean[5],
                new double[] {0, 0, 7, -1, 1}, new double[] {4, 4, 0, 1, 3});
        TreeEnsembleEstimator e = new TreeEnsembleEstimator(2, new double[] {0}, 1, Link.IDENTITY, List.of(tree));
        for (double[] x : new double[][] {{0, 1}, {1, 0}}) {   // leaf 4 (value 1); the unreached leaf 2 (value 7)
            double[][] phi = new double[1][3];
            e.contributions(x, phi);
            double[] exact = bruteForceShapley(tree, x, 2, 0);
            for (int f = 0; f < 3; f++) {
                assertThat(phi[0][f]).as("row %s feature %d", java.util.Arrays.toString(x), f).isCloseTo(exact[f], within(exact[f]));
            }
            double margin = x[0] < 0.5 ? 1.0 : 7.0;
            assertThat(phi[0][0] + phi[0][1] + phi[0][2]).isCloseTo(margin, within(margin));
        }
        // E[tree] = (1 * -1 + 3 * 1) / 4; by hand, for the unreached row: phi_1 = ((-1 - 0.5) + (7 - 7)) / 2.
        double[][] phi = new double[1][3];
        e.contributions(new double[] {1, 0}, phi);
        assertThat(phi[0][2]).isCloseTo(0.5, within(0.5));
        assertThat(phi[0][1]).isCloseTo(-0.75, within(0.75));
    }

    private static org.assertj.core.data.Offset<Double> within(double v) {
        return org.assertj.core.data.Offset.offset(1e-9 * (1 + Math.abs(v)));
    }

    /** A random tree in pre-order (children after parents), features possibly repeated along a path. */
    static Tree randomTree(SplittableRandom rnd, int features, int maxDepth, int output, int leafWidth) {
        List<int[]> nodes = new ArrayList<>();       // {feature, left, right}
        List<Float> thresholds = new ArrayList<>();
        List<Boolean> defaults = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        grow(rnd, features, maxDepth, 0, leafWidth, nodes, thresholds, defaults, values);
        int n = nodes.size();
        int[] feature = new int[n];
        float[] threshold = new float[n];
        int[] left = new int[n];
        int[] right = new int[n];
        boolean[] defaultLeft = new boolean[n];
        double[] leafValues = new double[n * leafWidth];
        for (int i = 0; i < n; i++) {
            feature[i] = nodes.get(i)[0];
            left[i] = nodes.get(i)[1];
            right[i] = nodes.get(i)[2];
            threshold[i] = thresholds.get(i);
            defaultLeft[i] = defaults.get(i);
            System.arraycopy(values.get(i), 0, leafValues, i * leafWidth, leafWidth);
        }
        // Covers: each leaf a random count (sometimes 0), each internal node the sum of its children's.
        double[] cover = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            cover[i] = left[i] < 0 ? (rnd.nextInt(8) == 0 ? 0 : 1 + rnd.nextInt(50)) : cover[left[i]] + cover[right[i]];
        }
        return new Tree(output, leafWidth, feature, threshold, left, right, defaultLeft, leafValues, cover);
    }

    private static int grow(SplittableRandom rnd, int features, int maxDepth, int depth, int leafWidth, List<int[]> nodes,
                            List<Float> thresholds, List<Boolean> defaults, List<double[]> values) {
        int id = nodes.size();
        nodes.add(null);
        thresholds.add(0f);
        defaults.add(false);
        double[] v = new double[leafWidth];
        values.add(v);
        if (depth >= maxDepth || (depth > 0 && rnd.nextInt(4) == 0)) {
            for (int j = 0; j < leafWidth; j++) {
                v[j] = rnd.nextDouble(-2, 2);
            }
            nodes.set(id, new int[] {0, -1, -1});
            return id;
        }
        int f = rnd.nextInt(features);
        thresholds.set(id, (float) rnd.nextDouble(-1, 1));
        defaults.set(id, rnd.nextBoolean());
        int l = grow(rnd, features, maxDepth, depth + 1, leafWidth, nodes, thresholds, defaults, values);
        int r = grow(rnd, features, maxDepth, depth + 1, leafWidth, nodes, thresholds, defaults, values);
        nodes.set(id, new int[] {f, l, r});
        return id;
    }

    private static double[] randomRow(SplittableRandom rnd, int features) {
        double[] x = new double[features];
        for (int f = 0; f < features; f++) {
            x[f] = rnd.nextInt(6) == 0 ? Double.NaN : rnd.nextDouble(-1.2, 1.2);
        }
        return x;
    }

    /**
     * Shapley values of output {@code j} of one tree by their definition: the weighted average, over every subset S
     * of the other features, of what adding feature i to S changes in E[tree | x_S]. Index {@code features}: E[tree].
     */
    static double[] bruteForceShapley(Tree tree, double[] x, int features, int j) {
        double[] phi = new double[features + 1];
        double[] factorial = new double[features + 1];
        factorial[0] = 1;
        for (int i = 1; i <= features; i++) {
            factorial[i] = factorial[i - 1] * i;
        }
        for (int i = 0; i < features; i++) {
            for (int s = 0; s < 1 << features; s++) {
                if ((s & (1 << i)) != 0) {
                    continue;
                }
                int size = Integer.bitCount(s);
                double weight = factorial[size] * factorial[features - size - 1] / factorial[features];
                phi[i] += weight * (conditional(tree, 0, x, s | (1 << i), j) - conditional(tree, 0, x, s, j));
            }
        }
        phi[features] = conditional(tree, 0, x, 0, j);
        return phi;
    }

    /** E[tree output j | the features in {@code known} as in x], the others weighted by the covers. */
    private static double conditional(Tree tree, int node, double[] x, int known, int j) {
        if (tree.left()[node] < 0) {
            return tree.leafValues()[node * tree.leafWidth() + j];
        }
        int f = tree.feature()[node];
        int l = tree.left()[node];
        int r = tree.right()[node];
        if ((known & (1 << f)) != 0) {
            double v = x[f];
            boolean goLeft = Double.isNaN(v) ? tree.defaultLeft()[node] : (float) v < tree.threshold()[node];
            return conditional(tree, goLeft ? l : r, x, known, j);
        }
        double total = tree.cover()[node];
        if (total == 0) {
            return 0.5 * (conditional(tree, l, x, known, j) + conditional(tree, r, x, known, j));
        }
        return (tree.cover()[l] * conditional(tree, l, x, known, j) + tree.cover()[r] * conditional(tree, r, x, known, j)) / total;
    }
}
