package dev.kiln.serve;

import dev.kiln.runtime.log.FeedbackEntry;
import dev.kiln.runtime.log.LogFormat;
import dev.kiln.runtime.log.LogLineWriter;
import dev.kiln.runtime.log.LogRetention;
import dev.kiln.runtime.log.LogSink;
import dev.kiln.runtime.log.PredictionRow;
import dev.kiln.runtime.log.RotatingFileSink;
import dev.kiln.runtime.log.SentInstance;
import dev.kiln.runtime.schema.Field;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * An asynchronous, bounded, append-only log of what a server predicted (and of the feedback sent about it): the queue
 * and its writer thread. What a line holds and how files are named is {@link LogFormat}'s (written by
 * {@link LogLineWriter}, read back by kiln-monitor through {@link dev.kiln.runtime.log.LogReader}); the files,
 * their rotation by size and their retention by total size and age are {@link RotatingFileSink}'s.
 *
 * <p>Request threads only {@link #offer} a record to a bounded queue and never block: when the queue is full the
 * record is dropped and counted ({@link #dropped()}). A scored row is offered as a compact {@link Row} (references
 * to the values the request already holds: no maps, no JSON, no time text on the request thread). One background
 * thread drains the queue, serializes and writes the records and flushes whenever the queue runs empty (while
 * records keep coming it drains every millisecond rather than being woken by each offer). A write failure (a full
 * disk, say) is counted ({@link #failed()}), reported once per streak through the system logger and in
 * {@link #lastError()}, and never reaches a request; the next write opens a new file. {@link #close()} stops taking
 * records, drains what is queued within a bounded time, flushes and closes the files.
 */
public final class PredictionLog implements AutoCloseable {
    public static final int DEFAULT_CAPACITY = 10_000;
    public static final long DEFAULT_MAX_FILE_BYTES = 64L << 20;
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);
    public static final String PREDICTIONS = LogFormat.PREDICTIONS;
    public static final String FEEDBACK = LogFormat.FEEDBACK;
    /** Rows scored by a model's shadow ({@link dev.kiln.serve.traffic.ShadowScorer}), beside its predictions. */
    public static final String SHADOW = LogFormat.SHADOW;

    private static final System.Logger LOG = System.getLogger("dev.kiln.serve.log");
    private static final int BATCH = 512;

    /**
     * How a log is set up: the queue's capacity (10,000 records), the size a file is rotated at (64 MiB), what is kept
     * ({@link LogRetention#DEFAULT}: 10 GiB in all, 30 days), how long {@link #close()} drains (10 s), and the clock
     * (file names, feedback times, retention ages).
     */
    public record Options(int capacity, long maxFileBytes, LogRetention retention, Duration closeTimeout, Clock clock) {
        public Options {
            Objects.requireNonNull(retention, "retention");
            Objects.requireNonNull(closeTimeout, "closeTimeout");
            Objects.requireNonNull(clock, "clock");
        }

        public static Options defaults() {
            return new Options(DEFAULT_CAPACITY, DEFAULT_MAX_FILE_BYTES, LogRetention.DEFAULT, DEFAULT_CLOSE_TIMEOUT, Clock.systemUTC());
        }

        public Options withCapacity(int records) {
            return new Options(records, maxFileBytes, retention, closeTimeout, clock);
        }

        public Options withMaxFileBytes(long bytes) {
            return new Options(capacity, bytes, retention, closeTimeout, clock);
        }

        public Options withRetention(LogRetention keep) {
            return new Options(capacity, maxFileBytes, keep, closeTimeout, clock);
        }

        /** At most {@code bytes} of log files in all ({@code <= 0}: no limit); the oldest go first. */
        public Options withMaxTotalBytes(long bytes) {
            return withRetention(retention.withMaxTotalBytes(bytes));
        }

        /** No log file last written more than {@code age} ago (null: no limit). */
        public Options withMaxAge(Duration age) {
            return withRetention(retention.withMaxAge(age));
        }

        public Options withCloseTimeout(Duration timeout) {
            return new Options(capacity, maxFileBytes, retention, timeout, clock);
        }

        public Options withClock(Clock c) {
            return new Options(capacity, maxFileBytes, retention, closeTimeout, c);
        }
    }

    /** One queued record: serialized on the writer thread, so its values must not change once offered. */
    sealed interface Item permits Entry, Row, ShadowRow, Feedback {
        String model();

        String kind();
    }

    /** A record given as a map (tests, tools): written with the log's mapper. */
    record Entry(String model, String kind, Map<String, Object> fields) implements Item {
    }

    /** A feedback record (see {@link #offerFeedback}). */
    record Feedback(FeedbackEntry entry) implements Item {
        @Override
        public String model() {
            return entry.model();
        }

        @Override
        public String kind() {
            return FEEDBACK;
        }
    }

    /**
     * One scored row of the {@code predictions} log, as references to what the request already holds; written as
     * {@link LogFormat} says (see {@link PredictionRow} for what {@code inputs} may be). {@code id}: the client's id,
     * only when it differs from the request id (else null). {@code explanation}:
     * {@link dev.kiln.runtime.Explanation#toMap()} of the row, only from {@code :explain} (else null). Nothing in it
     * may change once offered.
     */
    record Row(String requestId, String id, Instant time, String model, String version, int row, List<Field> fields,
               Object inputs, Object prediction, Map<String, Double> probabilities, List<InputChecks.Flag> flags,
               double latencyMs, Map<String, Object> explanation) implements Item, PredictionRow {
        /** A row without an explanation (every route but {@code :explain}). */
        Row(String requestId, String id, Instant time, String model, String version, int row, List<Field> fields,
            Object inputs, Object prediction, Map<String, Double> probabilities, List<InputChecks.Flag> flags,
            double latencyMs) {
            this(requestId, id, time, model, version, row, fields, inputs, prediction, probabilities, flags, latencyMs, null);
        }

        @Override
        public String kind() {
            return PREDICTIONS;
        }
    }

    /**
     * A row scored by a model's shadow ({@link dev.kiln.serve.traffic.ShadowScorer}), for the {@code shadow} log: written
     * as its {@code row} (the shadow's version and answer, the inputs as sent), then {@code "served_version"} and
     * {@code "served_prediction"}: the version that answered the request and its prediction.
     */
    record ShadowRow(PredictionRow row, String servedVersion, Object servedPrediction) implements Item {
        @Override
        public String model() {
            return row.model();
        }

        @Override
        public String kind() {
            return SHADOW;
        }
    }

    /** An instance as sent, when it was not exactly the model's columns in the model's order (see {@link SentInstance}). */
    record Sent(Object[] columns, int[] order, String[] extraNames, Object[] extraValues) implements SentInstance {
    }

    private final Path dir;
    private final BlockingQueue<Item> queue;
    private final LogSink sink;
    private final Duration closeTimeout;
    private final Clock clock;
    private final Thread writer;
    private final LongAdder enqueued = new LongAdder();
    private final AtomicLong written = new AtomicLong();
    private final LongAdder dropped = new LongAdder();
    /** Writer thread only: builds each line. */
    private final LogLineWriter lines = new LogLineWriter();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private volatile boolean closing;
    private volatile boolean abandoned;
    private volatile boolean failing;

    /** A log under {@code dir} with the {@link Options#defaults()}. */
    public PredictionLog(Path dir) {
        this(dir, Options.defaults());
    }

    /** A log under {@code dir} with the default retention (see {@link Options}). */
    public PredictionLog(Path dir, int capacity, long maxFileBytes) {
        this(dir, Options.defaults().withCapacity(capacity).withMaxFileBytes(maxFileBytes));
    }

    public PredictionLog(Path dir, Options options) {
        this(dir, options.capacity(), new RotatingFileSink(dir, options.maxFileBytes(), options.retention(), options.clock()),
                options.closeTimeout(), options.clock());
    }

    /**
     * A log whose lines go to {@code sink} (a Kafka topic, say) instead of files under {@code dir} ({@code dir} then
     * only names the log in messages); the options' file sizes and retention do not apply. A sink that loses records
     * after taking them (an asynchronous send that fails) reports them through {@link #countLost}.
     */
    public PredictionLog(Path dir, Options options, LogSink sink) {
        this(dir, options.capacity(), sink, options.closeTimeout(), options.clock());
    }

    PredictionLog(Path dir, int capacity, LogSink sink, Duration closeTimeout) {
        this(dir, capacity, sink, closeTimeout, Clock.systemUTC());
    }

    PredictionLog(Path dir, int capacity, LogSink sink, Duration closeTimeout, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.dir = Objects.requireNonNull(dir, "dir");
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.sink = Objects.requireNonNull(sink, "sink");
        this.closeTimeout = closeTimeout;
        this.clock = clock;
        this.writer = new Thread(this::drain, "kiln-prediction-log");
        writer.setDaemon(true);
        writer.start();
    }

    public Path dir() {
        return dir;
    }

    /** Queues a record without blocking; false (and counted as dropped) when the queue is full or the log closed. */
    public boolean offer(String model, String kind, Map<String, Object> fields) {
        return offer(new Entry(model, kind, fields));
    }

    /** Queues one scored row without blocking; false (and counted as dropped) when the queue is full or the log closed. */
    boolean offer(Row row) {
        return offer((Item) row);
    }

    /** Queues one shadow row without blocking; false (and counted as dropped) when the queue is full or the log closed. */
    boolean offer(ShadowRow row) {
        return offer((Item) row);
    }

    /** Queues one feedback record without blocking; false (and counted as dropped) when the queue is full or the log closed. */
    public boolean offer(FeedbackEntry feedback) {
        return offer(new Feedback(feedback));
    }

    /**
     * Queues the feedback record of {@code model} (answered by {@code servedVersion} now) about row {@code row} (null:
     * not given, row 0) of request {@code requestId}: a {@code label} (a string, number or boolean, or a
     * {@code JsonNode} holding one) or a {@code reward}, exactly one non-null; {@code feedbackId} is the feedback
     * request's own id. Timed by the log's clock. False (and counted as dropped) when the queue is full or the log closed.
     */
    public boolean offerFeedback(String model, String servedVersion, String requestId, Integer row, Object label, Double reward,
                                 String feedbackId) {
        return offer(new FeedbackEntry(requestId, clock.instant(), model, servedVersion, row, label, reward, feedbackId));
    }

    private boolean offer(Item item) {
        if (!closing && queue.offer(item)) {
            enqueued.increment();
            return true;
        }
        dropped.increment();
        return false;
    }

    /** Records taken into the queue. */
    public long enqueued() {
        return enqueued.sum();
    }

    /** Records written and flushed. */
    public long written() {
        return written.get();
    }

    /** Records refused because the queue was full (or the log closed). */
    public long dropped() {
        return dropped.sum();
    }

    /** Records lost to a failed write. */
    public long failed() {
        return failed.get();
    }

    /**
     * Counts {@code records} the sink took but then lost (a send that failed after {@code append} returned) as
     * {@link #failed()}, with {@code cause} as the {@link #lastError()}. Any thread.
     */
    public void countLost(long records, Exception cause) {
        failed.addAndGet(records);
        lastError.set(String.valueOf(cause));
    }

    /** Records waiting in the queue now. */
    public int queueSize() {
        return queue.size();
    }

    /** The message of the latest write failure, if any. */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError.get());
    }

    /** Between drains while records keep coming: short enough to keep the queue low, long enough to batch writes. */
    private static final long BUSY_PARK_NANOS = 1_000_000;
    /** Without a record for this long the writer waits on the queue instead (an offer then wakes it). */
    private static final long IDLE_AFTER_NANOS = 100_000_000;

    /**
     * The writer's loop. While records keep coming it sleeps {@link #BUSY_PARK_NANOS} between drains instead of
     * waiting on the queue, so that an offer (a request thread) never has to wake it, and each drain writes (and
     * flushes) a batch; once idle for {@link #IDLE_AFTER_NANOS} it waits on the queue, woken by the next offer.
     */
    private void drain() {
        List<Item> batch = new ArrayList<>(BATCH);
        long lastWrite = System.nanoTime();
        while (true) {
            if (queue.drainTo(batch, BATCH) == 0) {
                if (closing) {
                    break;
                }
                if (System.nanoTime() - lastWrite < IDLE_AFTER_NANOS) {
                    LockSupport.parkNanos(BUSY_PARK_NANOS);
                    continue;
                }
                Item first;
                try {
                    first = queue.poll(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    break;  // not expected: close() never interrupts
                }
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
            }
            write(batch);
            batch.clear();
            lastWrite = System.nanoTime();
            if (abandoned) {
                break;
            }
        }
    }

    private void write(List<Item> batch) {
        int pending = 0;
        for (int i = 0; i < batch.size(); i++) {
            if (abandoned) {
                dropped.add(batch.size() - i);  // close() stopped waiting: the rest are not written
                break;
            }
            Item item = batch.get(i);
            try {
                serialize(item);
                sink.append(item.model(), item.kind(), lines.bytes(), 0, lines.size());
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

    /** Serializes one record, with its newline, into {@link #lines} (writer thread). */
    private void serialize(Item item) throws IOException {
        if (item instanceof Row r) {
            lines.prediction(r);
        } else if (item instanceof ShadowRow s) {
            lines.shadow(s.row(), s.servedVersion(), s.servedPrediction());
        } else if (item instanceof Feedback f) {
            lines.feedback(f.entry());
        } else {
            lines.map(((Entry) item).fields());
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
            dropped.add(left);
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
}
