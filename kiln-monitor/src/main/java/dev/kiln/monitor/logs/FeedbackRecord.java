package dev.kiln.monitor.logs;

import java.time.Instant;

/**
 * Ground truth sent after a prediction: a {@code label} (text form of the JSON value) or a {@code reward}. A
 * feedback without {@code row} is about row 0 of its request (single-row requests are the common case).
 * {@code servedVersion}: the version served under the name when the feedback arrived; the version that answered
 * the request (a canary's, say) is in the prediction's own record, which feedback joins by {@link #key()}.
 */
public record FeedbackRecord(String requestId, Instant time, String model, String servedVersion, int row,
                             String label, Double reward) {
    public String key() {
        return requestId + "#" + row;
    }
}
