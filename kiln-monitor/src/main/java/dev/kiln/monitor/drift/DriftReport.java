package dev.kiln.monitor.drift;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

    /**
     * This report with each type-problem column ({@code problems}: column to what did not fit its reference type)
     * flagged, its statistics dropped and the problem as its reason, and the data-set verdict counted again: how
     * {@code kiln drift} and {@code kiln spark drift} report a column they had to compare as categories.
     */
    public DriftReport withTypeProblems(Map<String, String> problems) {
        if (problems.isEmpty()) {
            return this;
        }
        List<FeatureDrift> flagged = new ArrayList<>();
        for (FeatureDrift f : features) {
            String problem = problems.get(f.name());
            flagged.add(problem == null ? f : new FeatureDrift(f.name(), f.type(), f.referenceCount(), f.currentCount(),
                    f.referenceMissingShare(), f.currentMissingShare(), null, null, null, null, null, null, null, null,
                    true, List.of("type problem: " + problem)));
        }
        int drifted = (int) flagged.stream().filter(FeatureDrift::drift).count();
        double share = flagged.isEmpty() ? 0.0 : (double) drifted / flagged.size();
        return new DriftReport(referenceRows, currentRows, flagged, drifted, share,
                drifted > 0 && share >= thresholds.datasetDriftShare(), missingInCurrent, missingInReference, thresholds);
    }

    /**
     * The verdict and per-feature results as the drift commands print them with --json, in this order: dataset_drift,
     * drifted_count, share_drifted, features, missing_in_current, missing_in_reference, then type_problems (rows of
     * column and message) when there are any. Each command puts its own keys around them.
     */
    public void putResult(Map<String, Object> result, Map<String, String> typeProblems) {
        result.put("dataset_drift", datasetDrift);
        result.put("drifted_count", driftedCount);
        result.put("share_drifted", shareDrifted);
        result.put("features", features);
        result.put("missing_in_current", missingInCurrent);
        result.put("missing_in_reference", missingInReference);
        if (!typeProblems.isEmpty()) {
            List<Map<String, String>> rows = new ArrayList<>();
            typeProblems.forEach((column, message) -> rows.add(Map.of("column", column, "message", message)));
            result.put("type_problems", rows);
        }
    }
}
