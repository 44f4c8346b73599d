package dev.kiln.runtime.log;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The log's files: one open file per model and kind under {@code dir/<model>/}, named as {@link LogFormat#fileName}
 * says, a new one started when the next line would take the current one past {@code maxFileBytes} (a line is never
 * split). After a new file is opened, and at least every {@link #SWEEP_EVERY} on flush, old files are removed as
 * {@link LogRetention} says (never an open one). Writer thread only.
 */
public final class RotatingFileSink implements LogSink {
    /** How often retention is applied when no file is opened (a quiet log still ages). */
    public static final Duration SWEEP_EVERY = Duration.ofMinutes(1);
    private static final System.Logger LOG = System.getLogger("dev.kiln.runtime.log");

    private final Path dir;
    private final long maxBytes;
    private final LogRetention retention;
    private final Clock clock;
    private final Map<String, Open> open = new HashMap<>();
    private long seq;
    private Instant lastSweep = Instant.MIN;
    private boolean sweepFailing;

    private static final class Open {
        final Path path;
        final OutputStream out;
        long bytes;

        Open(Path path, OutputStream out) {
            this.path = path;
            this.out = out;
        }
    }

    // The file of the latest append (most lines go to the same one): no key built per line.
    private String lastModel;
    private String lastKind;
    private Open last;

    /** Files under {@code dir} rotated at {@code maxBytes}, kept for ever. */
    public RotatingFileSink(Path dir, long maxBytes) {
        this(dir, maxBytes, LogRetention.NONE, Clock.systemUTC());
    }

    public RotatingFileSink(Path dir, long maxBytes, LogRetention retention, Clock clock) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive, not " + maxBytes);
        }
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.retention = retention;
        this.clock = clock;
    }

    @Override
    public void append(String model, String kind, byte[] line) throws IOException {
        append(model, kind, line, 0, line.length);
    }

    @Override
    public void append(String model, String kind, byte[] buf, int off, int len) throws IOException {
        Open o;
        String key = null;
        if (last != null && model.equals(lastModel) && kind.equals(lastKind)) {
            o = last;
        } else {
            key = model + "/" + kind;
            o = open.get(key);
        }
        if (o != null && o.bytes > 0 && o.bytes + len > maxBytes) {
            open.remove(key != null ? key : model + "/" + kind);
            last = null;
            o.out.close();
            o = null;
        }
        if (o == null) {
            o = newFile(model, kind);
            open.put(key != null ? key : model + "/" + kind, o);
            sweep();
        }
        last = o;
        lastModel = model;
        lastKind = kind;
        o.out.write(buf, off, len);
        o.bytes += len;
    }

    private Open newFile(String model, String kind) throws IOException {
        Path folder = dir.resolve(model);
        Files.createDirectories(folder);
        Instant now = clock.instant();
        while (true) {
            Path file = folder.resolve(LogFormat.fileName(kind, now, ++seq));
            try {
                return new Open(file, new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE), 1 << 16));
            } catch (FileAlreadyExistsException taken) {
                // a file of an earlier run in the same second: next number
            }
        }
    }

    /** Applies retention now; a failure is logged (once per streak), never thrown: it must not cost a record. */
    private void sweep() {
        lastSweep = clock.instant();
        if (retention.keepsEverything()) {
            return;
        }
        Set<Path> writing = new HashSet<>();
        for (Open o : open.values()) {
            writing.add(o.path);
        }
        try {
            LogRetention.Swept swept = retention.sweep(dir, lastSweep, writing);
            sweepFailing = false;
            if (swept.files() > 0) {
                LOG.log(System.Logger.Level.INFO, "prediction log under " + dir + ": removed " + swept.files() + " old files ("
                        + swept.bytes() + " bytes), " + swept.bytesLeft() + " bytes kept");
            }
        } catch (IOException | RuntimeException e) {
            if (!sweepFailing) {
                sweepFailing = true;
                LOG.log(System.Logger.Level.WARNING, "prediction log under " + dir + ": cannot apply retention", e);
            }
        }
    }

    @Override
    public void flush() throws IOException {
        IOException first = null;
        for (Open o : open.values()) {
            try {
                o.out.flush();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
        if (!retention.keepsEverything() && !clock.instant().isBefore(lastSweep.plus(SWEEP_EVERY))) {
            sweep();
        }
    }

    @Override
    public void reset() {
        last = null;
        for (Open o : open.values()) {
            try {
                o.out.close();
            } catch (IOException ignored) {
                // the file is abandoned
            }
        }
        open.clear();
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            reset();
        }
    }
}
