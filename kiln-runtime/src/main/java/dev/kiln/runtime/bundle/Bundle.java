package dev.kiln.runtime.bundle;

import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.model.Estimator;
import dev.kiln.runtime.profile.DatasetProfile;
import java.nio.file.Path;

/** A loaded, verified bundle. */
public record Bundle(Path directory, BundleManifest manifest, FeaturePipeline pipeline, Estimator estimator,
                     DatasetProfile referenceProfile) {
}
