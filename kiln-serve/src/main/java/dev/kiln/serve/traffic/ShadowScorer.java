package dev.kiln.serve.traffic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.runtime.log.InputFlag;
import dev.kiln.runtime.log.PredictionRow;
import dev.kiln.runtime.log.SentInstance;
import dev.kiln.runtime.schema.Field;
import dev.kiln.serve.ModelHost.Served;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Scores copies of scoring requests with the shadows of their models, off the response path: request threads only
 * {@link #offer} a job (never blocking; a full queue drops it and counts it in
 * {@code kiln_shadow_dropped_total{model}}); one daemon thread scores each row with the shadow and hands it to its
 * {@link Sink}: the server's appends it to the prediction log's {@code shadow-*.jsonl} files of the model, beside its
 * predictions and under the same request id and row, so that feedback joins both. Each line is a prediction record
 * (the shadow's version, inputs, outputs, its own scoring time as {@code latency_ms}) plus {@code served_version} and
 * {@code served_prediction}.
 * {@code kiln_shadow_rows_total{model,version,outcome}} counts rows scored ({@code agree}, {@code disagree} with
 * the served prediction, or {@code error}).
 */
public final class ShadowScorer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ShadowScorer.class.getName());
    /** Jobs a server's scorer queues before it drops. */
    public static final int DEFAULT_CAPACITY = 2_000;

    /**
     * One request to score again: the shadow, the version and predictions that answered it, and its rows as the log
     * holds them ({@code inputs}: per row a map, a JSON object, an {@code Object[]} aligned with {@code fields} or a
     * {@link SentInstance}; nothing in it changes once offered).
     */
    public record Job(Served shadow, String servedVersion, List<Object> servedPredictions, String requestId, Instant time,
                      List<Field> fields, List<?> inputs) {
    }

    /**
     * Where scored rows go (the prediction log's {@code shadow} files): the shadow's row, then the version that
     * answered the request and its prediction. Called on the scoring thread; must not block (a full log drops).
     */
    @FunctionalInterface
    public interface Sink {
        void offer(PredictionRow shadowRow, String servedVersion, Object servedPrediction);
    }

    /** A row as the shadow scored it: no client id, flags or explanation (written as {@link PredictionRow} says). */
    private record ScoredRow(String requestId, Instant time, String model, String version, int row, List<Field> fields,
                             Object inputs, Object prediction, Map<String, Double> probabilities, double latencyMs)
            implements PredictionRow {
        @Override
        public String id() {
            return null;
        }

        @Override
        public List<? extends InputFlag> flags() {
            return List.of();
        }

        @Override
        public Map<String, Object> explanation() {
            return null;
        }
    }

    /** Queued by {@link #close}: the thread stops when it reaches it, after the jobs before it. */
    private static final Job STOP = new Job(null, null, null, null, null, null, null);

    private final Sink log;
    private final MeterRegistry registry;
    private final BlockingQueue<Job> queue;
    private final Thread thread;
    private final Map<String, Counter> dropped = new ConcurrentHashMap<>();
    private final Map<String, Counter> rows = new HashMap<>(); // scoring thread only
    private volatile boolean closing;

    /** Starts the scoring thread. {@code capacity}: the jobs queued at most; the {@code kiln.shadow.*} meters go to {@code registry}. */
    public ShadowScorer(Sink log, MeterRegistry registry, int capacity) {
        this.log = log;
        this.registry = registry;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::run, "kiln-shadow");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues a job without blocking; false (counted as dropped) when the queue is full or closing. */
    public boolean offer(Job job) {
        if (!closing && queue.offer(job)) {
            return true;
        }
        dropped.computeIfAbsent(job.shadow().name(), m -> Counter.builder("kiln.shadow.dropped")
                .description("Shadow scoring jobs dropped because the shadow queue was full").tag("model", m).register(registry))
                .increment();
        return false;
    }

    /** Jobs waiting. */
    public int queued() {
        return queue.size();
    }

    /** True once the scoring thread has stopped (after {@link #close}). */
    boolean stopped() {
        return !thread.isAlive();
    }

    private void run() {
        while (true) {
            Job job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (job == STOP) {
                return;
            }
            try {
                score(job);
            } catch (RuntimeException | LinkageError e) {
                LOG.log(System.Logger.Level.WARNING, "shadow scoring of request " + job.requestId() + " failed: " + e, e);
            }
        }
    }

    private void score(Job job) {
        Served shadow = job.shadow();
        KilnModel model = shadow.model();
        for (int i = 0; i < job.inputs().size(); i++) {
            Map<String, Object> row = row(job.fields(), job.inputs().get(i));
            long start = System.nanoTime();
            Prediction p;
            try {
                p = model.predict(row);
            } catch (RuntimeException e) {
                count(shadow, "error");
                continue;
            }
            double latencyMs = (System.nanoTime() - start) / 1e6;
            Object served = job.servedPredictions().get(i);
            count(shadow, java.util.Objects.equals(String.valueOf(served), String.valueOf(p.prediction())) ? "agree" : "disagree");
            // The inputs as the served prediction's record has them (the same bytes in the log), the shadow's answer.
            log.offer(new ScoredRow(job.requestId(), job.time(), shadow.name(), shadow.version(), i, job.fields(), job.inputs().get(i),
                    p.prediction(), p.probabilities(), latencyMs), job.servedVersion(), served);
        }
    }

    private void count(Served shadow, String outcome) {
        String key = shadow.name() + '\u0000' + shadow.version() + '\u0000' + outcome;
        rows.computeIfAbsent(key, k -> Counter.builder("kiln.shadow.rows").description("Rows scored by shadow models, by outcome")
                .tag("model", shadow.name()).tag("version", shadow.version()).tag("outcome", outcome).register(registry)).increment();
    }

    /** A logged instance as the model's columns and their values (numbers, strings, booleans, null). */
    static Map<String, Object> row(List<Field> fields, Object input) {
        Map<String, Object> row = new HashMap<>();
        if (input instanceof Object[] values) {
            for (int c = 0; c < fields.size() && c < values.length; c++) {
                row.put(fields.get(c).name(), scalar(values[c]));
            }
        } else if (input instanceof SentInstance sent) {
            for (int c = 0; c < fields.size() && c < sent.columns().length; c++) {
                row.put(fields.get(c).name(), scalar(sent.columns()[c]));
            }
        } else if (input instanceof Map<?, ?> map) {
            map.forEach((k, v) -> row.put(String.valueOf(k), scalar(v)));
        } else if (input instanceof JsonNode node && node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                row.put(e.getKey(), scalar(e.getValue()));
            }
        }
        return row;
    }

    private static Object scalar(Object v) {
        if (!(v instanceof JsonNode n)) {
            return v;
        }
        return n.isNull() ? null : n.isTextual() ? n.asText() : n.isBoolean() ? n.asBoolean()
                : n.isIntegralNumber() && n.canConvertToLong() ? (Object) n.asLong() : n.isNumber() ? (Object) n.asDouble() : n;
    }

    /** Stops taking jobs and scores those queued for at most {@code timeout}, before the log closes. */
    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    void close(Duration timeout) {
        closing = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (queue.offer(STOP, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
            LOG.log(System.Logger.Level.WARNING, queue.size() + " shadow scoring jobs were not scored before the server stopped");
        }
    }
}
