package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.features.FeatureTransform;
import dev.kiln.runtime.model.Link;
import dev.kiln.runtime.model.Tree;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Schema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A format 1.4 bundle with a category-code pipeline and a categorical split: loads, scores, explains by column. */
class CategoricalBundleTest {
    @TempDir
    Path dir;

    private void write(byte[] pipeline, TreeEnsembleEstimator estimator) throws IOException {
        byte[] e = Json.mapper().writeValueAsBytes(estimator);
        Files.write(dir.resolve("pipeline.json"), pipeline);
        Files.write(dir.resolve("estimator.json"), e);
        Map<String, String> files = new LinkedHashMap<>();
        files.put("pipeline.json", Checksums.sha256(pipeline));
        files.put("estimator.json", Checksums.sha256(e));
        Schema schema = new Schema(List.of(new Field("age", ColumnType.NUMERIC, true),
                new Field("purpose", ColumnType.CATEGORICAL, true)));
        BundleManifest m = new BundleManifest(BundleManifest.FORMAT_VERSION, Task.BINARY, "class", List.of("good", "bad"),
                "bad", 0.5, schema, "gbdt", Map.of(), Map.of(), Map.of(), null, null, files);
        Files.write(dir.resolve("manifest.json"), Json.mapper().writeValueAsBytes(m));
    }

    /** purpose codes: car 0, tv 1, boat 2; "tv" and "boat" go right (+1), the rest and unseen left (-1); missing left. */
    private static TreeEnsembleEstimator estimator() {
        Tree byPurpose = new Tree(0, 1, new int[] {1, 0, 0}, new float[3], new int[] {1, -1, -1}, new int[] {2, -1, -1},
                new boolean[] {true, false, false}, new double[] {0, -1, 1}, new double[] {4, 2, 2},
                new int[][] {{1, 2}, null, null});
        Tree byAge = new Tree(0, 1, new int[] {0, 0, 0}, new float[] {40f, 0, 0}, new int[] {1, -1, -1},
                new int[] {2, -1, -1}, new boolean[3], new double[] {0, 0.5, -0.5}, new double[] {4, 2, 2});
        return new TreeEnsembleEstimator(2, new double[] {0.0}, 1.0, Link.LOGISTIC, List.of(byPurpose, byAge), true);
    }

    private static FeaturePipeline pipeline() {
        return new FeaturePipeline(List.of(new FeatureTransform.Numeric("age", 30, false, 0, 1),
                new FeatureTransform.CategoryCode("purpose", List.of("car", "tv", "boat"))));
    }

    @Test
    void scoresAndExplainsThroughKilnModel() throws IOException {
        write(Json.mapper().writeValueAsBytes(pipeline()), estimator());
        KilnModel model = KilnModel.load(dir);
        assertThat(model.predict(Map.of("age", 30, "purpose", "tv")).probabilities().get("bad"))
                .isCloseTo(1 / (1 + Math.exp(-1.5)), within(1e-6));
        assertThat(model.predict(Map.of("age", 30, "purpose", "car")).probabilities().get("bad"))
                .isCloseTo(1 / (1 + Math.exp(0.5)), within(1e-6));
        assertThat(model.predict(Map.of("age", 50, "purpose", "plane")).probabilities().get("bad"))
                .as("an unseen level goes left").isCloseTo(1 / (1 + Math.exp(1.5)), within(1e-6));
        Map<String, Object> missing = new HashMap<>();
        missing.put("age", 50);
        missing.put("purpose", null);
        assertThat(model.predict(missing).probabilities().get("bad"))
                .as("missing follows the default direction (left)").isCloseTo(1 / (1 + Math.exp(1.5)), within(1e-6));
        Explanation e = model.explain(Map.of("age", 30, "purpose", "boat"));
        assertThat(e.columns()).containsExactly("age", "purpose");
        assertThat(e.contributions().get("purpose")).isCloseTo(1.0, within(1e-9));
        assertThat(e.margin(0)).isCloseTo(1.5, within(1e-6));
    }

    @Test
    void aPipelineListingALevelTwiceIsACorruptBundle() throws IOException {
        String json = new String(Json.mapper().writeValueAsBytes(pipeline()), java.nio.charset.StandardCharsets.UTF_8)
                .replace("\"boat\"", "\"tv\"");
        write(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), estimator());
        assertThatThrownBy(() -> KilnModel.load(dir)).isInstanceOf(KilnException.class)
                .satisfies(ex -> assertThat(((KilnException) ex).code()).isEqualTo(ErrorCode.BUNDLE_CORRUPT));
    }
}
