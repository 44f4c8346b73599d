package dev.kiln.monitor.logs;

/**
 * Where one model's log lines come from, for {@link PredictionLogReader}: the files a server wrote under its
 * {@code --log-dir} ({@link FileLogLines}), or a Kafka topic (kiln-kafka). A source hands over raw lines in the order
 * they were written; parsing them, counting the malformed and keeping a window's records is the reader's, so every
 * source gives the same records for the same lines.
 */
public interface LogLines {
    /** True when there is a log to read (else monitoring says there is none). */
    boolean exists();

    /** Where the log is, for messages: a folder, a topic. */
    String where();

    /**
     * Hands {@code sink} every non-blank line of the {@code kind} log that may hold a record of {@code window}, in
     * the order written (a source may skip what it knows lies outside the window, and may hand over lines outside
     * it: the reader keeps only the window's). Returns how many units (files, partitions) it read.
     */
    int read(String kind, LogWindow window, Sink sink);

    /** Receives lines: {@code unit} names the file or partition, {@code number} the line or offset in it. */
    @FunctionalInterface
    interface Sink {
        void line(String unit, long number, String line);
    }
}
