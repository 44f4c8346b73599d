package dev.kiln.app.monitoring;

import dev.kiln.app.lifecycle.PolicyRetrain;
import dev.kiln.app.lifecycle.Retraining;
import dev.kiln.monitor.alerts.AlertEvaluator;
import dev.kiln.monitor.alerts.AlertRules;
import dev.kiln.monitor.alerts.Evaluation;
import dev.kiln.monitor.alerts.MonitorSnapshot;
import dev.kiln.monitor.alerts.WebhookNotifier;
import dev.kiln.monitor.drift.DriftReport;
import dev.kiln.monitor.drift.DriftThresholds;
import dev.kiln.monitor.drift.FeatureDrift;
import dev.kiln.monitor.drift.TrafficSketch;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.monitor.logs.PredictionRecord;
import dev.kiln.monitor.performance.EstimateReport;
import dev.kiln.monitor.performance.PerformanceAnalyzer;
import dev.kiln.monitor.performance.PerformanceEstimator;
import dev.kiln.monitor.performance.PerformanceReport;
import dev.kiln.monitor.performance.PerformanceSpec;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.bundle.ReferenceSketch;
import dev.kiln.runtime.profile.QuantileSketch;
import dev.kiln.store.Alert;
import dev.kiln.store.AlertStore;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelRef;
import dev.kiln.store.ModelVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One monitoring pass over a served model: read its prediction log over the rules' window, measure drift of its
 * inputs and output against the bundle's reference sketches, its performance on the feedback received, evaluate
 * the alert rules, and act on them — open, update or resolve alerts in the store, post openings and resolutions
 * to the webhook, and retrain when the policy says so. Used by {@code kiln monitor check} and, on a schedule, by
 * {@code kiln serve --monitor-rules}.
 */
public final class Monitoring {
    private static final System.Logger LOG = System.getLogger("dev.kiln.monitor");

    private Monitoring() {
    }

    /** What happened to one rule. {@code action}: opened, updated, resolved or none. */
    public record Outcome(String rule, String kind, String status, String severity, String message,
                          Map<String, Object> evidence, String action, Long alertId, String webhookError, String retrain) {
    }

    /**
     * One check: the serving version, the window and its rows, each rule's outcome, drift, performance on the labels
     * received, and {@code estimate} its performance estimated before labels from its calibrated probabilities (CBPE;
     * null without predictions).
     */
    public record CheckResult(String model, String version, Instant at, Instant since, Instant until, long rows,
                              List<Outcome> outcomes, DriftReport inputDrift, FeatureDrift predictionDrift,
                              PerformanceReport.Window performance, PredictionLogReader.ReadStats read, List<String> notes,
                              EstimateReport.Estimate estimate) {
        public boolean firing() {
            return outcomes.stream().anyMatch(o -> o.status().equals("firing"));
        }
    }

    /** The current traffic of one version: its model, sketches of what it received and answered, and its latency. */
    private static final class Traffic {
        final KilnModel model;
        final TrafficSketch sketch;
        final QuantileSketch latency = new QuantileSketch();
        /** How its performance is measured over a window of {@code span}. */
        final PerformanceSpec performance;
        long rows;

        Traffic(KilnModel model, Duration span) {
            this.model = model;
            this.sketch = new TrafficSketch(model.manifest().inputSchema(), model.task(), model.manifest().positiveClass());
            this.performance = PerformanceSpec.of(model.manifest(), span, null);
        }

        void add(PredictionRecord p) {
            rows++;
            sketch.add(p);
            if (Double.isFinite(p.latencyMs()) && p.latencyMs() >= 0) {
                latency.add(p.latencyMs());
            }
        }
    }

    /** The prediction log of served model {@code model} under {@code logDir}; not found when the server never wrote one. */
    public static PredictionLogReader openLog(Path logDir, String model) {
        PredictionLogReader log = new PredictionLogReader(logDir, model);
        if (!log.exists()) {
            throw new KilnException(ErrorCode.FILE_NOT_FOUND, "no prediction log for model '" + model + "' under " + logDir,
                    Map.of("logs", log.modelDir().toString()));
        }
        return log;
    }

    /** {@code log} (read from a topic, say), when it exists; else not found. */
    public static PredictionLogReader openLog(PredictionLogReader log) {
        if (!log.exists()) {
            throw new KilnException(ErrorCode.FILE_NOT_FOUND, "no prediction log for model '" + log.model() + "' at "
                    + log.where(), Map.of("logs", log.where()));
        }
        return log;
    }

    /**
     * A resolver for the bundle of each version the log names: {@code fixed} (a bundle directory) serves every
     * version; otherwise the registry's {@code registryName:VERSION}.
     */
    public static Function<String, KilnModel> resolver(KilnStore store, String registryName, Path fixed) {
        Map<String, KilnModel> cache = new HashMap<>();
        return version -> cache.computeIfAbsent(version, v -> {
            if (fixed != null) {
                return KilnModel.load(fixed);
            }
            int n;
            try {
                n = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the log's version '" + v + "' is not a registry version: "
                        + "the model was served from a bundle directory; pass it with --ref", Map.of("version", v));
            }
            ModelVersion mv = store.registry().resolve(new ModelRef(registryName, null, n));
            return KilnModel.load(store.registry().bundlePath(mv));
        });
    }

    /** How many of the window's last rows decide which version is the one serving ({@link #serving}). */
    static final int RECENT_ROWS = 1_000;

    /**
     * The version serving now: the one that answered most of the window's last {@link #RECENT_ROWS} rows ({@code last}
     * on a tie), so that a canary answering a share of the requests is not taken for the model, while a version an
     * alias moved to takes over once it answers most requests.
     */
    static String serving(String[] recent, String last) {
        Map<String, Integer> counts = new HashMap<>();
        for (String v : recent) {
            if (v != null) {
                counts.merge(v, 1, Integer::sum);
            }
        }
        String best = last;
        int most = counts.getOrDefault(last, 0);
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (e.getValue() > most) {
                most = e.getValue();
                best = e.getKey();
            }
        }
        return best;
    }

    /**
     * Reads the window of the log and measures drift and performance of the version serving now (see
     * {@link #serving}), without acting.
     */
    public static CheckResult measure(PredictionLogReader log, LogWindow window, Function<String, KilnModel> models,
                                      DriftThresholds thresholds) {
        return measureWithLatency(log, window, models, thresholds).result();
    }

    private record Measured(CheckResult result, QuantileSketch latency) {
    }

    private static Measured measureWithLatency(PredictionLogReader log, LogWindow window,
                                               Function<String, KilnModel> models, DriftThresholds thresholds) {
        Map<String, Traffic> byVersion = new LinkedHashMap<>();
        String[] last = {null};
        String[] recent = new String[RECENT_ROWS]; // the versions of the window's last rows, as a ring
        long[] seen = {0};
        List<String> notes = new ArrayList<>();
        Map<String, String> unresolvable = new LinkedHashMap<>();
        Duration span = window.since() != null && window.until() != null
                ? Duration.between(window.since(), window.until()) : Duration.ofDays(36_500);
        // One read of the window for drift and performance: each version measured with its own bundle's spec.
        PerformanceAnalyzer.Pass performance = new PerformanceAnalyzer.Pass(log, window);
        PerformanceEstimator.Pass estimation = PerformanceEstimator.Pass.reading(log, window, null, null);
        PredictionLogReader.ReadStats read = log.predictions(window, p -> {
            if (unresolvable.containsKey(p.version())) {
                performance.add(p, null);
                return;
            }
            Traffic t = byVersion.get(p.version());
            if (t == null) {
                try {
                    t = new Traffic(models.apply(p.version()), span);
                } catch (KilnException e) {
                    unresolvable.put(p.version(), e.getMessage());
                    performance.add(p, null);
                    return;
                }
                byVersion.put(p.version(), t);
            }
            t.add(p);
            performance.add(p, t.performance);
            estimation.add(p, t.model);
            last[0] = p.version();
            recent[(int) (seen[0]++ % RECENT_ROWS)] = p.version();
        });
        unresolvable.forEach((v, why) -> notes.add("version " + v + " skipped: " + why));
        if (read.malformed() > 0) {
            notes.add(read.malformed() + " log line(s) could not be read, e.g. " + read.malformedExamples().get(0));
        }
        if (last[0] == null) {
            notes.add("no predictions of " + log.model() + " in the window");
            return new Measured(new CheckResult(log.model(), null, Instant.now(), window.since(), window.until(), 0, List.of(),
                    null, null, null, read, notes, null), new QuantileSketch());
        }
        last[0] = serving(recent, last[0]);
        Traffic current = byVersion.get(last[0]);
        ReferenceSketch reference = current.model.bundle().referenceSketch();
        DriftReport inputDrift = null;
        FeatureDrift predictionDrift = null;
        if (reference == null) {
            notes.add("version " + last[0] + " was written before bundle format 1.1 and has no reference sketch: no drift");
        } else {
            inputDrift = current.sketch.inputDrift(reference, thresholds);
            predictionDrift = current.sketch.outputDrift(reference, thresholds);
        }
        PerformanceReport.Window perf = performance.report(current.performance, read).versions().stream()
                .filter(w -> w.version().equals(last[0])).findFirst().orElse(null);
        return new Measured(new CheckResult(log.model(), last[0], Instant.now(), window.since(), window.until(), current.rows,
                List.of(), inputDrift, predictionDrift, perf, read, notes, estimation.total(last[0])), current.latency);
    }

    /**
     * A full check: {@link #measure}, evaluate {@code rules}, and act on the outcome. {@code serving} carries the
     * server's request and error counts when the check runs inside it (null outside: latency then comes from the
     * log, and error-rate rules have no data).
     */
    public static CheckResult check(KilnStore store, PredictionLogReader log, Function<String, KilnModel> models,
                                    String registryName, AlertRules rules, Instant now,
                                    MonitorSnapshot.ServingStats serving) {
        LogWindow window = new LogWindow(now.minus(rules.window()), now);
        Measured m = measureWithLatency(log, window, models, DriftThresholds.defaults());
        CheckResult measured = m.result();
        if (measured.version() == null) {
            List<String> notes = new ArrayList<>(measured.notes());
            scheduledRetrain(store, registryName, rules, now, notes); // a schedule does not wait for traffic
            return new CheckResult(measured.model(), null, now, window.since(), window.until(), 0, List.of(), null, null, null,
                    measured.read(), notes, null);
        }
        double logP99 = m.latency().count() == 0 ? Double.NaN : m.latency().quantile(0.99);
        MonitorSnapshot.ServingStats stats = serving == null ? new MonitorSnapshot.ServingStats(measured.rows(), -1, logP99)
                : Double.isNaN(serving.p99Millis()) ? new MonitorSnapshot.ServingStats(serving.requests(), serving.errors(), logP99)
                : serving;
        KilnModel current = models.apply(measured.version());
        Integer version = parseVersion(measured.version());
        MonitorSnapshot snapshot = new MonitorSnapshot(log.model(), version, measured.rows(), measured.inputDrift(),
                measured.predictionDrift(), measured.performance(), current.manifest().testMetrics(), stats, measured.estimate());
        WebhookNotifier webhook = rules.webhook() == null ? null : new WebhookNotifier(rules.webhook());
        List<Outcome> outcomes = new ArrayList<>();
        for (Evaluation e : AlertEvaluator.evaluate(rules, snapshot)) {
            outcomes.add(act(e, store, log.model(), version, registryName, rules, webhook, now, window));
        }
        List<String> notes = new ArrayList<>(measured.notes());
        boolean retrained = outcomes.stream().anyMatch(o -> o.retrain() != null && o.retrain().startsWith("registered"));
        if (!retrained) {
            scheduledRetrain(store, registryName, rules, now, notes);
        }
        return new CheckResult(measured.model(), measured.version(), now, window.since(), window.until(), measured.rows(),
                outcomes, measured.inputDrift(), measured.predictionDrift(), measured.performance(), measured.read(),
                notes, measured.estimate());
    }

    /**
     * What one rule's evaluation does: a firing rule opens (or updates) its alert, posts the webhook and retrains
     * when the policy says so, the first time; a rule back to ok resolves its open alert.
     */
    private static Outcome act(Evaluation e, KilnStore store, String model, Integer version, String registryName,
                               AlertRules rules, WebhookNotifier webhook, Instant now, LogWindow window) {
        AlertStore alerts = store.alerts();
        AlertRules.Rule r = e.rule();
        String status = e.status().name().toLowerCase(java.util.Locale.ROOT);
        String action = "none";
        Long alertId = null;
        String webhookError = null;
        String retrain = null;
        if (e.status() == Evaluation.Status.FIRING) {
            // The stored evidence names the window it was measured over, for whoever reads the alert later.
            Map<String, Object> evidence = new LinkedHashMap<>(e.evidence());
            Map<String, Object> measured = new LinkedHashMap<>();
            measured.put("from", window.since() == null ? null : window.since().toString());
            measured.put("to", window.until() == null ? null : window.until().toString());
            evidence.putIfAbsent("window", measured);
            AlertStore.Fired fired = alerts.fire(model, version, r.name(), r.kind().wireName(), r.severity(),
                    e.message(), evidence, now);
            alertId = fired.alert().id();
            action = fired.opened() ? "opened" : "updated";
            if (fired.opened()) {
                LOG.log(System.Logger.Level.WARNING, "alert " + r.name() + " opened for " + model + ": " + e.message());
                if (webhook != null) {
                    webhookError = webhook.post(payload("alert_opened", fired.alert()));
                }
                if (rules.retrain() != null && rules.retrain().on().contains(r.name())) {
                    retrain = PolicyRetrain.run(store, registryName, rules.retrain());
                }
            }
        } else if (e.status() == Evaluation.Status.OK) {
            var resolved = alerts.resolve(model, r.name(), now);
            if (resolved.isPresent()) {
                action = "resolved";
                alertId = resolved.get().id();
                LOG.log(System.Logger.Level.INFO, "alert " + r.name() + " resolved for " + model + ": " + e.message());
                if (webhook != null) {
                    webhookError = webhook.post(payload("alert_resolved", resolved.get()));
                }
            }
        }
        return new Outcome(r.name(), r.kind().wireName(), status, r.severity(), e.message(), e.evidence(), action,
                alertId, webhookError, retrain);
    }

    /** Retrains when the policy has a schedule and the newest registered version is older than it. */
    private static void scheduledRetrain(KilnStore store, String registryName, AlertRules rules, Instant now, List<String> notes) {
        if (registryName == null || rules.retrain() == null || rules.retrain().every() == null) {
            return;
        }
        ModelVersion newest = store.registry().versions(registryName).stream()
                .max(java.util.Comparator.comparingInt(ModelVersion::version)).orElse(null);
        if (newest != null && newest.createdAt().plus(rules.retrain().every()).isBefore(now)) {
            notes.add("scheduled retrain (newest version " + newest.version() + " is older than " + rules.retrain().every()
                    + "): " + PolicyRetrain.run(store, registryName, rules.retrain()));
        }
    }

    private static Map<String, Object> payload(String event, Alert a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", event);
        m.put("id", a.id());
        m.put("model", a.model());
        m.put("version", a.version());
        m.put("rule", a.rule());
        m.put("kind", a.kind());
        m.put("severity", a.severity());
        m.put("message", a.message());
        m.put("evidence", a.evidence());
        m.put("first_seen_at", a.firstSeenAt().toString());
        m.put("last_seen_at", a.lastSeenAt().toString());
        if (a.resolvedAt() != null) {
            m.put("resolved_at", a.resolvedAt().toString());
        }
        return m;
    }

    private static Integer parseVersion(String v) {
        try {
            return Integer.valueOf(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
