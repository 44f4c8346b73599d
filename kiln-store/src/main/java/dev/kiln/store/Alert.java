package dev.kiln.store;

import java.time.Instant;
import java.util.Map;

/**
 * A monitoring alert: rule {@code rule} (of kind {@code kind}) fired for served model {@code model}. It stays
 * {@code open} while the rule keeps firing — each evaluation that fires again bumps {@code timesSeen},
 * {@code lastSeenAt} and replaces the evidence — and becomes {@code resolved} when an evaluation finds the rule
 * clear, or when a person resolves it ({@code resolvedBy} and {@code resolveReason} then say who and why; both
 * null when the monitor resolved it). {@code version} is the model version the evidence is about, when one is known.
 */
public record Alert(long id, String model, Integer version, String rule, String kind, String severity, String status,
                    String message, Map<String, Object> evidence, Instant firstSeenAt, Instant lastSeenAt,
                    Instant resolvedAt, long timesSeen, String resolvedBy, String resolveReason) {
    public static final String OPEN = "open";
    public static final String RESOLVED = "resolved";

    public boolean open() {
        return OPEN.equals(status);
    }
}
