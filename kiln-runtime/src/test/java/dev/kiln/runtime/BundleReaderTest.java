package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.features.FeatureTransform;
import dev.kiln.runtime.model.Estimator;
import dev.kiln.runtime.model.Link;
import dev.kiln.runtime.model.LinearEstimator;
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

class BundleReaderTest {
    @TempDir
    Path dir;

    static final FeaturePipeline PIPELINE = new FeaturePipeline(List.of(
            new FeatureTransform.Numeric("age", 30, true, 30, 10),
            new FeatureTransform.OneHot("purpose", List.of("car", "tv"), "car", false)));

    static final Schema SCHEMA = new Schema(List.of(
            new Field("age", ColumnType.INTEGER, true), new Field("purpose", ColumnType.CATEGORICAL, true)));

    /** Writes a small binary bundle by hand (the runtime has no writer; kiln-train does). */
    static void writeBundle(Path dir, String format, Estimator estimator) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        byte[] p = Json.mapper().writeValueAsBytes(PIPELINE);
        byte[] e = Json.mapper().writeValueAsBytes(estimator);
        Files.write(dir.resolve("pipeline.json"), p);
        Files.write(dir.resolve("estimator.json"), e);
        files.put("pipeline.json", Checksums.sha256(p));
        files.put("estimator.json", Checksums.sha256(e));
        BundleManifest m = new BundleManifest(format, Task.BINARY, "class", List.of("good", "bad"), "bad", 0.5,
                SCHEMA, "linear", Map.of(), Map.of(), Map.of(), null, null, files);
        Files.write(dir.resolve("manifest.json"), Json.mapper().writeValueAsBytes(m));
    }

    static LinearEstimator linear() {
        // features: age_scaled, age_missing, purpose=car, purpose=tv, purpose=__unknown__
        return new LinearEstimator(new double[][] {{1.0, 2.0, 0.0, 1.0, -1.0}}, new double[] {0.0}, Link.LOGISTIC);
    }

    @Test
    void loadsAndScoresAHandWrittenBundle() throws IOException {
        writeBundle(dir, "1.0", linear());
        KilnModel model = KilnModel.load(dir);
        Prediction p = model.predict(Map.of("age", 40, "purpose", "tv"));
        double expected = 1 / (1 + Math.exp(-(1.0 + 1.0)));
        assertThat(p.probabilities().get("bad")).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(p.prediction()).isEqualTo("bad");
        Map<String, Object> missing = new HashMap<>();
        missing.put("age", null);
        missing.put("purpose", "boat");
        missing.put("ignored", "extra columns are ignored");
        // age imputed to 30 -> 0 scaled, indicator 1 -> +2; unknown purpose -> -1
        assertThat(model.predict(missing).probabilities().get("bad"))
                .isCloseTo(1 / (1 + Math.exp(-1.0)), org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void namesTheMissingColumnAndTheRow() throws IOException {
        writeBundle(dir, "1.0", linear());
        KilnModel model = KilnModel.load(dir);
        assertThatThrownBy(() -> model.predict(Map.of("age", 3)))
                .isInstanceOf(KilnException.class).hasMessageContaining("'purpose' is missing");
        assertThatThrownBy(() -> model.predictBatch(List.of(Map.of("age", 3, "purpose", "tv"), Map.of("age", "x", "purpose", "tv"))))
                .isInstanceOf(KilnException.class).hasMessageContaining("row 1").hasMessageContaining("'age'");
    }

    @Test
    void refusesATamperedFile() throws IOException {
        writeBundle(dir, "1.0", linear());
        Path e = dir.resolve("estimator.json");
        byte[] bytes = Files.readAllBytes(e);
        Files.write(e, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> KilnModel.load(dir))
                .isInstanceOf(KilnException.class)
                .hasMessageContaining("estimator.json").hasMessageContaining("checksum")
                .satisfies(x -> assertThat(((KilnException) x).code()).isEqualTo(ErrorCode.BUNDLE_CHECKSUM_MISMATCH));
    }

    @Test
    void refusesANewerMajorFormat() throws IOException {
        writeBundle(dir, "2.0", linear());
        assertThatThrownBy(() -> KilnModel.load(dir))
                .isInstanceOf(KilnException.class).hasMessageContaining("format 2.0").hasMessageContaining("upgrade Kiln");
        writeBundle(dir, "1.7", linear());
        assertThat(KilnModel.load(dir).task()).isEqualTo(Task.BINARY);
    }

    @Test
    void refusesATruncatedManifestAndAMissingDirectory() throws IOException {
        writeBundle(dir, "1.0", linear());
        Path m = dir.resolve("manifest.json");
        byte[] bytes = Files.readAllBytes(m);
        Files.write(m, java.util.Arrays.copyOf(bytes, bytes.length - 40));
        assertThatThrownBy(() -> KilnModel.load(dir)).isInstanceOf(KilnException.class)
                .hasMessageContaining("manifest.json").hasMessageContaining("invalid");
        assertThatThrownBy(() -> KilnModel.load(dir.resolve("nope"))).isInstanceOf(KilnException.class)
                .satisfies(x -> assertThat(((KilnException) x).code()).isEqualTo(ErrorCode.BUNDLE_NOT_FOUND));
    }

    @Test
    void refusesATreeWhoseChildrenPointBackwards() throws IOException {
        Tree loop = new Tree(0, 1, new int[] {0, 0, 0}, new float[] {0f, 0f, 0f}, new int[] {1, 0, -1},
                new int[] {2, 2, -1}, new boolean[3], new double[] {0, 0, 1});
        writeBundle(dir, "1.0", new TreeEnsembleEstimator(5, new double[] {0}, 1, Link.LOGISTIC, List.of(loop)));
        assertThatThrownBy(() -> KilnModel.load(dir)).isInstanceOf(KilnException.class)
                .hasMessageContaining("invalid children");
    }
}
