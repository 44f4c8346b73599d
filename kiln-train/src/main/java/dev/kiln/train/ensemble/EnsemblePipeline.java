package dev.kiln.train.ensemble;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.features.FeatureTransform;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One feature pipeline for members fitted on different pipelines (the standardising one of the linear model and the
 * unscaled one of the trees; one-hot against native categorical encodings): the members' transforms in order, an
 * identical transform (same column, same fitted parameters) kept once, and per member the map from its features to
 * the merged pipeline's ({@link dev.kiln.runtime.model.EnsembleEstimator.Member#inputs}). An alternative to
 * {@link LinearRescaling} that works for any pair of pipelines over the same input columns, at the price of a wider
 * feature vector (a scaled and an unscaled copy of each numeric column).
 *
 * @param inputs per member pipeline, its feature j's index in {@code pipeline}; null where that is the identity
 */
public record EnsemblePipeline(FeaturePipeline pipeline, List<int[]> inputs) {

    public static EnsemblePipeline merge(List<FeaturePipeline> pipelines) {
        if (pipelines == null || pipelines.isEmpty()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "pipelines: no pipelines to merge",
                    Map.of("parameter", "pipelines"));
        }
        List<FeatureTransform> merged = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        int width = 0;
        List<int[]> maps = new ArrayList<>();
        for (FeaturePipeline p : pipelines) {
            int[] map = new int[p.width()];
            int j = 0;
            boolean identity = true;
            for (FeatureTransform t : p.transforms()) {
                int at = merged.indexOf(t);
                int offset;
                if (at >= 0) {
                    offset = offsets.get(at);
                } else {
                    merged.add(t);
                    offsets.add(width);
                    offset = width;
                    width += t.outputNames().size();
                }
                for (int k = 0; k < t.outputNames().size(); k++) {
                    map[j] = offset + k;
                    identity &= map[j] == j;
                    j++;
                }
            }
            maps.add(map);
            if (identity) {
                maps.set(maps.size() - 1, null);  // reads the merged vector's first p.width() features in order
            }
        }
        FeaturePipeline pipeline = new FeaturePipeline(merged);
        for (int i = 0; i < maps.size(); i++) {
            if (maps.get(i) == null && pipelines.get(i).width() != pipeline.width()) {
                // a prefix of the merged vector: the member still needs an explicit map (null means the whole vector)
                int[] prefix = new int[pipelines.get(i).width()];
                for (int k = 0; k < prefix.length; k++) {
                    prefix[k] = k;
                }
                maps.set(i, prefix);
            }
        }
        return new EnsemblePipeline(pipeline, maps);
    }
}
