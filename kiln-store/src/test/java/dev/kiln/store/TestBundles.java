package dev.kiln.store;

import dev.kiln.runtime.Json;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.bundle.Lineage;
import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.features.FeatureTransform;
import dev.kiln.runtime.model.Link;
import dev.kiln.runtime.model.LinearEstimator;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Schema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small valid bundles written by hand, as kiln-runtime's BundleReaderTest does (kiln-train has the writer). */
final class TestBundles {
    static final String DATASET_SHA = "ab".repeat(32);

    private TestBundles() {
    }

    static final FeaturePipeline PIPELINE = new FeaturePipeline(List.of(
            new FeatureTransform.Numeric("age", 30, true, 30, 10),
            new FeatureTransform.OneHot("purpose", List.of("car", "tv"), "car", false)));

    static final Schema SCHEMA = new Schema(List.of(
            new Field("age", ColumnType.INTEGER, true), new Field("purpose", ColumnType.CATEGORICAL, true)));

    /** Writes a binary linear bundle into {@code dir}; {@code variant} changes the intercept, so the content. */
    static Path write(Path dir, double variant) {
        try {
            Files.createDirectories(dir);
            LinearEstimator estimator = new LinearEstimator(new double[][] {{1.0, 2.0, 0.0, 1.0, -1.0}},
                    new double[] {variant}, Link.LOGISTIC);
            Map<String, String> files = new LinkedHashMap<>();
            byte[] p = Json.mapper().writeValueAsBytes(PIPELINE);
            byte[] e = Json.mapper().writeValueAsBytes(estimator);
            Files.write(dir.resolve("pipeline.json"), p);
            Files.write(dir.resolve("estimator.json"), e);
            files.put("pipeline.json", Checksums.sha256(p));
            files.put("estimator.json", Checksums.sha256(e));
            Lineage lineage = new Lineage("credit.csv", DATASET_SHA, 100, 60, 20, 20, "random", 42, Map.of(), "0.1.0", null,
                    "2026-01-01T00:00:00Z");
            BundleManifest m = new BundleManifest("1.0", Task.BINARY, "class", List.of("good", "bad"), "bad", 0.5,
                    SCHEMA, "linear", Map.of(), Map.of("auc", 0.7), Map.of("auc", 0.75 + variant / 100, "accuracy", 0.8), lineage,
                    null, files);
            Files.write(dir.resolve("manifest.json"), Json.mapper().writeValueAsBytes(m));
            return dir;
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }
}
