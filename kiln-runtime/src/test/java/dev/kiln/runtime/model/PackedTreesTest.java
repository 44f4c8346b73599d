package dev.kiln.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** {@link PackedTrees} scores exactly as {@link TreeEnsembleEstimator#predict}, and declines what is not a tree. */
class PackedTreesTest {

    /** A random tree over {@code width} features whose nodes are numbered breadth-first (children after parents). */
    private static Tree randomTree(Random r, int width, int outputs) {
        int leafWidth = 1 + r.nextInt(outputs);
        int output = r.nextInt(outputs - leafWidth + 1);
        List<int[]> children = new ArrayList<>();
        children.add(new int[] {-1, -1});
        int budget = 1 + r.nextInt(60);
        for (int i = 0; i < children.size() && children.size() + 2 <= budget; i++) {
            if (i == 0 || r.nextInt(4) != 0) {
                children.get(i)[0] = children.size();
                children.add(new int[] {-1, -1});
                children.get(i)[1] = children.size();
                children.add(new int[] {-1, -1});
            }
        }
        int n = children.size();
        int[] feature = new int[n];
        float[] threshold = new float[n];
        int[] left = new int[n];
        int[] right = new int[n];
        boolean[] defaultLeft = new boolean[n];
        double[] values = new double[n * leafWidth];
        for (int i = 0; i < n; i++) {
            left[i] = children.get(i)[0];
            right[i] = children.get(i)[1];
            if (left[i] >= 0) {
                feature[i] = r.nextInt(width);
                threshold[i] = (float) r.nextGaussian();
                defaultLeft[i] = r.nextBoolean();
            }
            for (int j = 0; j < leafWidth; j++) {
                values[i * leafWidth + j] = r.nextGaussian() * Math.pow(10, r.nextInt(6) - 3);
            }
        }
        return new Tree(output, leafWidth, feature, threshold, left, right, defaultLeft, values);
    }

    @Property(tries = 300)
    void scoresBitForBitAsTheEstimator(@ForAll long seed, @ForAll @IntRange(min = 1, max = 40) int treeCount,
                                       @ForAll boolean singlePrecision) {
        Random r = new Random(seed);
        int width = 1 + r.nextInt(12);
        int outputs = 1 + r.nextInt(3);
        List<Tree> trees = new ArrayList<>();
        for (int t = 0; t < treeCount; t++) {
            trees.add(randomTree(r, width, outputs));
        }
        double[] base = new double[outputs];
        for (int j = 0; j < outputs; j++) {
            base[j] = r.nextGaussian();
        }
        Link link = Link.values()[r.nextInt(Link.values().length)];
        if (outputs == 1 && link == Link.SOFTMAX) {
            link = Link.IDENTITY;
        }
        var estimator = new TreeEnsembleEstimator(width, base, singlePrecision ? 1.0 : 0.5 + r.nextDouble(), link, trees, singlePrecision);
        PackedTrees packed = PackedTrees.of(estimator);
        assertThat(packed).isNotNull();
        assertThat(packed.isCompact()).as("one long a node when single precision with one output a leaf")
                .isEqualTo(singlePrecision && trees.stream().allMatch(t -> t.leafWidth() == 1));
        for (int row = 0; row < 50; row++) {
            double[] x = new double[width];
            for (int f = 0; f < width; f++) {
                x[f] = switch (r.nextInt(8)) {
                    case 0 -> Double.NaN;
                    case 1 -> trees.get(0).threshold()[0]; // exactly on a threshold
                    default -> r.nextGaussian();
                };
            }
            double[] expected = new double[outputs];
            double[] actual = new double[outputs];
            estimator.predict(x, expected);
            packed.predict(x, actual);
            assertThat(actual).containsExactly(expected);
            for (int t = 0; t < trees.size(); t++) {
                assertThat(packed.leafIndex(t, x)).isEqualTo(trees.get(t).leafIndex(x));
            }
        }
    }

    @Test
    void anUnreachableNodeIsLeftOutAndTheRestStillCompact() {
        // Node 3 hangs from nothing: the layout takes three nodes of the four.
        Tree tree = new Tree(0, 1, new int[] {0, 0, 0, 0}, new float[] {0.5f, 0, 0, 0}, new int[] {1, -1, -1, -1},
                new int[] {2, -1, -1, -1}, new boolean[] {true, false, false, false}, new double[] {0, -1.25, 2.5, 99});
        var estimator = new TreeEnsembleEstimator(1, new double[] {0.5}, 1, Link.IDENTITY, List.of(tree, tree), true);
        PackedTrees packed = PackedTrees.of(estimator);
        assertThat(packed.isCompact()).isTrue();
        for (double v : new double[] {0.25, 0.75, Double.NaN}) {
            double[] expected = new double[1];
            double[] actual = new double[1];
            estimator.predict(new double[] {v}, expected);
            packed.predict(new double[] {v}, actual);
            assertThat(actual).as("x = " + v).containsExactly(expected);
        }
    }

    @Test
    void declinesANodeWithTwoParentsOrChildrenOutOfOrder() {
        // Nodes 1 and 2 both send everything to node 3: a DAG, which depth-first copying would blow up.
        Tree shared = new Tree(0, 1, new int[] {0, 0, 0, 0}, new float[] {0, 0, 0, 0}, new int[] {1, 3, 3, -1},
                new int[] {2, 3, 3, -1}, new boolean[4], new double[4]);
        assertThat(PackedTrees.of(new TreeEnsembleEstimator(1, new double[] {0}, 1, Link.IDENTITY, List.of(shared)))).isNull();
        Tree backwards = new Tree(0, 1, new int[] {0, 0, 0}, new float[3], new int[] {2, 0, -1}, new int[] {1, 0, -1},
                new boolean[3], new double[3]);
        assertThat(PackedTrees.of(new TreeEnsembleEstimator(1, new double[] {0}, 1, Link.IDENTITY, List.of(backwards)))).isNull();
    }
}
