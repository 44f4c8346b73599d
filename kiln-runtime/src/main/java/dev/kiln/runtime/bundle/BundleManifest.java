package dev.kiln.runtime.bundle;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.schema.Schema;
import java.util.List;
import java.util.Map;

/**
 * The bundle's {@code manifest.json}. {@code classes} lists class labels in output order (binary:
 * negative then positive). {@code files} maps every other file of the bundle to its SHA-256.
 */
public record BundleManifest(
        String formatVersion,
        Task task,
        String target,
        List<String> classes,
        String positiveClass,
        Double decisionThreshold,
        Schema inputSchema,
        String algorithm,
        Map<String, Object> hyperparameters,
        Map<String, Double> validationMetrics,
        Map<String, Double> testMetrics,
        Lineage lineage,
        Map<String, Object> extra,
        Map<String, String> files) {

    /**
     * The format this Kiln writes. Readers accept any minor version of the same major. 1.1 added the optional
     * {@link #REFERENCE_SKETCH_FILE}; 1.2 added what explanations need (trees' node covers, linear models'
     * training feature means); 1.3 added the optional {@link #CALIBRATION_FILE} (classifiers' probability calibration,
     * what performance estimation before labels needs); 1.4 added ensemble estimators (kind {@code ensemble}), trees
     * with categorical splits, Platt calibration, and calibration applied to the probabilities the model returns.
     * Older bundles still load and score, without what they lack.
     */
    public static final String FORMAT_VERSION = "1.4";
    public static final String MANIFEST_FILE = "manifest.json";
    public static final String PIPELINE_FILE = "pipeline.json";
    public static final String ESTIMATOR_FILE = "estimator.json";
    public static final String PROFILE_FILE = "profile.json";
    public static final String REFERENCE_SKETCH_FILE = "reference_sketch.json";
    public static final String CALIBRATION_FILE = "calibration.json";

    /** This manifest with {@code extra[key] = value} (the other entries kept, in their order). */
    public BundleManifest withExtra(String key, Object value) {
        Map<String, Object> more = new java.util.LinkedHashMap<>(extra == null ? Map.of() : extra);
        more.put(key, value);
        return new BundleManifest(formatVersion, task, target, classes, positiveClass, decisionThreshold, inputSchema,
                algorithm, hyperparameters, validationMetrics, testMetrics, lineage, more, files);
    }

    public static int major(String formatVersion) {
        try {
            return Integer.parseInt(formatVersion.split("\\.", 2)[0]);
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
