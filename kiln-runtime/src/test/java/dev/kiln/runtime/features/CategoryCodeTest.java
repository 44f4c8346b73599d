package dev.kiln.runtime.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.Json;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** {@link FeatureTransform.CategoryCode}: one feature, the level's index, NaN for unseen and missing levels. */
class CategoryCodeTest {

    private static FeaturePipeline pipeline() {
        return new FeaturePipeline(List.of(
                new FeatureTransform.Numeric("x", 0.0, false, 0.0, 1.0),
                new FeatureTransform.CategoryCode("colour", List.of("red", "green", "blue"))));
    }

    @Test
    void encodesTheLevelIndexAndNanForUnseenOrMissing() {
        FeaturePipeline p = pipeline();
        assertThat(p.featureNames()).containsExactly("x", "colour");
        assertThat(p.featureColumn(1)).as("explanations attribute the code to its column").isEqualTo(1);
        double[] out = new double[2];
        p.transform(new Object[] {1.5, "blue"}, out);
        assertThat(out).containsExactly(1.5, 2.0);
        p.transform(new Object[] {1.5, "red"}, out);
        assertThat(out[1]).isEqualTo(0.0);
        p.transform(new Object[] {1.5, "purple"}, out);
        assertThat(out[1]).isNaN();
        p.transform(new Object[] {1.5, null}, out);
        assertThat(out[1]).isNaN();
    }

    @Test
    void roundTripsThroughJsonAsCategoryCode() throws Exception {
        String json = Json.mapper().writeValueAsString(pipeline());
        assertThat(json).contains("\"category_code\"");
        FeaturePipeline back = Json.mapper().readValue(json, FeaturePipeline.class);
        assertThat(back.transforms()).isEqualTo(pipeline().transforms());
    }

    @Property(tries = 200)
    void aKeptLevelGetsItsIndexAndAnyOtherStringNan(@ForAll @Size(max = 8) List<String> raw, @ForAll String probe) {
        List<String> levels = new ArrayList<>(new LinkedHashSet<>(raw));
        FeaturePipeline p = new FeaturePipeline(List.of(new FeatureTransform.CategoryCode("c", levels)));
        double[] out = new double[1];
        p.transform(new Object[] {probe}, out);
        int index = levels.indexOf(probe);
        if (index >= 0) {
            assertThat(out[0]).isEqualTo(index);
        } else {
            assertThat(out[0]).isNaN();
        }
        for (int j = 0; j < levels.size(); j++) {
            p.transform(new Object[] {levels.get(j)}, out);
            assertThat(out[0]).isEqualTo(j);
        }
    }
}
