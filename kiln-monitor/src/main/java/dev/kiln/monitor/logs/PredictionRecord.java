package dev.kiln.monitor.logs;

import java.time.Instant;
import java.util.Map;

/**
 * One row a server predicted, as its prediction log holds it. {@code inputs} are the values the request sent
 * (strings, numbers, booleans or null); {@code probabilities} is empty for regression.
 */
public record PredictionRecord(String requestId, Instant time, String model, String version, int row,
                               Map<String, Object> inputs, Object prediction, Map<String, Double> probabilities,
                               double latencyMs, boolean flagged) {
    /** The key feedback joins on: the request id and the row within the request. */
    public String key() {
        return requestId + "#" + row;
    }
}
