package dev.kiln.app.server;

import static dev.kiln.app.server.Access.role;
import static dev.kiln.app.server.Role.EDITOR;
import static dev.kiln.app.server.Role.VIEWER;
import static dev.kiln.app.server.Route.Method.GET;
import static dev.kiln.app.server.Route.Method.POST;

import dev.kiln.app.monitoring.Monitoring;
import dev.kiln.app.monitoring.MonitoringTimeline;
import dev.kiln.monitor.drift.DriftThresholds;
import dev.kiln.monitor.drift.FeatureDrift;
import dev.kiln.monitor.logs.Buckets;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.kafka.KafkaLogLines;
import dev.kiln.kafka.KafkaUri;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.Alert;
import dev.kiln.store.KilnStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The monitoring page's API: a registered model's served traffic window by window (drift per feature against the
 * training profile, drift of its output, requests per version, metrics on delayed labels) read from the prediction
 * logs in {@link MonitoringSources}, its alerts, and resolving an alert by hand.
 */
public final class MonitoringRoutes {
    /**
     * Rows one monitoring request reads at most, so that the page answers in seconds on a big log (each row is a JSON
     * line parsed, sketched and joined with its label; timings in docs/ui.md, MonitoringScaleTest).
     */
    static final long MAX_ROWS = 100_000;
    /** Windows one request may span at most (each holds a sketch per version). */
    static final int MAX_WINDOWS = 500;

    /** The page's window widths, their buckets and how far back they look when {@code from} is not given. */
    enum Width {
        HOUR(new Buckets.Fixed(Duration.ofHours(1)), Duration.ofHours(48)),
        DAY(new Buckets.Fixed(Duration.ofDays(1)), Duration.ofDays(30)),
        WEEK(new Buckets.Weeks(), Duration.ofDays(7 * 26));

        final Buckets buckets;
        final Duration defaultSpan;

        Width(Buckets buckets, Duration defaultSpan) {
            this.buckets = buckets;
            this.defaultSpan = defaultSpan;
        }

        String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Width parse(String text) {
            if (text == null) {
                return DAY;
            }
            for (Width w : values()) {
                if (w.wireName().equals(text)) {
                    return w;
                }
            }
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "query parameter window='" + text + "' must be hour, day or week",
                    Map.of("parameter", "window", "value", text));
        }
    }

    private final KilnStore store;
    private final MonitoringSources sources;
    private final long maxRows;

    MonitoringRoutes(KilnStore store, MonitoringSources sources) {
        this(store, sources, MAX_ROWS);
    }

    MonitoringRoutes(KilnStore store, MonitoringSources sources, long maxRows) {
        this.store = store;
        this.sources = sources;
        this.maxRows = maxRows;
    }

    List<Route> routes() {
        return List.of(
                new Route(GET, "/api/models/{name}/monitoring", role(VIEWER), this::monitoring),
                new Route(GET, "/api/models/{name}/alerts", role(VIEWER), this::alerts),
                new Route(POST, "/api/alerts/{alert}/resolve", role(EDITOR), this::resolve));
    }

    private void requireModel(String name) {
        if (store.registry().model(name).isEmpty()) {
            throw new KilnException(ErrorCode.MODEL_NOT_FOUND, "no model named '" + name + "'", Map.of("model", name));
        }
    }

    /** {@code ?window=hour|day|week&from=&to=}: the model's monitoring, window by window. */
    private Map<String, Object> monitoring(Call c) {
        long started = System.nanoTime();
        String name = c.param("name");
        requireModel(name);
        Width width = Width.parse(c.query("window"));
        Instant now = Instant.now();
        Instant to = time(c, "to", now);
        to = to == null ? now : to;
        Instant from = time(c, "from", now);
        from = from == null ? to.minus(width.defaultSpan) : from;
        if (!from.isBefore(to)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "query parameter from=" + from + " must be before to=" + to,
                    Map.of("parameter", "from", "value", from.toString()));
        }
        long windows = (width.buckets.start(to.toEpochMilli() - 1) - width.buckets.start(from.toEpochMilli()))
                / (width.buckets.end(0) - width.buckets.start(0)) + 1;
        if (windows > MAX_WINDOWS) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "from " + from + " to " + to + " spans " + windows + " windows of one "
                    + width.wireName() + "; at most " + MAX_WINDOWS + ": move from closer to to, or pick a wider window",
                    Map.of("parameter", "from", "value", from.toString()));
        }
        List<Path> dirs = sources.dirs();
        List<PredictionLogReader> logs = new ArrayList<>();
        List<String> logDirs = new ArrayList<>();
        for (Path dir : dirs) {
            if (MonitoringSources.modelDir(dir, name) != null) {
                PredictionLogReader log = new PredictionLogReader(dir, name);
                if (log.exists()) {
                    logs.add(log);
                    logDirs.add(dir.toString());
                }
            }
        }
        for (KafkaUri topic : sources.topics()) {
            PredictionLogReader log = new PredictionLogReader(name, new KafkaLogLines(topic, "--log-source", name));
            if (log.exists()) {
                logs.add(log);
                logDirs.add(topic.text());
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", name);
        m.put("window", width.wireName());
        m.put("from", from.toString());
        m.put("to", to.toString());
        m.put("log_dirs", logDirs);
        DriftThresholds thresholds = DriftThresholds.defaults();
        m.put("thresholds", thresholds);
        m.put("row_cap", maxRows);
        if (logs.isEmpty()) {
            m.put("task", null);
            m.put("rows", 0);
            m.put("truncated_at", null);
            m.put("features", List.of());
            m.put("windows", List.of());
            m.put("performance", List.of());
            m.put("notes", List.of(dirs.isEmpty() && sources.topics().isEmpty()
                    ? "no prediction log: the server was started without --log-dir; start kiln serve --log-dir DIR and "
                            + "kiln server --log-dir DIR (or kiln serve --log-sink kafka://HOST:PORT/TOPIC and kiln server "
                            + "--log-source with the same URI)"
                    : "no prediction log of model '" + name + "' in " + sources.describe() + ": start kiln serve --log-dir DIR and "
                            + "kiln server --log-dir DIR"));
            m.put("elapsed_ms", elapsed(started));
            return m;
        }
        MonitoringTimeline.Result r = MonitoringTimeline.compute(logs, new LogWindow(from, to), width.buckets,
                Monitoring.resolver(store, name, null), thresholds, maxRows);
        m.put("task", r.task());
        m.put("rows", r.rows());
        m.put("truncated_at", r.truncatedAt() == null ? null : r.truncatedAt().toString());
        m.put("features", features(r));
        m.put("windows", r.windows().stream().map(MonitoringRoutes::window).toList());
        m.put("performance", r.performance().stream().map(MonitoringRoutes::performance).toList());
        List<String> notes = new ArrayList<>(r.notes());
        if (r.windows().isEmpty()) {
            notes.add("no predictions of '" + name + "' from " + from + " to " + to + " (log in " + String.join(", ", logDirs) + ")");
        }
        m.put("notes", notes);
        m.put("elapsed_ms", elapsed(started));
        return m;
    }

    /** Every feature any window compared, in the order the windows' references list them. */
    private static List<String> features(MonitoringTimeline.Result r) {
        Set<String> names = new LinkedHashSet<>();
        for (MonitoringTimeline.Window w : r.windows()) {
            if (w.inputs() != null) {
                w.inputs().features().forEach(f -> names.add(f.name()));
            }
        }
        return List.copyOf(names);
    }

    private static Map<String, Object> window(MonitoringTimeline.Window w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("start", w.start().toString());
        m.put("end", w.end().toString());
        m.put("requests", w.requests());
        m.put("versions", w.versions());
        m.put("reference_version", w.referenceVersion());
        m.put("drifted_count", w.inputs() == null ? null : w.inputs().driftedCount());
        m.put("features", w.inputs() == null ? List.of() : w.inputs().features().stream().map(MonitoringRoutes::drift).toList());
        m.put("prediction", w.prediction() == null ? null : drift(w.prediction()));
        return m;
    }

    /** The statistics the page shows of one feature (or of the output). */
    private static Map<String, Object> drift(FeatureDrift f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", f.name());
        m.put("type", f.type());
        m.put("rows", f.currentCount());
        m.put("psi", f.psi());
        m.put("ks_statistic", f.ksStatistic());
        m.put("ks_p_value", f.ksPValue());
        m.put("chi_square_p_value", f.chiSquarePValue());
        m.put("drift", f.drift());
        m.put("reasons", f.reasons());
        return m;
    }

    private static Map<String, Object> performance(MonitoringTimeline.Performance p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", p.version());
        m.put("start", p.start().toString());
        m.put("end", p.end().toString());
        m.put("predictions", p.predictions());
        m.put("labelled", p.labelled());
        m.put("metrics", p.metrics());
        m.put("log_dir", p.logDir());
        return m;
    }

    private static Instant time(Call c, String parameter, Instant now) {
        String text = c.query(parameter);
        try {
            return LogWindow.parseTime(text, now, parameter);
        } catch (KilnException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "query parameter " + e.getMessage(),
                    Map.of("parameter", parameter, "value", text));
        }
    }

    private static long elapsed(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    /** {@code ?open=true|false&limit=N}: the model's alerts with their evidence, newest first. */
    private Map<String, Object> alerts(Call c) {
        String name = c.param("name");
        requireModel(name);
        String open = c.query("open");
        if (open != null && !open.equals("true") && !open.equals("false")) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "query parameter open='" + open + "' must be true or false",
                    Map.of("parameter", "open", "value", open));
        }
        List<Alert> list = store.alerts().list(name, "true".equals(open), c.limit());
        return Map.of("alerts", list.stream().map(Views::alert).toList());
    }

    /** {@code {"reason": "..."}}: resolves an open alert, recording the caller and the reason; 409 when already resolved. */
    private Map<String, Object> resolve(Call c) {
        long id = Long.parseLong(c.param("alert")); // checked by Params
        Body b = c.body().allow("reason");
        String reason = b.string("reason");
        return Views.alert(store.alerts().resolve(id, c.principal().name(), reason, Instant.now()));
    }
}
