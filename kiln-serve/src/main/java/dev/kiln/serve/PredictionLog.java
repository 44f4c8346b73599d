package dev.kiln.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.runtime.schema.Field;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
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
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * An asynchronous, bounded, append-only log of what a server predicted (and of the feedback sent about it), as
 * JSON lines under {@code dir/<model>/<kind>-<yyyyMMdd-HHmmss>-<seq>.jsonl} ({@code kind} is {@code predictions}
 * or {@code feedback}), each file rotated once it would pass a size limit (a line is never split across files).
 *
 * <p>Request threads only {@link #offer} a record to a bounded queue and never block: when the queue is full the
 * record is dropped and counted ({@link #dropped()}). A scored row is offered as a compact {@link Row} (references
 * to the values the request already holds: no maps, no JSON, no time text on the request thread). One background
 * thread drains the queue, serializes and writes the records and flushes whenever the queue runs empty (while
 * records keep coming it drains every millisecond rather than being woken by each offer). A write failure (a full disk, say) is counted
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
    /** Rows scored by a model's shadow ({@link ShadowScorer}), beside its predictions. */
    public static final String SHADOW = "shadow";

    private static final System.Logger LOG = System.getLogger("dev.kiln.serve.log");
    private static final int BATCH = 512;

    /** Where serialized lines go; the file sink in production, wrappers of it in tests. */
    interface Sink extends AutoCloseable {
        /** Appends one complete line (ending in a newline) to the {@code kind} log of {@code model}. */
        void append(String model, String kind, byte[] line) throws IOException;

        /** As {@link #append(String, String, byte[])} with {@code len} bytes of {@code buf} from {@code off}. */
        default void append(String model, String kind, byte[] buf, int off, int len) throws IOException {
            append(model, kind, java.util.Arrays.copyOfRange(buf, off, off + len));
        }

        void flush() throws IOException;

        /** Forgets open files after a failure, so that the next append starts a new one. */
        default void reset() {
        }

        @Override
        void close() throws IOException;
    }

    /** One queued record: serialized on the writer thread, so its values must not change once offered. */
    sealed interface Item permits Entry, Row, ShadowRow {
        String model();

        String kind();
    }

    /** A record given as a map (feedback, tests): written with the mapper. */
    record Entry(String model, String kind, Map<String, Object> fields) implements Item {
    }

    /**
     * One scored row of the {@code predictions} log, as references to what the request already holds; the writer
     * thread writes it as the JSON object
     * <pre>{"request_id", "id"?, "time", "model", "version", "row", "inputs": {...}, "outputs": {"prediction",
     * "probabilities": {...}}, "explanation": {...}?, "flags": [{"column", "value", "reason"}]?, "latency_ms"}</pre>
     * — the same fields, values and order as the map the server used to offer. {@code id}: the client's id, only
     * when it differs from the request id (else null). {@code inputs}: the instance as sent — a {@code Map} (written
     * in its iteration order), a {@code JsonNode}, an {@code Object[]} of raw values aligned with {@code fields}
     * (an instance that had exactly the model's columns, in the model's order), or a {@link Sent}. Values are
     * strings, booleans, numbers, null or {@code JsonNode}s (anything else goes through the mapper).
     * {@code explanation}: {@link dev.kiln.runtime.Explanation#toMap()} of the row, only from {@code :explain}
     * (else null). Nothing in it may change once offered.
     */
    record Row(String requestId, String id, Instant time, String model, String version, int row, List<Field> fields,
               Object inputs, Object prediction, Map<String, Double> probabilities, List<InputChecks.Flag> flags,
               double latencyMs, Map<String, Object> explanation) implements Item {
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
     * A row scored by a model's shadow ({@link ShadowScorer}), for the {@code shadow} log: written as its {@code row}
     * (the shadow's version and answer, the inputs as sent), then {@code "served_version"} and
     * {@code "served_prediction"}: the version that answered the request and its prediction.
     */
    record ShadowRow(Row row, String servedVersion, Object servedPrediction) implements Item {
        @Override
        public String model() {
            return row.model();
        }

        @Override
        public String kind() {
            return SHADOW;
        }
    }

    /** Queues one shadow row without blocking; false (and counted as dropped) when the queue is full or the log closed. */
    boolean offer(ShadowRow row) {
        return offer((Item) row);
    }

    /**
     * An instance as sent, when it was not exactly the model's columns in the model's order: the raw values of the
     * model's columns ({@code columns}, aligned with the row's fields), the other fields sent ({@code extraNames},
     * {@code extraValues}) and the order the keys came in ({@code order}: a column index, or {@code -1 - i} for
     * extra field {@code i}); a key sent twice keeps its first position and its last value, as a map would.
     */
    record Sent(Object[] columns, int[] order, String[] extraNames, Object[] extraValues) {
    }

    private final Path dir;
    private final BlockingQueue<Item> queue;
    private final Sink sink;
    private final ObjectMapper mapper = InferenceServer.MAPPER;
    private final Duration closeTimeout;
    private final Thread writer;
    private final LongAdder enqueued = new LongAdder();
    private final AtomicLong written = new AtomicLong();
    private final LongAdder dropped = new LongAdder();
    // Writer thread only: the line being built, the generator writing rows into it, the time text.
    private final LineBuffer line = new LineBuffer();
    private JsonGenerator rows;
    private final TimeText times = new TimeText();
    private final FieldNames names = new FieldNames();
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
        return offer(new Entry(model, kind, fields));
    }

    /** Queues one scored row without blocking; false (and counted as dropped) when the queue is full or the log closed. */
    boolean offer(Row row) {
        return offer((Item) row);
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

    /** Records waiting in the queue now. */
    public int queueSize() {
        return queue.size();
    }

    /** The message of the latest write failure, if any. */
    public java.util.Optional<String> lastError() {
        return java.util.Optional.ofNullable(lastError.get());
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
                sink.append(item.model(), item.kind(), line.bytes(), 0, line.size());
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

    /** Serializes one record, with its newline, into {@link #line} (writer thread). */
    private void serialize(Item item) throws IOException {
        if (item instanceof ShadowRow sr) {
            serialize(sr.row());
            // The row's object, reopened for the served answer: '}' and '\n' are its last two bytes.
            line.drop(2);
            line.put(D_SERVED_VERSION);
            if (!directValue(line, sr.servedVersion())) {
                line.write(mapper.writeValueAsBytes(sr.servedVersion()));
            }
            line.put(D_SERVED_PREDICTION);
            if (!directValue(line, sr.servedPrediction())) {
                line.write(mapper.writeValueAsBytes(sr.servedPrediction()));
            }
            line.put((byte) '}');
            line.put((byte) '\n');
            return;
        }
        line.reset();
        if (item instanceof Row r) {
            if (writeDirect(line, r, times, names)) {
                line.put((byte) '\n');
                return;
            }
            line.reset();
            if (rows == null) {
                rows = mapper.getFactory().createGenerator(line);
                rows.setRootValueSeparator(null);
            }
            try {
                writeRow(rows, r, times, names);
                rows.flush();
            } catch (IOException | RuntimeException e) {
                rows = null;  // mid-object: a fresh generator for the next row (this one is dropped, not closed)
                line.reset();
                throw e;
            }
        } else {
            mapper.writeValue(line, ((Entry) item).fields());
        }
        line.write('\n');
    }

    private static final SerializableString REQUEST_ID = new SerializedString("request_id");
    private static final SerializableString ID = new SerializedString("id");
    private static final SerializableString TIME = new SerializedString("time");
    private static final SerializableString MODEL = new SerializedString("model");
    private static final SerializableString VERSION = new SerializedString("version");
    private static final SerializableString ROW = new SerializedString("row");
    private static final SerializableString INPUTS = new SerializedString("inputs");
    private static final SerializableString OUTPUTS = new SerializedString("outputs");
    private static final SerializableString PREDICTION = new SerializedString("prediction");
    private static final SerializableString PROBABILITIES = new SerializedString("probabilities");
    private static final SerializableString FLAGS = new SerializedString("flags");
    private static final SerializableString EXPLANATION = new SerializedString("explanation");
    private static final SerializableString COLUMN = new SerializedString("column");
    private static final SerializableString VALUE = new SerializedString("value");
    private static final SerializableString REASON = new SerializedString("reason");
    private static final SerializableString LATENCY_MS = new SerializedString("latency_ms");

    /** Writes one row as the JSON object described at {@link Row} (no newline). */
    static void writeRow(JsonGenerator g, Row r, TimeText times, FieldNames names) throws IOException {
        g.writeStartObject();
        g.writeFieldName(REQUEST_ID);
        writeValue(g, r.requestId());
        if (r.id() != null) {
            g.writeFieldName(ID);
            g.writeString(r.id());
        }
        g.writeFieldName(TIME);
        times.write(g, r.time());
        g.writeFieldName(MODEL);
        writeValue(g, r.model());
        g.writeFieldName(VERSION);
        writeValue(g, r.version());
        g.writeFieldName(ROW);
        g.writeNumber(r.row());
        g.writeFieldName(INPUTS);
        writeInputs(g, r, names);
        g.writeFieldName(OUTPUTS);
        g.writeStartObject();
        g.writeFieldName(PREDICTION);
        if (r.prediction() instanceof String label) {
            g.writeString(names.label(label));
        } else {
            writeValue(g, r.prediction());
        }
        g.writeFieldName(PROBABILITIES);
        writeProbabilities(g, r.probabilities(), names);
        g.writeEndObject();
        if (r.explanation() != null) {
            g.writeFieldName(EXPLANATION);
            writeValue(g, r.explanation());
        }
        List<InputChecks.Flag> flags = r.flags();
        if (flags != null && !flags.isEmpty()) {
            g.writeFieldName(FLAGS);
            g.writeStartArray();
            for (InputChecks.Flag f : flags) {
                g.writeStartObject();
                g.writeFieldName(COLUMN);
                writeValue(g, f.column());
                g.writeFieldName(VALUE);
                writeValue(g, f.value());
                g.writeFieldName(REASON);
                writeValue(g, f.reason());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeFieldName(LATENCY_MS);
        g.writeNumber(r.latencyMs());
        g.writeEndObject();
    }

    private static final byte[] D_REQUEST_ID = PlainJson.ascii("{\"request_id\":");
    private static final byte[] D_ID = PlainJson.ascii(",\"id\":");
    private static final byte[] D_TIME = PlainJson.ascii(",\"time\":");
    private static final byte[] D_MODEL = PlainJson.ascii(",\"model\":");
    private static final byte[] D_VERSION = PlainJson.ascii(",\"version\":");
    private static final byte[] D_ROW = PlainJson.ascii(",\"row\":");
    private static final byte[] D_INPUTS = PlainJson.ascii(",\"inputs\":{");
    private static final byte[] D_OUTPUTS = PlainJson.ascii("},\"outputs\":{\"prediction\":");
    private static final byte[] D_PROBABILITIES = PlainJson.ascii(",\"probabilities\":");
    private static final byte[] D_FLAGS = PlainJson.ascii(",\"flags\":[");
    private static final byte[] D_COLUMN = PlainJson.ascii("{\"column\":");
    private static final byte[] D_VALUE = PlainJson.ascii(",\"value\":");
    private static final byte[] D_REASON = PlainJson.ascii(",\"reason\":");
    private static final byte[] D_LATENCY_MS = PlainJson.ascii(",\"latency_ms\":");
    private static final byte[] D_SERVED_VERSION = PlainJson.ascii(",\"served_version\":");
    private static final byte[] D_SERVED_PREDICTION = PlainJson.ascii(",\"served_prediction\":");
    private static final byte[] NULL = PlainJson.ascii("null");

    /**
     * Writes {@code r} as {@link #writeRow} does, byte for byte, straight into {@code out} without a generator, for the
     * common row: the instance as the model's columns in order, and every value null, a boolean, a long or int, a
     * finite double, or a string of printable ASCII other than {@code "} and {@code \} (what the generator writes
     * verbatim). False for any other row, with {@code out} holding a partial line to reset. Column names and labels
     * are the generator's own escaped bytes ({@link FieldNames}).
     */
    static boolean writeDirect(LineBuffer out, Row r, TimeText times, FieldNames names) {
        if (!(r.inputs() instanceof Object[] columns) || r.explanation() != null) {
            return false;
        }
        out.put(D_REQUEST_ID);
        if (!directValue(out, r.requestId())) {
            return false;
        }
        if (r.id() != null) {
            out.put(D_ID);
            if (!directValue(out, r.id())) {
                return false;
            }
        }
        out.put(D_TIME);
        if (r.time() == null) {
            out.put(NULL);
        } else {
            out.put((byte) '"');
            times.writeTo(out, r.time());
            out.put((byte) '"');
        }
        if (!directField(out, D_MODEL, r.model()) || !directField(out, D_VERSION, r.version())) {
            return false;
        }
        out.put(D_ROW);
        out.putAscii(Integer.toString(r.row()));
        out.put(D_INPUTS);
        SerializableString[] encoded = names.of(r.fields());
        if (encoded.length != columns.length) {
            return false;
        }
        for (int c = 0; c < columns.length; c++) {
            if (c > 0) {
                out.put((byte) ',');
            }
            out.putQuoted(encoded[c]);
            out.put((byte) ':');
            if (!directValue(out, columns[c])) {
                return false;
            }
        }
        out.put(D_OUTPUTS);
        if (r.prediction() instanceof String label) {
            out.putQuoted(names.label(label));
        } else if (!directValue(out, r.prediction())) {
            return false;
        }
        out.put(D_PROBABILITIES);
        Map<String, Double> probabilities = r.probabilities();
        if (probabilities == null) {
            out.put(NULL);
        } else {
            out.put((byte) '{');
            boolean first = true;
            for (Map.Entry<String, Double> e : probabilities.entrySet()) {
                if (!first) {
                    out.put((byte) ',');
                }
                first = false;
                if (e.getKey() == null) {
                    return false;
                }
                out.putQuoted(names.label(e.getKey()));
                out.put((byte) ':');
                if (!directValue(out, e.getValue())) {
                    return false;
                }
            }
            out.put((byte) '}');
        }
        out.put((byte) '}');
        List<InputChecks.Flag> flags = r.flags();
        if (flags != null && !flags.isEmpty()) {
            out.put(D_FLAGS);
            for (int i = 0; i < flags.size(); i++) {
                InputChecks.Flag f = flags.get(i);
                if (i > 0) {
                    out.put((byte) ',');
                }
                if (!directField(out, D_COLUMN, f.column()) || !directField(out, D_VALUE, f.value())
                        || !directField(out, D_REASON, f.reason())) {
                    return false;
                }
                out.put((byte) '}');
            }
            out.put((byte) ']');
        }
        out.put(D_LATENCY_MS);
        if (!directValue(out, r.latencyMs())) {
            return false;
        }
        out.put((byte) '}');
        return true;
    }

    /** {@code key} (a field's name with its separators, pre-encoded), then {@code value} as {@link #directValue} writes it. */
    private static boolean directField(LineBuffer out, byte[] key, Object value) {
        out.put(key);
        return directValue(out, value);
    }

    /** One value as {@link #writeValue} writes it, if it is one written verbatim (see {@link #writeDirect}). */
    private static boolean directValue(LineBuffer out, Object v) {
        if (v == null) {
            out.put(NULL);
        } else if (v instanceof String s) {
            if (!PlainJson.verbatim(s)) {
                return false;
            }
            out.put((byte) '"');
            out.putAscii(s);
            out.put((byte) '"');
        } else if (v instanceof Double d) {
            if (!Double.isFinite(d)) {
                return false;  // the generator writes these as strings
            }
            out.putAscii(Double.toString(d));
        } else if (v instanceof Long l) {
            out.putAscii(Long.toString(l));
        } else if (v instanceof Integer i) {
            out.putAscii(Integer.toString(i));
        } else if (v instanceof Boolean b) {
            out.putAscii(b ? "true" : "false");
        } else {
            return false;
        }
        return true;
    }

    private static void writeInputs(JsonGenerator g, Row r, FieldNames names) throws IOException {
        Object inputs = r.inputs();
        if (inputs instanceof Object[] columns) {
            SerializableString[] encoded = names.of(r.fields());
            g.writeStartObject();
            for (int c = 0; c < columns.length; c++) {
                g.writeFieldName(encoded[c]);
                writeValue(g, columns[c]);
            }
            g.writeEndObject();
        } else if (inputs instanceof Sent sent) {
            SerializableString[] encoded = names.of(r.fields());
            g.writeStartObject();
            for (int k : sent.order()) {
                if (k >= 0) {
                    g.writeFieldName(encoded[k]);
                    writeValue(g, sent.columns()[k]);
                } else {
                    g.writeFieldName(sent.extraNames()[-1 - k]);
                    writeValue(g, sent.extraValues()[-1 - k]);
                }
            }
            g.writeEndObject();
        } else {
            writeValue(g, inputs);
        }
    }

    /** The class probabilities as the mapper writes the map, with the labels encoded once. */
    private static void writeProbabilities(JsonGenerator g, Map<String, Double> probabilities, FieldNames names) throws IOException {
        if (probabilities == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        for (Map.Entry<String, Double> e : probabilities.entrySet()) {
            g.writeFieldName(names.label(e.getKey()));
            Double p = e.getValue();
            if (p == null) {
                g.writeNull();
            } else {
                g.writeNumber(p.doubleValue());
            }
        }
        g.writeEndObject();
    }

    /** One value as the mapper writes it: the common types directly, anything else through the mapper. */
    private static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Double d) {
            g.writeNumber(d.doubleValue());
        } else if (v instanceof Long l) {
            g.writeNumber(l.longValue());
        } else if (v instanceof Integer i) {
            g.writeNumber(i.intValue());
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Map<?, ?> m && allStringKeys(m)) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName((String) e.getKey());
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        } else {
            InferenceServer.MAPPER.writeValue(g, v);  // JsonNode, lists, other numbers: as the old map's serializer did
        }
    }

    private static boolean allStringKeys(Map<?, ?> m) {
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Each model's column names and class labels as JSON, escaped once instead of on every row (writer thread only).
     * Keyed by identity: {@code KilnModel.requiredFields()} hands out one list per model, and its predictions carry
     * its own label strings. Bounded, as models are loaded and unloaded.
     */
    static final class FieldNames {
        private static final int MAX_MODELS = 1024;
        private static final int MAX_LABELS = 4096;
        private final java.util.IdentityHashMap<List<Field>, SerializableString[]> byFields = new java.util.IdentityHashMap<>();
        private final java.util.IdentityHashMap<String, SerializableString> labels = new java.util.IdentityHashMap<>();

        SerializableString label(String label) {
            SerializableString encoded = labels.get(label);
            if (encoded == null) {
                if (labels.size() >= MAX_LABELS) {
                    labels.clear();
                }
                encoded = new SerializedString(label);
                labels.put(label, encoded);
            }
            return encoded;
        }

        SerializableString[] of(List<Field> fields) {
            SerializableString[] encoded = byFields.get(fields);
            if (encoded == null) {
                if (byFields.size() >= MAX_MODELS) {
                    byFields.clear();
                }
                encoded = new SerializableString[fields.size()];
                for (int i = 0; i < encoded.length; i++) {
                    encoded[i] = new SerializedString(fields.get(i).name());
                }
                byFields.put(fields, encoded);
            }
            return encoded;
        }
    }

    /**
     * {@link Instant#toString()} written without building it per row: the text up to the seconds is kept for the
     * latest second seen, the fraction is added as {@code Instant.toString} adds it (none, 3, 6 or 9 digits).
     */
    static final class TimeText {
        private long second = Long.MIN_VALUE;
        private final char[] text = new char[64];
        private int prefix;

        void write(JsonGenerator g, Instant t) throws IOException {
            if (t == null) {
                g.writeNull();
                return;
            }
            int len = format(t);
            g.writeString(text, 0, len);
        }

        /** Appends the text {@link #write} writes (ASCII) to {@code out}. */
        void writeTo(LineBuffer out, Instant t) {
            int len = format(t);
            out.ensure(len);
            for (int i = 0; i < len; i++) {
                out.putUnchecked((byte) text[i]);
            }
        }

        /** The text {@link #write} writes (tests compare it with {@code Instant.toString}). */
        String text(Instant t) {
            return new String(text, 0, format(t));
        }

        private int format(Instant t) {
            long s = t.getEpochSecond();
            if (s != second) {
                String whole = Instant.ofEpochSecond(s).toString();  // ends in 'Z'
                prefix = whole.length() - 1;
                whole.getChars(0, prefix, text, 0);
                second = s;
            }
            int n = prefix;
            int nano = t.getNano();
            if (nano > 0) {
                text[n++] = '.';
                int digits;
                int v;
                if (nano % 1_000_000 == 0) {
                    digits = 3;
                    v = nano / 1_000_000;
                } else if (nano % 1_000 == 0) {
                    digits = 6;
                    v = nano / 1_000;
                } else {
                    digits = 9;
                    v = nano;
                }
                for (int i = n + digits - 1; i >= n; i--) {
                    text[i] = (char) ('0' + v % 10);
                    v /= 10;
                }
                n += digits;
            }
            text[n++] = 'Z';
            return n;
        }
    }

    /** A byte buffer reused line after line (its array is read in place). */
    static final class LineBuffer extends ByteArrayOutputStream {
        LineBuffer() {
            super(2048);
        }

        byte[] bytes() {
            return buf;
        }

        /** Room for {@code n} more bytes. */
        void ensure(int n) {
            if (count + n > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, count + n));
            }
        }

        /** Appends a byte there is room for (see {@link #ensure}); unlike {@code write}, not synchronized. */
        void putUnchecked(byte b) {
            buf[count++] = b;
        }

        void put(byte b) {
            ensure(1);
            buf[count++] = b;
        }

        void put(byte[] bytes) {
            ensure(bytes.length);
            System.arraycopy(bytes, 0, buf, count, bytes.length);
            count += bytes.length;
        }

        /** Appends a JSON string whose content is already escaped UTF-8, in quotes. */
        void putQuoted(SerializableString escaped) {
            byte[] bytes = escaped.asQuotedUTF8();
            ensure(bytes.length + 2);
            buf[count++] = '"';
            System.arraycopy(bytes, 0, buf, count, bytes.length);
            count += bytes.length;
            buf[count++] = '"';
        }

        /** Removes the last {@code n} bytes. */
        void drop(int n) {
            count -= Math.min(n, count);
        }

        /** Appends a string known to be ASCII, one byte per char. */
        void putAscii(String s) {
            int n = s.length();
            ensure(n);
            for (int i = 0; i < n; i++) {
                buf[count + i] = (byte) s.charAt(i);
            }
            count += n;
        }

        @Override
        public void reset() {
            super.reset();
            if (buf.length > 1 << 20) {
                buf = new byte[2048];  // do not keep a huge line's buffer
            }
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

        // The file of the latest append (most lines go to the same one): no key built per line.
        private String lastModel;
        private String lastKind;
        private Open last;

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
                o = new Open(newFile(model, kind));
                open.put(key != null ? key : model + "/" + kind, o);
            }
            last = o;
            lastModel = model;
            lastKind = kind;
            o.out.write(buf, off, len);
            o.bytes += len;
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
}
