package dev.kiln.monitor.drift;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Drift of a data set: one {@link FeatureDrift} per column present on both sides (reference order),
 * the columns found on only one side, and the data-set verdict.
 *
 * @param driftedCount features flagged
 * @param shareDrifted driftedCount / features (0 when there are none)
 * @param datasetDrift shareDrifted ≥ thresholds.datasetDriftShare (and at least one feature)
 * @param missingInCurrent reference columns absent from the current data
 * @param missingInReference current columns absent from the reference
 */
public record DriftReport(
        @JsonProperty("reference_rows") long referenceRows,
        @JsonProperty("current_rows") long currentRows,
        @JsonProperty("features") List<FeatureDrift> features,
        @JsonProperty("drifted_count") int driftedCount,
        @JsonProperty("share_drifted") double shareDrifted,
        @JsonProperty("dataset_drift") boolean datasetDrift,
        @JsonProperty("missing_in_current") List<String> missingInCurrent,
        @JsonProperty("missing_in_reference") List<String> missingInReference,
        @JsonProperty("thresholds") DriftThresholds thresholds) {

    public DriftReport {
        features = List.copyOf(features);
        missingInCurrent = missingInCurrent == null ? List.of() : List.copyOf(missingInCurrent);
        missingInReference = missingInReference == null ? List.of() : List.copyOf(missingInReference);
    }

    /** The named feature, or null. */
    public FeatureDrift feature(String name) {
        return features.stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
    }
}
