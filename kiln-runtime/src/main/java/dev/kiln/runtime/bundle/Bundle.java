package dev.kiln.runtime.bundle;

import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.model.Estimator;
import dev.kiln.runtime.profile.DatasetProfile;
import java.nio.file.Path;

/**
 * A loaded, verified bundle. {@code referenceSketch} is null for bundles written before format 1.1,
 * {@code calibration} for bundles written before format 1.3 (and for regression models).
 */
public record Bundle(Path directory, BundleManifest manifest, FeaturePipeline pipeline, Estimator estimator,
                     DatasetProfile referenceProfile, ReferenceSketch referenceSketch, Calibration calibration) {

    public Bundle(Path directory, BundleManifest manifest, FeaturePipeline pipeline, Estimator estimator,
                  DatasetProfile referenceProfile, ReferenceSketch referenceSketch) {
        this(directory, manifest, pipeline, estimator, referenceProfile, referenceSketch, null);
    }

    public Bundle(Path directory, BundleManifest manifest, FeaturePipeline pipeline, Estimator estimator,
                  DatasetProfile referenceProfile) {
        this(directory, manifest, pipeline, estimator, referenceProfile, null, null);
    }
}
