package dev.kiln.store;

import java.time.Instant;
import java.util.Map;

/**
 * One tracked run. {@code parentRunId} links a candidate's run to the search that made it. {@code host}
 * and {@code pid} identify the process that owns a RUNNING run, so a dead owner can be detected.
 */
public record Run(
        String id,
        String experiment,
        String parentRunId,
        String name,
        RunStatus status,
        Instant startedAt,
        Instant endedAt,
        String host,
        long pid,
        Map<String, String> params,
        Map<String, String> tags,
        Map<String, Double> latestMetrics) {
}
