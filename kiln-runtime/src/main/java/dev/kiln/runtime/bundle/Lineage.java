package dev.kiln.runtime.bundle;

import java.util.Map;

/**
 * Where a model came from: the dataset version (SHA-256 of its bytes), its rows, the training parameters
 * and seed, the Kiln version and git commit of the code, and when it was made.
 */
public record Lineage(
        String datasetSource,
        String datasetSha256,
        long datasetRows,
        long trainRows,
        long validationRows,
        long testRows,
        String split,
        long seed,
        Map<String, Object> parameters,
        String kilnVersion,
        String gitCommit,
        String createdAt) {
}
