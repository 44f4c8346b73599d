package dev.kiln.serve.metrics;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.serve.ModelHost;
import dev.kiln.serve.ModelHost.Served;
import dev.kiln.serve.PredictionLog;
import dev.kiln.serve.traffic.CanaryRollout;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's meters: each model's request meters (by version), the input flags, the prediction log's counts, and
 * {@code kiln_http_errors_total{code,outcome}}: every error answered, by code, as a client or a server error.
 */
public final class ServeMeters {
    private final ModelHost models;
    private final PrometheusMeterRegistry registry;
    private final String versionHeader;
    /** Per model name: the meters of the version served last (rebuilt when the version changes). */
    private final Map<String, ModelMeters> current = new ConcurrentHashMap<>();
    /**
     * Per model name and version: the meters of its other versions serving (a canary, bandit arms), kept apart so
     * that versions answering side by side do not evict each other's.
     */
    private final Map<String, ModelMeters> side = new ConcurrentHashMap<>();
    private final Map<ErrorCode, Counter> errors = new ConcurrentHashMap<>();

    public ServeMeters(ModelHost models, PrometheusMeterRegistry registry, String versionHeader) {
        this.models = models;
        this.registry = registry;
        this.versionHeader = versionHeader;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The meters of a snapshot; null when its model was unloaded meanwhile (no series reappear for it). */
    public ModelMeters meters(Served s) {
        ModelMeters m = current.get(s.name());
        if (m != null && m.version().equals(s.version())) {
            return m;
        }
        Served served = models.get(s.name()).orElse(null);
        if (served == null) {
            return null;
        }
        if (served.version().equals(s.version())) {
            m = new ModelMeters(s, registry, versionHeader);
            current.put(s.name(), m);
            return m;
        }
        return side.computeIfAbsent(sideKey(s.name(), s.version()), k -> new ModelMeters(s, registry, versionHeader));
    }

    /** The request counts of {@code name} at {@code version} so far (zeros when it has no meters yet). */
    public CanaryRollout.Stats stats(String name, String version) {
        ModelMeters m = current.get(name);
        if (m == null || !m.version().equals(version)) {
            m = side.get(sideKey(name, version));
        }
        return m == null ? CanaryRollout.Stats.ZERO : m.stats();
    }

    /**
     * Every version that has answered scoring requests, by model name then version, with its counts so far
     * (read-only: what a status report or a heartbeat shows; the hot path never calls this).
     */
    public Map<String, Map<String, CanaryRollout.Stats>> counts() {
        Map<String, Map<String, CanaryRollout.Stats>> out = new java.util.TreeMap<>();
        for (ModelMeters m : current.values()) {
            out.computeIfAbsent(m.name(), n -> new java.util.TreeMap<>()).put(m.version(), m.stats());
        }
        for (ModelMeters m : side.values()) {
            out.computeIfAbsent(m.name(), n -> new java.util.TreeMap<>()).putIfAbsent(m.version(), m.stats());
        }
        return out;
    }

    /** The latency histogram of {@code name}'s scoring requests so far, every version together; empty before its first. */
    public LatencyHistogram latency(String name) {
        io.micrometer.core.instrument.Timer t = registry.find("kiln.request").tag("model", name).timer();
        return t == null ? LatencyHistogram.EMPTY : LatencyHistogram.of(t.takeSnapshot());
    }

    /** Forgets an unloaded model: its meters and every series tagged with it. */
    public void removeModel(String name) {
        current.remove(name);
        side.keySet().removeIf(k -> k.startsWith(name + '\u0000'));
        for (Meter m : registry.getMeters()) {
            if (name.equals(m.getId().getTag("model"))) {
                registry.remove(m);
            }
        }
    }

    private static String sideKey(String name, String version) {
        return name + '\u0000' + version;
    }

    /** One input value flagged: {@code kiln_input_flags_total{model,column,reason}}. */
    public void flagged(String model, String column, String reason) {
        Counter.builder("kiln.input.flags")
                .description("Input values outside the training range or unseen in training, by model, column and reason")
                .tag("model", model).tag("column", column).tag("reason", reason)
                .register(registry).increment();
    }

    /** One error answered: {@code kiln_http_errors_total{code,outcome}} (client_error below 500, else server_error). */
    public void error(ErrorCode code) {
        errors.computeIfAbsent(code, c -> Counter.builder("kiln.http.errors")
                .description("Error answers, by code and by whose fault (client_error, server_error)")
                .tag("code", c.wireName()).tag("outcome", c.httpStatus() < 500 ? "client_error" : "server_error")
                .register(registry)).increment();
    }

    /** Errors answered with {@code code} so far. */
    public double errors(ErrorCode code) {
        Counter c = errors.get(code);
        return c == null ? 0 : c.count();
    }

    /** The prediction log's queue, written, dropped and failed counts. */
    public void watch(PredictionLog log) {
        Gauge.builder("kiln.prediction.log.queue.size", log, PredictionLog::queueSize)
                .description("Records waiting to be written to the prediction log").register(registry);
        FunctionCounter.builder("kiln.prediction.log.dropped", log, PredictionLog::dropped)
                .description("Records dropped because the prediction log queue was full").register(registry);
        FunctionCounter.builder("kiln.prediction.log.written", log, PredictionLog::written)
                .description("Records written to the prediction log").register(registry);
        FunctionCounter.builder("kiln.prediction.log.failed", log, PredictionLog::failed)
                .description("Records lost to prediction log write failures").register(registry);
    }
}
