package dev.kiln.serve;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The records logged under {@code dev.kiln.serve} while it is open (System.Logger goes to java.util.logging here). */
final class LogCapture implements AutoCloseable {
    private final Logger logger = Logger.getLogger("dev.kiln.serve");
    final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    LogCapture() {
        handler.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    /** Records whose message contains {@code text}. */
    List<LogRecord> containing(String text) {
        return records.stream().filter(r -> r.getMessage() != null && r.getMessage().contains(text)).toList();
    }

    /** Records that carry a stack trace. */
    List<LogRecord> withStackTraces() {
        return records.stream().filter(r -> r.getThrown() != null).toList();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
