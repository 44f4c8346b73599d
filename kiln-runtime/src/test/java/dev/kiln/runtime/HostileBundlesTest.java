package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.model.Estimator;
import dev.kiln.runtime.model.Link;
import dev.kiln.runtime.model.Tree;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bundles made to exhaust the JVM or poison scores, loaded through the public {@link KilnModel#load}: each is
 * refused as {@code bundle_corrupt} naming the file, the tree and the limit, before anything scores or explains.
 */
class HostileBundlesTest {
    @TempDir
    Path dir;

    /** A chain: internal node 2k has a leaf at 2k+1 on its left and the next internal node (or the last leaf) on its right. */
    static Tree chain(int depth) {
        int n = 2 * depth + 1;
        int[] feature = new int[n];
        float[] threshold = new float[n];
        int[] left = new int[n];
        int[] right = new int[n];
        double[] leaves = new double[n];
        double[] cover = new double[n];
        Arrays.fill(left, -1);
        Arrays.fill(right, -1);
        for (int k = 0; k < depth; k++) {
            int node = 2 * k;
            left[node] = node + 1;
            right[node] = node + 2;
            threshold[node] = k;
            leaves[node + 1] = 0.001 * k;
        }
        for (int i = n - 1; i >= 0; i--) {
            cover[i] = left[i] < 0 ? 1 : cover[left[i]] + cover[right[i]];
        }
        return new Tree(0, 1, feature, threshold, left, right, new boolean[n], leaves, cover);
    }

    static TreeEnsembleEstimator ensemble(Tree... trees) {
        return new TreeEnsembleEstimator(5, new double[] {0}, 1, Link.LOGISTIC, List.of(trees));
    }

    void write(Estimator estimator) throws IOException {
        BundleReaderTest.writeBundle(dir, "1.2", estimator);
    }

    void assertCorrupt(String... parts) {
        assertThatThrownBy(() -> KilnModel.load(dir)).isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).code()).as(e.getMessage()).isEqualTo(ErrorCode.BUNDLE_CORRUPT))
                .hasMessageContaining("estimator.json")
                .satisfies(e -> assertThat(e.getMessage()).contains(parts));
    }

    @Test
    void aTree20000LevelsDeepIsRefusedAtLoad() throws IOException {
        write(ensemble(chain(3), chain(20_000)));
        assertCorrupt("tree 1", "deeper than " + Tree.MAX_DEPTH + " levels", "the limit is 256");
    }

    @Test
    void aTreeAtTheDepthLimitLoadsScoresAndExplains() throws IOException {
        write(ensemble(chain(Tree.MAX_DEPTH)));
        KilnModel model = KilnModel.load(dir);
        Map<String, Object> row = Map.of("age", 1000, "purpose", "tv");
        assertThat(model.predict(row).probabilities()).containsKey("bad");
        Explanation e = model.explain(row);
        assertThat(e).isNotNull();
    }

    @Test
    void nonFiniteThresholdsAndLeafValuesAreRefused() throws IOException {
        Tree t = chain(2);
        float[] threshold = t.threshold().clone();
        threshold[2] = Float.NaN;
        write(ensemble(new Tree(0, 1, t.feature(), threshold, t.left(), t.right(), t.defaultLeft(), t.leafValues(), t.cover())));
        assertCorrupt("tree 0", "node 2", "NaN", "thresholds must be finite");

        double[] leaves = t.leafValues().clone();
        leaves[3] = Double.POSITIVE_INFINITY;
        write(ensemble(chain(1), new Tree(0, 1, t.feature(), t.threshold(), t.left(), t.right(), t.defaultLeft(), leaves, t.cover())));
        assertCorrupt("tree 1", "leaf 3", "Infinity", "leaf values must be finite");
    }

    @Test
    void anEnsembleWithoutTreesIsRefused() throws IOException {
        write(new TreeEnsembleEstimator(5, new double[] {0}, 1, Link.LOGISTIC, List.of()));
        assertCorrupt("no trees");
        write(new TreeEnsembleEstimator(5, new double[] {Double.NaN}, 1, Link.LOGISTIC, List.of(chain(1))));
        assertCorrupt("base margin NaN");
    }

    @Test
    void aNodeWithTwoParentsIsRefused() throws IOException {
        // 0 -> (1, 1): scoring terminates, but walking every path of such a graph doubles with each level.
        write(ensemble(new Tree(0, 1, new int[3], new float[3], new int[] {1, -1, -1}, new int[] {1, -1, -1},
                new boolean[3], new double[3], new double[] {2, 1, 1})));
        assertCorrupt("tree 0", "node 1 has more than one parent");
    }

    @Test
    void nodeLimitsPerTreeAndPerEnsemble() {
        int n = Tree.MAX_NODES + 1;
        Tree tooBig = new Tree(0, 1, new int[n], new float[n], filled(n, -1), filled(n, -1), new boolean[n], new double[n]);
        assertThatThrownBy(() -> ensemble(tooBig).validate(5)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tree 0").hasMessageContaining("the limit is " + Tree.MAX_NODES);

        // A complete tree of 2^20 - 1 nodes (heap order: the children of i are 2i+1 and 2i+2), shared 33 times.
        int m = Tree.MAX_NODES - 1;
        int[] left = filled(m, -1);
        int[] right = filled(m, -1);
        for (int i = 0; 2 * i + 2 < m; i++) {
            left[i] = 2 * i + 1;
            right[i] = 2 * i + 2;
        }
        Tree big = new Tree(0, 1, new int[m], new float[m], left, right, new boolean[m], new double[m]);
        big.validate(5, 1);
        int count = (int) (TreeEnsembleEstimator.MAX_TOTAL_NODES / m) + 1;
        TreeEnsembleEstimator huge = new TreeEnsembleEstimator(5, new double[] {0}, 1, Link.LOGISTIC, Collections.nCopies(count, big));
        assertThatThrownBy(() -> huge.validate(5)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the limit is " + TreeEnsembleEstimator.MAX_TOTAL_NODES);
    }

    @Test
    void deeplyNestedJsonIsRefusedWithoutOverflowingTheParser() throws IOException {
        BundleReaderTest.writeBundle(dir, "1.2", ensemble(chain(1)));
        byte[] nested = ("{\"kind\":\"tree_ensemble\",\"inputWidth\":5,\"junk\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}")
                .getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve(BundleManifest.ESTIMATOR_FILE), nested);
        rewriteChecksum(BundleManifest.ESTIMATOR_FILE, nested);
        assertCorrupt("nesting depth");
    }

    @Test
    void estimatorsAndPipelinesWithMissingPartsAreBundleCorrupt() throws IOException {
        for (String[] file : List.of(
                new String[] {BundleManifest.ESTIMATOR_FILE, "{\"kind\": \"tree_ensemble\", \"inputWidth\": 5}"},
                new String[] {BundleManifest.ESTIMATOR_FILE, "{\"kind\": \"tree_ensemble\", \"inputWidth\": 5, \"base\": [0], "
                        + "\"scale\": 1, \"link\": \"logistic\", \"trees\": [{\"output\": 0, \"leafWidth\": 1}]}"},
                new String[] {BundleManifest.ESTIMATOR_FILE, "{\"kind\": \"tree_ensemble\", \"inputWidth\": 5, \"base\": [0], "
                        + "\"scale\": 1, \"link\": \"logistic\", \"trees\": [null]}"},
                new String[] {BundleManifest.ESTIMATOR_FILE, "{\"kind\": \"linear\"}"},
                new String[] {BundleManifest.ESTIMATOR_FILE, "{\"kind\": \"constant\", \"inputWidth\": 5}"},
                new String[] {BundleManifest.ESTIMATOR_FILE, "{\"kind\": \"nonsense\"}"},
                new String[] {BundleManifest.PIPELINE_FILE, "{}"},
                new String[] {BundleManifest.PIPELINE_FILE, "{\"transforms\": [null]}"})) {
            BundleReaderTest.writeBundle(dir, "1.2", ensemble(chain(1)));
            byte[] bytes = file[1].getBytes(StandardCharsets.UTF_8);
            Files.write(dir.resolve(file[0]), bytes);
            rewriteChecksum(file[0], bytes);
            assertThatThrownBy(() -> KilnModel.load(dir)).as(file[1]).isInstanceOf(KilnException.class)
                    .satisfies(e -> assertThat(((KilnException) e).code()).as(e.getMessage()).isEqualTo(ErrorCode.BUNDLE_CORRUPT))
                    .hasMessageContaining(file[0]);
        }
    }

    private void rewriteChecksum(String file, byte[] content) throws IOException {
        Path manifest = dir.resolve(BundleManifest.MANIFEST_FILE);
        BundleManifest m = Json.mapper().readValue(manifest.toFile(), BundleManifest.class);
        Map<String, String> files = new java.util.LinkedHashMap<>(m.files());
        files.put(file, Checksums.sha256(content));
        BundleManifest updated = new BundleManifest(m.formatVersion(), m.task(), m.target(), m.classes(), m.positiveClass(),
                m.decisionThreshold(), m.inputSchema(), m.algorithm(), m.hyperparameters(), m.validationMetrics(),
                m.testMetrics(), m.lineage(), m.extra(), files);
        Files.write(manifest, Json.mapper().writeValueAsBytes(updated));
    }

    private static int[] filled(int n, int value) {
        int[] a = new int[n];
        Arrays.fill(a, value);
        return a;
    }
}
