package dev.kiln.runtime.log;

import java.time.Instant;

/**
 * One {@code feedback} record: ground truth about a logged prediction, a {@code label} (a string, number or boolean;
 * written as given, a {@code JsonNode} included, and read back as a plain Java value) or a {@code reward} — exactly one.
 * {@code row}: the row of the request it is about (null: row 0, and not written). {@code servedVersion}: the version
 * served under the model's name when the feedback arrived. {@code feedbackId}: the feedback request's own id.
 */
public record FeedbackEntry(String requestId, Instant time, String model, String servedVersion, Integer row,
                            Object label, Double reward, String feedbackId) {
    /** The row it is about (row 0 when not given). */
    public int rowOrZero() {
        return row == null ? 0 : row;
    }
}
