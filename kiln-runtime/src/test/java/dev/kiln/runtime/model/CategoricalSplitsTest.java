package dev.kiln.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Trees with categorical splits ({@link Tree#rightCategories}): routing, packed and batch scoring, TreeSHAP, JSON. */
class CategoricalSplitsTest {

    /** Root splits feature 0 by category: codes 1 and 3 go right (leaf 2.0), the rest left (leaf -1.0); missing right. */
    private static Tree stump() {
        return new Tree(0, 1, new int[] {0, 0, 0}, new float[3], new int[] {1, -1, -1}, new int[] {2, -1, -1},
                new boolean[] {false, false, false}, new double[] {0, -1.0, 2.0}, new double[] {10, 6, 4},
                new int[][] {{1, 3}, null, null});
    }

    @Test
    void routesListedCodesRightAndEverythingElseLeftAsXGBoostDoes() {
        Tree t = stump();
        assertThat(t.leafIndex(new double[] {1})).isEqualTo(2);
        assertThat(t.leafIndex(new double[] {3})).isEqualTo(2);
        assertThat(t.leafIndex(new double[] {3.7})).as("the code is the value truncated").isEqualTo(2);
        assertThat(t.leafIndex(new double[] {0})).isEqualTo(1);
        assertThat(t.leafIndex(new double[] {2})).isEqualTo(1);
        assertThat(t.leafIndex(new double[] {99})).as("a code no split lists (unseen) goes left").isEqualTo(1);
        assertThat(t.leafIndex(new double[] {-1})).as("a negative value is an invalid category: left").isEqualTo(1);
        assertThat(t.leafIndex(new double[] {1 << 24})).as("2^24 and beyond are invalid: left").isEqualTo(1);
        assertThat(t.leafIndex(new double[] {Double.NaN})).as("missing follows defaultLeft (right)").isEqualTo(2);
    }

    @Test
    void validationRefusesUnsortedOrOutOfRangeCodesAndCategoriesOnLeaves() {
        Tree unsorted = new Tree(0, 1, new int[3], new float[3], new int[] {1, -1, -1}, new int[] {2, -1, -1},
                new boolean[3], new double[3], null, new int[][] {{3, 1}, null, null});
        assertThatThrownBy(() -> unsorted.validate(1, 1)).hasMessageContaining("strictly ascending");
        Tree negative = new Tree(0, 1, new int[3], new float[3], new int[] {1, -1, -1}, new int[] {2, -1, -1},
                new boolean[3], new double[3], null, new int[][] {{-1}, null, null});
        assertThatThrownBy(() -> negative.validate(1, 1)).hasMessageContaining("strictly ascending");
        Tree onLeaf = new Tree(0, 1, new int[3], new float[3], new int[] {1, -1, -1}, new int[] {2, -1, -1},
                new boolean[3], new double[3], null, new int[][] {null, {1}, null});
        assertThatThrownBy(() -> onLeaf.validate(1, 1)).hasMessageContaining("is a leaf");
        Tree wrongLength = new Tree(0, 1, new int[3], new float[3], new int[] {1, -1, -1}, new int[] {2, -1, -1},
                new boolean[3], new double[3], null, new int[][] {{1}});
        assertThatThrownBy(() -> wrongLength.validate(1, 1)).hasMessageContaining("category entries");
        stump().validate(1, 1);
    }

    @Test
    void numericalTreesSerialiseAsBeforeAndCategoricalOnesRoundTrip() throws Exception {
        Tree numeric = new Tree(0, 1, new int[] {0, 0, 0}, new float[] {0.5f, 0, 0}, new int[] {1, -1, -1},
                new int[] {2, -1, -1}, new boolean[3], new double[] {0, 1, 2}, new double[] {2, 1, 1});
        String json = Json.mapper().writeValueAsString(numeric);
        assertThat(json).doesNotContain("rightCategories");
        TreeEnsembleEstimator e = new TreeEnsembleEstimator(1, new double[] {0.25}, 1.0, Link.IDENTITY,
                List.of(stump(), numeric), true);
        String written = Json.mapper().writeValueAsString(e);
        assertThat(written).contains("rightCategories");
        Estimator back = Json.mapper().readValue(written, Estimator.class);
        assertThat(Json.mapper().writeValueAsString(back)).isEqualTo(written);
        double[] a = new double[1];
        double[] b = new double[1];
        for (double v : new double[] {0, 1, 2, 3, 7, Double.NaN, -2}) {
            e.predict(new double[] {v}, a);
            back.predict(new double[] {v}, b);
            assertThat(b).containsExactly(a);
        }
    }

    /** A random tree whose splits are categorical with probability 1/2, with consistent covers. */
    private static Tree randomTree(Random r, int width) {
        List<int[]> children = new ArrayList<>();
        children.add(new int[] {-1, -1});
        int budget = 3 + r.nextInt(40);
        for (int i = 0; i < children.size() && children.size() + 2 <= budget; i++) {
            if (i == 0 || r.nextInt(3) != 0) {
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
        double[] values = new double[n];
        double[] cover = new double[n];
        int[][] categories = new int[n][];
        for (int i = n - 1; i >= 0; i--) {
            left[i] = children.get(i)[0];
            right[i] = children.get(i)[1];
            if (left[i] >= 0) {
                feature[i] = r.nextInt(width);
                defaultLeft[i] = r.nextBoolean();
                cover[i] = cover[left[i]] + cover[right[i]];
                if (r.nextBoolean()) {
                    TreeSet<Integer> codes = new TreeSet<>();
                    int size = r.nextInt(6);
                    for (int k = 0; k < size; k++) {
                        codes.add(r.nextInt(r.nextBoolean() ? 10 : 200));
                    }
                    categories[i] = codes.stream().mapToInt(Integer::intValue).toArray();
                } else {
                    threshold[i] = r.nextInt(10) + 0.5f;
                }
            } else {
                values[i] = r.nextGaussian();
                cover[i] = 1 + r.nextInt(20);
            }
        }
        return new Tree(0, 1, feature, threshold, left, right, defaultLeft, values, cover, categories);
    }

    private static double value(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> Double.NaN;
            case 1 -> -1 - r.nextInt(3);
            case 2 -> 64 + r.nextInt(200);
            default -> r.nextInt(10);
        };
    }

    /** The rule written out plainly: a listed code goes right, any other value left, NaN by the default direction. */
    private static int referenceLeaf(Tree t, double[] x) {
        int node = 0;
        while (t.left()[node] >= 0) {
            double v = x[t.feature()[node]];
            int[] codes = t.rightCategories()[node];
            boolean left;
            if (Double.isNaN(v)) {
                left = t.defaultLeft()[node];
            } else if (codes == null) {
                left = (float) v < t.threshold()[node];
            } else {
                boolean listed = false;
                for (int c : codes) {
                    listed |= v >= 0 && (int) v == c;
                }
                left = !listed;
            }
            node = left ? t.left()[node] : t.right()[node];
        }
        return node;
    }

    @Property(tries = 200)
    void packedBatchAndTreeShapAgreeWithTheRule(@ForAll long seed, @ForAll @IntRange(min = 1, max = 20) int treeCount) {
        Random r = new Random(seed);
        int width = 1 + r.nextInt(5);
        List<Tree> trees = new ArrayList<>();
        for (int t = 0; t < treeCount; t++) {
            trees.add(randomTree(r, width));
        }
        TreeEnsembleEstimator e = new TreeEnsembleEstimator(width, new double[] {r.nextGaussian()}, 1.0, Link.IDENTITY,
                trees, true);
        e.validate(width);
        // Contributions are in double precision: they add up to the margin accumulated in double.
        TreeEnsembleEstimator exact = new TreeEnsembleEstimator(width, e.base(), 1.0, Link.IDENTITY, trees, false);
        double[] margin = new double[1];
        PackedTrees packed = PackedTrees.of(e);
        assertThat(packed).isNotNull();
        assertThat(packed.isCompact()).isFalse();
        double[][] rows = new double[70][width];
        for (double[] row : rows) {
            for (int j = 0; j < width; j++) {
                row[j] = value(r);
            }
        }
        double[][] batch = new double[rows.length][1];
        e.predictBatch(rows, batch);
        double[] one = new double[1];
        double[] fromPacked = new double[1];
        double[][] phi = new double[1][width + 1];
        for (int i = 0; i < rows.length; i++) {
            for (int k = 0; k < trees.size(); k++) {
                assertThat(trees.get(k).leafIndex(rows[i])).isEqualTo(referenceLeaf(trees.get(k), rows[i]));
                assertThat(packed.leafIndex(k, rows[i])).isEqualTo(referenceLeaf(trees.get(k), rows[i]));
            }
            e.predict(rows[i], one);
            packed.predict(rows[i], fromPacked);
            assertThat(fromPacked[0]).isEqualTo(one[0]);
            assertThat(batch[i][0]).isEqualTo(one[0]);
            exact.predict(rows[i], margin);
            e.contributions(rows[i], phi);
            double sum = 0;
            for (double p : phi[0]) {
                sum += p;
            }
            assertThat(sum).as("contributions add up to the margin").isCloseTo(margin[0], within(1e-9));
        }
    }
}
