package dev.kiln.bench;

import dev.kiln.data.DataFrame;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.bundle.Bundle;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import dev.kiln.train.FeaturePipelineFitter;
import dev.kiln.train.Target;
import dev.kiln.train.TrainOptions;
import dev.kiln.train.TrainingData;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Helpers shared by the benchmarks: targets, pipelines, in-memory Kiln models. */
final class BenchModels {
    private BenchModels() {
    }

    /** The frame's target as Kiln's trainer sees it (classes in output order, y as class index). */
    static Target target(DataFrame frame, String targetColumn) {
        return Target.of(frame, TrainOptions.defaults(Path.of(frame.source()), targetColumn, null));
    }

    static List<String> features(DataFrame frame, String targetColumn) {
        List<String> features = new ArrayList<>(frame.names());
        features.remove(targetColumn);
        return features;
    }

    /** Training data without validation rows (so no early stopping: every boosting round is kept). */
    static TrainingData trainingData(Target target, FeaturePipeline pipeline, double[][] x) {
        return new TrainingData(target.task(), target.classes().size(), pipeline.featureNames(), x, target.y(),
                new double[0][], new double[0]);
    }

    /** A scorable model held in memory, as {@code Training} builds one before writing the bundle. */
    static KilnModel model(Target target, String targetColumn, FeaturePipelineFitter.Result fit,
                           TreeEnsembleEstimator estimator) {
        BundleManifest manifest = new BundleManifest(BundleManifest.FORMAT_VERSION, target.task(), targetColumn,
                target.classes(), target.positiveClass(), target.task() == Task.BINARY ? 0.5 : null,
                fit.inputSchema(), "gbdt", Map.of(), Map.of(), Map.of(), null, Map.of(), Map.of());
        estimator.validate(fit.pipeline().width());
        return KilnModel.of(new Bundle(null, manifest, fit.pipeline(), estimator, null));
    }

    /** Row {@code i} as a caller would pass it to {@link KilnModel#predict}: missing values as null. */
    static Map<String, Object> rowMap(DataFrame frame, int i, String targetColumn) {
        Map<String, Object> row = new HashMap<>(frame.row(i));
        row.remove(targetColumn);
        row.replaceAll((k, v) -> v instanceof Double d && d.isNaN() ? null : v);
        return row;
    }

    static float[] flatten(double[][] rows) {
        int width = rows[0].length;
        float[] flat = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < width; j++) {
                flat[i * width + j] = (float) rows[i][j];
            }
        }
        return flat;
    }

    /**
     * Record components of the estimator other than the trees and arrays (e.g. a precision flag), read
     * reflectively so this compiles whichever version of the record is on the class path.
     */
    static String describe(TreeEnsembleEstimator estimator) {
        StringBuilder sb = new StringBuilder();
        for (RecordComponent c : TreeEnsembleEstimator.class.getRecordComponents()) {
            Class<?> type = c.getType();
            if (type.isPrimitive() || type.isEnum() || type == String.class) {
                try {
                    sb.append(sb.length() == 0 ? "" : ", ").append(c.getName()).append('=')
                            .append(c.getAccessor().invoke(estimator));
                } catch (ReflectiveOperationException e) {
                    sb.append(c.getName()).append("=?");
                }
            }
        }
        return sb.append(", trees=").append(estimator.trees().size()).toString();
    }
}
