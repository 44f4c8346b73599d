package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.model.Link;
import dev.kiln.runtime.model.Tree;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import java.util.List;
import org.junit.jupiter.api.Test;

class TreeTest {
    // x0 < 0.5 ? (leaf 1: -1) : (x1 < 2 ? leaf 3: 0.5 : leaf 4: 2); missing x0 goes right, missing x1 left
    static final Tree TREE = new Tree(0, 1,
            new int[] {0, 0, 1, 0, 0},
            new float[] {0.5f, 0f, 2f, 0f, 0f},
            new int[] {1, -1, 3, -1, -1},
            new int[] {2, -1, 4, -1, -1},
            new boolean[] {false, false, true, false, false},
            new double[] {0, -1, 0, 0.5, 2});

    @Test
    void routesByFloatComparisonAndDefaultDirection() {
        assertThat(TREE.leafIndex(new double[] {0.4, 9})).isEqualTo(1);
        assertThat(TREE.leafIndex(new double[] {0.5, 1})).isEqualTo(3);
        assertThat(TREE.leafIndex(new double[] {0.7, 2})).isEqualTo(4);
        assertThat(TREE.leafIndex(new double[] {Double.NaN, Double.NaN})).isEqualTo(3);
        // 0.49999999999 rounds to 0.5f: single-precision comparison, as XGBoost does, sends it right
        assertThat(TREE.leafIndex(new double[] {0.49999999999, 5})).isEqualTo(4);
    }

    @Test
    void ensembleSumsLeavesAddsBaseAndAppliesTheLink() {
        var est = new TreeEnsembleEstimator(2, new double[] {0.25}, 1.0, Link.IDENTITY, List.of(TREE, TREE));
        double[] out = new double[1];
        est.predict(new double[] {0.7, 3}, out);
        assertThat(out[0]).isEqualTo(4.25);
        var logistic = new TreeEnsembleEstimator(2, new double[] {0.0}, 0.5, Link.LOGISTIC, List.of(TREE, TREE));
        logistic.predict(new double[] {0.1, 3}, out);
        assertThat(out[0]).isEqualTo(1 / (1 + Math.exp(1.0)));
    }

    @Test
    void singlePrecisionAccumulatesLikeXGBoost() {
        Tree stump = new Tree(0, 1, new int[] {0}, new float[] {0f}, new int[] {-1}, new int[] {-1},
                new boolean[1], new double[] {0.1f});
        List<Tree> ten = java.util.Collections.nCopies(10, stump);
        float expected = 0.3f;
        for (int i = 0; i < 10; i++) {
            expected += 0.1f;
        }
        double[] out = new double[1];
        new TreeEnsembleEstimator(1, new double[] {0.3f}, 1.0, Link.IDENTITY, ten, true).predict(new double[] {0}, out);
        assertThat(out[0]).isEqualTo((double) expected);
        new TreeEnsembleEstimator(1, new double[] {0.3f}, 1.0, Link.IDENTITY, ten, false).predict(new double[] {0}, out);
        assertThat(out[0]).isNotEqualTo((double) expected).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
    }

    @net.jqwik.api.Property(tries = 50)
    void batchScoringEqualsRowByRowScoring(@net.jqwik.api.ForAll long seed, @net.jqwik.api.ForAll boolean singlePrecision) {
        java.util.Random r = new java.util.Random(seed);
        List<Tree> trees = new java.util.ArrayList<>();
        for (int t = 0; t < 7; t++) {
            trees.add(new Tree(t % 2, 1, new int[] {r.nextInt(3), 0, r.nextInt(3), 0, 0},
                    new float[] {(float) r.nextGaussian(), 0f, (float) r.nextGaussian(), 0f, 0f},
                    new int[] {1, -1, 3, -1, -1}, new int[] {2, -1, 4, -1, -1},
                    new boolean[] {r.nextBoolean(), false, r.nextBoolean(), false, false},
                    new double[] {0, r.nextGaussian(), 0, r.nextGaussian(), r.nextGaussian()}));
        }
        var est = new TreeEnsembleEstimator(3, new double[] {0.1, -0.2}, 1.0, Link.SOFTMAX, trees, singlePrecision);
        double[][] rows = new double[150][3];
        for (double[] row : rows) {
            for (int j = 0; j < 3; j++) {
                row[j] = r.nextInt(10) == 0 ? Double.NaN : r.nextGaussian();
            }
        }
        double[][] batch = new double[rows.length][2];
        est.predictBatch(rows, batch);
        double[] one = new double[2];
        for (int i = 0; i < rows.length; i++) {
            est.predict(rows[i], one);
            assertThat(batch[i]).containsExactly(one);
        }
    }
}
