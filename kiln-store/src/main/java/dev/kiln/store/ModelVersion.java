package dev.kiln.store;

import java.time.Instant;
import java.util.Map;

/**
 * An immutable model version: the bundle (stored content-addressed; {@code bundleSha256} is the SHA-256
 * of its manifest, which holds the checksums of every other file), the run that made it and the dataset
 * version it learnt from.
 */
public record ModelVersion(
        String model,
        int version,
        String bundleSha256,
        String sourceRunId,
        String datasetSha256,
        String algorithm,
        String task,
        Map<String, Double> metrics,
        String createdBy,
        Instant createdAt,
        String description) {
}
