package dev.kiln.train.ensemble;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.data.DataFrame;
import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.train.FeaturePipelineFitter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Merged pipelines: each member's features are found, through its inputs, in the merged vector. */
class EnsemblePipelineTest {
    @Test
    void eachMemberSeesItsOwnFeaturesThroughItsInputs() {
        DataFrame train = LinearRescalingTest.frame(200, 1);
        List<String> columns = List.of("income", "age", "city", "flag");
        FeaturePipeline unscaled = FeaturePipelineFitter.fit(train, columns, FeaturePipelineFitter.Options.defaults(false)).pipeline();
        FeaturePipeline scaled = FeaturePipelineFitter.fit(train, columns, FeaturePipelineFitter.Options.defaults(true)).pipeline();
        EnsemblePipeline merged = EnsemblePipeline.merge(List.of(unscaled, scaled));
        // the first pipeline is the merged vector's prefix: an explicit map (null would mean the whole, wider vector)
        assertThat(merged.inputs().get(0)).containsExactly(java.util.stream.IntStream.range(0, unscaled.width()).toArray());
        // the categorical column is shared; the three numeric ones are kept twice (scaled and not)
        assertThat(merged.pipeline().transforms()).hasSize(4 + 3);
        assertThat(merged.pipeline().inputColumns()).containsExactlyElementsOf(columns);
        DataFrame test = LinearRescalingTest.frame(50, 2);
        double[][] all = FeaturePipelineFitter.encode(merged.pipeline(), test);
        double[][] u = FeaturePipelineFitter.encode(unscaled, test);
        double[][] s = FeaturePipelineFitter.encode(scaled, test);
        int[] map = merged.inputs().get(1);
        assertThat(map).hasSize(scaled.width());
        for (int i = 0; i < all.length; i++) {
            for (int f = 0; f < unscaled.width(); f++) {
                assertThat(all[i][f]).isEqualTo(u[i][f]);
            }
            for (int f = 0; f < scaled.width(); f++) {
                assertThat(all[i][map[f]]).isEqualTo(s[i][f]);
            }
        }
        EnsemblePipeline prefix = EnsemblePipeline.merge(List.of(unscaled, unscaled));
        assertThat(prefix.pipeline().width()).isEqualTo(unscaled.width());
        assertThat(prefix.inputs()).containsExactly(null, null);
    }
}
