package dev.kiln.data.validate;

import dev.kiln.runtime.validate.Expectations;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.data.Profiler;
import dev.kiln.data.ReadOptions;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.Bundle;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.features.FeatureTransform;
import dev.kiln.runtime.model.ConstantEstimator;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Schema;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A category-code pipeline's levels are the column's known categories, as one-hot levels are. */
class CategoryCodeExpectationsTest {
    @Test
    void codedLevelsAreKnownCategories() {
        DataFrame training = DataReader.readCsv(new ByteArrayInputStream("city\nparis\nrome\nparis\n".getBytes(StandardCharsets.UTF_8)),
                "train.csv", ReadOptions.defaults().withTypes(Map.of("city", ColumnType.CATEGORICAL)));
        var fields = List.of(new Field("city", ColumnType.CATEGORICAL, true));
        var pipeline = new FeaturePipeline(List.of(new FeatureTransform.CategoryCode("city", List.of("paris", "rome", "oslo"))));
        var manifest = new BundleManifest("1.4", Task.REGRESSION, "y", List.of(), null, null, new Schema(fields), "gbdt",
                Map.of(), Map.of(), Map.of(), null, Map.of(), Map.of());
        var bundle = new Bundle(null, manifest, pipeline, new ConstantEstimator(pipeline.width(), new double[] {0}),
                Profiler.profile(training));
        assertThat(Expectations.of(bundle).knownCategories().get("city")).contains("paris", "rome", "oslo");
    }
}
