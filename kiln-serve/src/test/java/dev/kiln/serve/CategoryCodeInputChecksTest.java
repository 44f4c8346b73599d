package dev.kiln.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.Bundle;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.features.FeatureTransform;
import dev.kiln.runtime.model.ConstantEstimator;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Schema;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A category-code column's levels are known categories for serving's unknown-level flag, as one-hot levels are. */
class CategoryCodeInputChecksTest {
    @Test
    void codedLevelsAreKnown() {
        var pipeline = new FeaturePipeline(List.of(new FeatureTransform.CategoryCode("city", List.of("paris", "rome"))));
        var manifest = new BundleManifest("1.4", Task.REGRESSION, "y", List.of(), null, null,
                new Schema(List.of(new Field("city", ColumnType.CATEGORICAL, true))), "gbdt",
                Map.of(), Map.of(), Map.of(), null, Map.of(), Map.of());
        KilnModel model = KilnModel.of(new Bundle(null, manifest, pipeline,
                new ConstantEstimator(pipeline.width(), new double[] {0}), null));
        InputChecks checks = InputChecks.of(model);
        assertThat(checks.known(0, "rome".toCharArray(), 0, 4)).isEqualTo("rome");
        assertThat(checks.known(0, "oslo".toCharArray(), 0, 4)).isNull();
    }
}
