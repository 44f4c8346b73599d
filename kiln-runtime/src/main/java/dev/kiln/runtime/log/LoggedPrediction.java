package dev.kiln.runtime.log;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A {@code predictions} or {@code shadow} record as {@link LogReader} reads it back. Values are plain Java: null,
 * Boolean, Long (or BigInteger past a long), Double, String, List and Map (in the line's order). {@code probabilities}
 * is null when the line has none (regression); {@code flags} is empty when it has none; {@code id},
 * {@code explanation}, {@code servedVersion} and {@code servedPrediction} are null when absent (the last two are only
 * in {@code shadow} records).
 */
public record LoggedPrediction(String requestId, String id, Instant time, String model, String version, int row,
                               Map<String, Object> inputs, Object prediction, Map<String, Double> probabilities,
                               Map<String, Object> explanation, List<LoggedFlag> flags, double latencyMs,
                               String servedVersion, Object servedPrediction) {
    /** One input-check flag of a logged row. */
    public record LoggedFlag(String column, Object value, Integer valueLength, String reason) implements InputFlag {
    }
}
