package dev.kiln.app.monitoring;

import dev.kiln.monitor.alerts.AlertRules;
import dev.kiln.monitor.alerts.MonitorSnapshot;
import dev.kiln.monitor.drift.FeatureDrift;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.serve.InferenceServer;
import dev.kiln.store.KilnStore;
import io.micrometer.core.instrument.Counter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs {@link Monitoring#check} for every model a server serves, every {@code rules.every()}, on one background
 * thread. The server's own counters give the error rate over the interval since the previous check (requests
 * answered with an error, 4xx or 5xx, over all requests); drift, performance and latency come from the prediction
 * log over the rules' window. A failing check is logged and retried at the next tick; it never touches serving.
 */
public final class ScheduledMonitor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.kiln.monitor");

    /** Where a served name's versions come from: a registry model, or one bundle directory. */
    public record Source(String registryName, Path bundle) {
    }

    private final InferenceServer server;
    private final KilnStore store;
    private final Function<String, PredictionLogReader> logs;
    private final AlertRules rules;
    private final Map<String, Source> sources;
    private final ScheduledExecutorService scheduler;
    private final Map<String, long[]> previous = new HashMap<>();
    final AtomicLong checks = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>();

    public ScheduledMonitor(InferenceServer server, KilnStore store, Path logDir, AlertRules rules, Map<String, Source> sources) {
        this(server, store, model -> new PredictionLogReader(logDir, model), rules, sources);
    }

    /** As above, each model's log read as {@code logs} says (the files, or the topic of {@code --log-sink}). */
    public ScheduledMonitor(InferenceServer server, KilnStore store, Function<String, PredictionLogReader> logs, AlertRules rules,
                            Map<String, Source> sources) {
        this.server = server;
        this.store = store;
        this.logs = logs;
        this.rules = rules;
        this.sources = Map.copyOf(sources);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kiln-monitor");
            t.setDaemon(true);
            return t;
        });
    }

    public ScheduledMonitor start() {
        long every = rules.every().toMillis();
        scheduler.scheduleWithFixedDelay(this::runOnce, every, every, TimeUnit.MILLISECONDS);
        return this;
    }

    /** One pass over every served model (also called directly by tests). */
    public synchronized void runOnce() {
        for (String name : server.models().names()) {
            Source source = sources.get(name);
            if (source == null) {
                continue; // loaded later through the admin API: no known source to resolve versions from
            }
            try {
                PredictionLogReader log = logs.apply(name);
                if (!log.exists()) {
                    continue;
                }
                Monitoring.CheckResult result = Monitoring.check(store, log,
                        Monitoring.resolver(store, source.registryName(), source.bundle()), source.registryName(), rules,
                        Instant.now(), servingStats(name));
                publish(name, result);
                lastError.set(null);
            } catch (RuntimeException e) {
                lastError.set(name + ": " + e.getMessage());
                LOG.log(System.Logger.Level.WARNING, "monitoring check of " + name + " failed: " + e.getMessage());
            }
        }
        checks.incrementAndGet();
    }

    /**
     * Puts the latest check on {@code /metrics}: {@code kiln_feature_psi{model,feature}},
     * {@code kiln_prediction_psi{model}}, {@code kiln_feature_drift{model,feature}} (1 drifted, 0 not),
     * {@code kiln_labelled_metric{model,metric}} and {@code kiln_alerts_firing{model}}. A value that could not be
     * measured this time is NaN, which Prometheus shows as such rather than a stale number.
     */
    private void publish(String model, Monitoring.CheckResult r) {
        gauges.values().stream().filter(g -> g.model.equals(model)).forEach(g -> g.value.set(Double.NaN));
        if (r.inputDrift() != null) {
            for (FeatureDrift f : r.inputDrift().features()) {
                gauge("kiln.feature.psi", "PSI of a feature against the training reference, over the rules' window", model,
                        "feature", f.name()).set(f.psi() == null ? Double.NaN : f.psi());
                gauge("kiln.feature.drift", "1 when the feature is flagged as drifted", model, "feature", f.name())
                        .set(f.drift() ? 1.0 : 0.0);
            }
        }
        if (r.predictionDrift() != null && r.predictionDrift().psi() != null) {
            gauge("kiln.prediction.psi", "PSI of the model's output against its held-out reference", model, null, null)
                    .set(r.predictionDrift().psi());
        }
        if (r.performance() != null) {
            r.performance().metrics().forEach((metric, v) -> gauge("kiln.labelled.metric",
                    "metric on the labelled feedback over the rules' window", model, "metric", metric).set(v));
        }
        gauge("kiln.alerts.firing", "rules firing at the last check", model, null, null)
                .set((double) r.outcomes().stream().filter(o -> o.status().equals("firing")).count());
    }

    private record Gauge(String model, AtomicReference<Double> value) {
    }

    private final Map<String, Gauge> gauges = new java.util.concurrent.ConcurrentHashMap<>();

    private AtomicReference<Double> gauge(String name, String help, String model, String tagKey, String tagValue) {
        String key = name + "|" + model + "|" + tagKey + "|" + tagValue;
        return gauges.computeIfAbsent(key, k -> {
            AtomicReference<Double> holder = new AtomicReference<>(Double.NaN);
            io.micrometer.core.instrument.Gauge.Builder<AtomicReference<Double>> b = io.micrometer.core.instrument.Gauge
                    .builder(name, holder, AtomicReference::get).description(help).tag("model", model);
            if (tagKey != null) {
                b = b.tag(tagKey, tagValue);
            }
            b.register(server.registry());
            return new Gauge(model, holder);
        }).value();
    }

    /** Requests and errors of {@code name} since the previous check, from the server's counters. */
    private MonitorSnapshot.ServingStats servingStats(String name) {
        long ok = 0;
        long failed = 0;
        for (Counter c : server.registry().find("kiln.requests").tag("model", name).counters()) {
            long n = (long) c.count();
            if ("success".equals(c.getId().getTag("outcome"))) {
                ok += n;
            } else {
                failed += n;
            }
        }
        long[] before = previous.getOrDefault(name, new long[2]);
        previous.put(name, new long[] {ok, failed});
        long requests = Math.max(0, ok - before[0]) + Math.max(0, failed - before[1]);
        return new MonitorSnapshot.ServingStats(requests, Math.max(0, failed - before[1]), Double.NaN);
    }

    /** The last check's failure ({@code model: message}), or null when it succeeded. */
    public String lastError() {
        return lastError.get();
    }

    public List<String> names() {
        return List.copyOf(sources.keySet());
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
