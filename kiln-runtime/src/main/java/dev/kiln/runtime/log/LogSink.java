package dev.kiln.runtime.log;

import java.io.IOException;
import java.util.Arrays;

/** Where the log's lines go: {@link RotatingFileSink} in production, wrappers of it in tests. Writer thread only. */
public interface LogSink extends AutoCloseable {
    /** Appends one complete line (ending in a newline) to the {@code kind} log of {@code model}. */
    void append(String model, String kind, byte[] line) throws IOException;

    /** As {@link #append(String, String, byte[])} with {@code len} bytes of {@code buf} from {@code off}. */
    default void append(String model, String kind, byte[] buf, int off, int len) throws IOException {
        append(model, kind, Arrays.copyOfRange(buf, off, off + len));
    }

    void flush() throws IOException;

    /** Forgets open files after a failure, so that the next append starts a new one. */
    default void reset() {
    }

    @Override
    void close() throws IOException;
}
