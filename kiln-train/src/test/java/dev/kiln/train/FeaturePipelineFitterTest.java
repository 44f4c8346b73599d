package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.data.DataFrame;
import dev.kiln.data.NumericColumn;
import dev.kiln.data.StringColumn;
import dev.kiln.runtime.features.FeatureTransform;
import dev.kiln.runtime.schema.ColumnType;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeaturePipelineFitterTest {
    private static DataFrame frame() {
        double[] x = {1, 2, 3, Double.NaN, 100};
        String[] c = {"a", "a", "b", null, "z"};
        String[] id = new String[5];
        for (int i = 0; i < 5; i++) {
            id[i] = "id" + i;
        }
        double[] empty = {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        return new DataFrame(List.of(new NumericColumn("x", ColumnType.NUMERIC, x),
                new StringColumn("c", ColumnType.CATEGORICAL, c),
                new NumericColumn("empty", ColumnType.NUMERIC, empty),
                new StringColumn("text", ColumnType.TEXT, id)), "mem", null);
    }

    @Test
    void imputesWithTheMedianAndModeAndFlagsMissing() {
        var result = FeaturePipelineFitter.fit(frame(), List.of("x", "c", "empty", "text"), FeaturePipelineFitter.Options.defaults(false));
        var x = (FeatureTransform.Numeric) result.pipeline().transforms().get(0);
        assertThat(x.fill()).isEqualTo(2.5);
        assertThat(x.missingIndicator()).isTrue();
        assertThat(x.scale()).isEqualTo(1.0);
        var c = (FeatureTransform.OneHot) result.pipeline().transforms().get(1);
        assertThat(c.fill()).isEqualTo("a");
        assertThat(c.levels()).containsExactly("a").as("levels seen once share the unknown bucket");
        assertThat(result.notes()).anyMatch(n -> n.contains("'empty'") && n.contains("missing"))
                .anyMatch(n -> n.contains("'text'") && n.contains("free text"))
                .anyMatch(n -> n.contains("'c': kept 1 of 3 levels"));
        assertThat(result.inputSchema().names()).containsExactly("x", "c");
    }

    @Test
    void standardisesOnlyWhenAsked() {
        var result = FeaturePipelineFitter.fit(frame(), List.of("x"), FeaturePipelineFitter.Options.defaults(true));
        var x = (FeatureTransform.Numeric) result.pipeline().transforms().get(0);
        assertThat(x.center()).isEqualTo(26.5);
        assertThat(x.scale()).isCloseTo(Math.sqrt(((25.5 * 25.5) + (24.5 * 24.5) + (23.5 * 23.5) + (73.5 * 73.5)) / 3), org.assertj.core.data.Offset.offset(1e-9));
        double[][] encoded = FeaturePipelineFitter.encode(result.pipeline(), frame());
        assertThat(encoded[3][1]).isEqualTo(1.0);
        assertThat(encoded[3][0]).isEqualTo((2.5 - 26.5) / x.scale());
    }
}
