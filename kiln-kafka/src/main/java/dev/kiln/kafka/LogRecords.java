package dev.kiln.kafka;

import java.nio.charset.StandardCharsets;

/**
 * How the prediction log's lines are laid out as Kafka records, in one place: one record per line, its value the
 * line's bytes exactly as the file sink writes them (UTF-8 JSON, ending in a newline), its key the model's name
 * (UTF-8; so every record of a model goes to one partition, in the order written), and the log kind
 * ({@code predictions}, {@code feedback} or {@code shadow}) in the header {@link #KIND_HEADER}. The record's
 * timestamp is the producer's (the moment the writer handed it over), never earlier than the line's own
 * {@code time}; readers find a window's first offset by it.
 */
public final class LogRecords {
    /** The header that says which log a record belongs to. */
    public static final String KIND_HEADER = "kiln.kind";

    private LogRecords() {
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
