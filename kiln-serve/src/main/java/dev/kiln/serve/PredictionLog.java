package dev.kiln.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An asynchronous, bounded, append-only log of what a server predicted (and of the feedback sent about it), as
 * JSON lines under {@code dir/<model>/<kind>-<yyyyMMdd-HHmmss>-<seq>.jsonl} ({@code kind} is {@code predictions}
 * or {@code feedback}), each file rotated once it would pass a size limit (a line is never split across files).
 *
 * <p>Request threads only {@link #offer} a record to a bounded queue and never block: when the queue is full the
 * record is dropped and counted ({@link #dropped()}). One background thread drains the queue, serializes and
 * writes the records and flushes whenever the queue runs empty. A write failure (a full disk, say) is counted
 * ({@link #failed()}), reported once per streak through the system logger and in {@link #lastError()}, and
 * never reaches a request; the next write opens a new file. {@link #close()} stops taking records, drains what
 * is queued within a bounded time, flushes and closes the files.
 */
public final class PredictionLog implements AutoCloseable {
    public static final int DEFAULT_CAPACITY = 10_000;
    public static final long DEFAULT_MAX_FILE_BYTES = 64L << 20;
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);
    public static final String PREDICTIONS = "predictions";
    public static final String FEEDBACK = "feedback";

    private static final System.Logger LOG = System.getLogger("dev.kiln.serve.log");
    private static final int BATCH = 512;

    /** Where serialized lines go; the file sink in production, wrappers of it in tests. */
    interface Sink extends AutoCloseable {
        /** Appends one complete line (ending in a newline) to the {@code kind} log of {@code model}. */
        void append(String model, String kind, byte[] line) throws IOException;

        void flush() throws IOException;

        /** Forgets open files after a failure, so that the next append starts a new one. */
        default void reset() {
        }

        @Override
        void close() throws IOException;
    }

    /** One queued record: serialized on the writer thread, so its values must not change once offered. */
    record Entry(String model, String kind, Map<String, Object> fields) {
    }

    private final Path dir;
    private final BlockingQueue<Entry> queue;
    private final Sink sink;
    private final ObjectMapper mapper = InferenceServer.MAPPER;
    private final Duration closeTimeout;
    private final Thread writer;
    private final AtomicLong enqueued = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private volatile boolean closing;
    private volatile boolean abandoned;
    private volatile boolean failing;

    /** A log under {@code dir} with the default queue capacity (10,000) and file size limit (64 MiB). */
    public PredictionLog(Path dir) {
        this(dir, DEFAULT_CAPACITY, DEFAULT_MAX_FILE_BYTES);
    }

    public PredictionLog(Path dir, int capacity, long maxFileBytes) {
        this(dir, capacity, new FileSink(dir, maxFileBytes), DEFAULT_CLOSE_TIMEOUT);
    }

    PredictionLog(Path dir, int capacity, Sink sink, Duration closeTimeout) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.dir = Objects.requireNonNull(dir, "dir");
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.sink = Objects.requireNonNull(sink, "sink");
        this.closeTimeout = closeTimeout;
        this.writer = new Thread(this::drain, "kiln-prediction-log");
        writer.setDaemon(true);
        writer.start();
    }

    public Path dir() {
        return dir;
    }

    /** Queues a record without blocking; false (and counted as dropped) when the queue is full or the log closed. */
    public boolean offer(String model, String kind, Map<String, Object> fields) {
        if (!closing && queue.offer(new Entry(model, kind, fields))) {
            enqueued.incrementAndGet();
            return true;
        }
        dropped.incrementAndGet();
        return false;
    }

    /** Records taken into the queue. */
    public long enqueued() {
        return enqueued.get();
    }

    /** Records written and flushed. */
    public long written() {
        return written.get();
    }

    /** Records refused because the queue was full (or the log closed). */
    public long dropped() {
        return dropped.get();
    }

    /** Records lost to a failed write. */
    public long failed() {
        return failed.get();
    }

    /** Records waiting in the queue now. */
    public int queueSize() {
        return queue.size();
    }

    /** The message of the latest write failure, if any. */
    public java.util.Optional<String> lastError() {
        return java.util.Optional.ofNullable(lastError.get());
    }

    private void drain() {
        List<Entry> batch = new ArrayList<>(BATCH);
        while (true) {
            Entry first;
            try {
                first = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;  // not expected: close() never interrupts
            }
            if (first == null) {
                if (closing) {
                    break;
                }
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, BATCH - 1);
            write(batch);
            batch.clear();
            if (abandoned) {
                break;
            }
        }
    }

    private void write(List<Entry> batch) {
        int pending = 0;
        for (int i = 0; i < batch.size(); i++) {
            if (abandoned) {
                dropped.addAndGet(batch.size() - i);  // close() stopped waiting: the rest are not written
                break;
            }
            Entry e = batch.get(i);
            try {
                byte[] json = mapper.writeValueAsBytes(e.fields());
                byte[] line = new byte[json.length + 1];
                System.arraycopy(json, 0, line, 0, json.length);
                line[json.length] = '\n';
                sink.append(e.model(), e.kind(), line);
                pending++;
            } catch (IOException | RuntimeException ex) {
                fail(1, ex);
            }
        }
        try {
            sink.flush();
            written.addAndGet(pending);
            if (pending > 0 && failing) {
                failing = false;
                LOG.log(System.Logger.Level.INFO, "prediction log under " + dir + " is writing again");
            }
        } catch (IOException | RuntimeException ex) {
            fail(pending, ex);
        }
    }

    private void fail(int records, Exception ex) {
        failed.addAndGet(records);
        lastError.set(String.valueOf(ex));
        sink.reset();
        if (!failing) {
            failing = true;
            LOG.log(System.Logger.Level.ERROR, "prediction log under " + dir + " cannot write (records are lost until it can)", ex);
        }
    }

    /** Stops taking records, writes what is queued (for at most the close timeout), flushes and closes the files. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        try {
            writer.join(closeTimeout.toMillis());
            if (writer.isAlive()) {
                // Not interrupted: an interrupt closes a file channel mid-write. It stops after the current record.
                abandoned = true;
                writer.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            LOG.log(System.Logger.Level.WARNING, "prediction log writer under " + dir + " is stuck; its files are left open");
            return;
        }
        int left = queue.size();
        if (left > 0) {
            dropped.addAndGet(left);
            queue.clear();
            LOG.log(System.Logger.Level.WARNING, "prediction log closed with " + left + " records unwritten");
        }
        try {
            sink.close();
        } catch (IOException | RuntimeException e) {
            failed.incrementAndGet();
            lastError.set(String.valueOf(e));
        }
    }

    /** Files per model and kind, rotated by size; names sort by creation (timestamp, then sequence). */
    static final class FileSink implements Sink {
        private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

        private final Path dir;
        private final long maxBytes;
        private final Map<String, Open> open = new HashMap<>();
        private long seq;

        private static final class Open {
            final OutputStream out;
            long bytes;

            Open(OutputStream out) {
                this.out = out;
            }
        }

        FileSink(Path dir, long maxBytes) {
            if (maxBytes < 1) {
                throw new IllegalArgumentException("maxBytes must be positive, not " + maxBytes);
            }
            this.dir = dir;
            this.maxBytes = maxBytes;
        }

        @Override
        public void append(String model, String kind, byte[] line) throws IOException {
            String key = model + "/" + kind;
            Open o = open.get(key);
            if (o != null && o.bytes > 0 && o.bytes + line.length > maxBytes) {
                open.remove(key);
                o.out.close();
                o = null;
            }
            if (o == null) {
                o = new Open(newFile(model, kind));
                open.put(key, o);
            }
            o.out.write(line);
            o.bytes += line.length;
        }

        private OutputStream newFile(String model, String kind) throws IOException {
            Path folder = dir.resolve(model);
            Files.createDirectories(folder);
            String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(STAMP);
            while (true) {
                Path file = folder.resolve(String.format("%s-%s-%06d.jsonl", kind, stamp, ++seq));
                try {
                    return new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE), 1 << 16);
                } catch (FileAlreadyExistsException taken) {
                    // a file of an earlier run in the same second: next number
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
        }

        @Override
        public void reset() {
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
}
