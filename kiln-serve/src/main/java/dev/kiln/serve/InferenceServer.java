package dev.kiln.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnVersion;
import dev.kiln.runtime.Prediction;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.serve.ModelHost.Served;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.BindException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Kiln's inference server: the Open Inference Protocol v2 REST routes ({@code /v2/...}), a records route
 * ({@code POST /v1/models/{name}:predict}) and Prometheus metrics ({@code /metrics}), over the models of a
 * {@link ModelHost}.
 *
 * <p>Each request takes one snapshot of the model it names and scores on it to the end, so a hot swap never
 * fails a request in flight; the {@code Kiln-Model-Version} header names the version that answered (on routes
 * that name no model: every served model as {@code name=version}, comma separated). The request id is the
 * {@code X-Request-Id} header when given (1 to 128 visible characters), a fresh UUID otherwise, echoed in the
 * same header and in the body.
 *
 * <p>Errors: {@code /v2} routes answer {@code {"error": "<message>"}} as the protocol says; other routes
 * answer Kiln's shape {@code {"error": {"code", "message", "details"}}}. Both carry the stable code in the
 * {@code Kiln-Error-Code} header. Bodies over {@link #MAX_BODY_BYTES} are refused with 413.
 *
 * <p>Started with a {@link PredictionLog}, the server offers one record per row scored (both scoring routes) to
 * it after answering is decided, never blocking on it, and takes feedback on {@code POST /v1/models/{name}:feedback}
 * ({@code {"request_id", "label" | "reward", "row"?}}, answered 202); the log's queue, written and dropped
 * counts are on {@code /metrics}.
 *
 * <p>Inputs outside the model's training range (numbers outside the reference profile's {@code [min, max]},
 * categories not among the fitted one-hot levels) are flagged, never refused: {@code "flags"} per record
 * prediction, {@code parameters.kiln_flags} (with row indices) on OIP, {@code flags} in the prediction log and
 * {@code kiln_input_flags_total{model,column,reason}}. JSON nested deeper than {@link #MAX_JSON_DEPTH} is refused
 * with 400; a connection idle longer than the idle timeout ({@link #DEFAULT_IDLE_TIMEOUT} unless given) is closed,
 * a stalled body answered 408 first.
 */
public final class InferenceServer implements AutoCloseable {
    public static final long MAX_BODY_BYTES = 1L << 20;
    /** Oversized bodies up to this size are read and dropped before the 413, so the client can read it. */
    private static final long DRAIN_LIMIT_BYTES = 8L << 20;
    /** JSON request bodies nested deeper than this are refused with 400 (on the server's own mapper). */
    public static final int MAX_JSON_DEPTH = 64;
    /** How long a connection may send nothing (e.g. stall in a request body) before it is timed out. */
    public static final java.time.Duration DEFAULT_IDLE_TIMEOUT = java.time.Duration.ofSeconds(30);
    public static final String VERSION_HEADER = "Kiln-Model-Version";
    public static final String ERROR_CODE_HEADER = "Kiln-Error-Code";
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    public static final String PREDICTION = "prediction";
    public static final String PROBABILITY_PREFIX = "probability_";

    private static final System.Logger LOG = System.getLogger("dev.kiln.serve");
    private static final Pattern REQUEST_ID = Pattern.compile("[\\x21-\\x7e]{1,128}");
    private static final String EXCHANGE = "kiln.exchange";
    static final ObjectMapper MAPPER = JsonMapper.builder()
            // NaN and Infinity are read so that they can be refused by name, not as a parse error.
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_DEPTH).build());
    }

    private final Javalin app;
    private final ModelHost models;
    private final PrometheusMeterRegistry registry;
    private final PredictionLog log;
    private final Routes routes;
    private final List<AutoCloseable> closeAfter = new java.util.concurrent.CopyOnWriteArrayList<>();

    private InferenceServer(Javalin app, ModelHost models, PrometheusMeterRegistry registry, PredictionLog log, Routes routes) {
        this.app = app;
        this.models = models;
        this.registry = registry;
        this.log = log;
        this.routes = routes;
    }

    /** Starts serving {@code models} on {@code host:port} (null host: 127.0.0.1; port 0: a free one). */
    public static InferenceServer start(ModelHost models, String host, int port) {
        return start(models, host, port, null);
    }

    /**
     * Starts serving {@code models} on {@code host:port}, appending every prediction served, and the feedback
     * posted to {@code POST /v1/models/{name}:feedback}, to {@code log} (null: no log; feedback answers 503).
     * The server owns the log from here: {@link #close()} closes it after the last request.
     */
    public static InferenceServer start(ModelHost models, String host, int port, PredictionLog log) {
        return start(models, host, port, log, DEFAULT_IDLE_TIMEOUT);
    }

    /**
     * As {@link #start(ModelHost, String, int, PredictionLog)}, with the connection idle timeout: a connection that
     * sends nothing (e.g. stalls halfway through a request body) for that long is answered 408 if a request is
     * being read, and closed; the server goes on serving others.
     */
    public static InferenceServer start(ModelHost models, String host, int port, PredictionLog log, java.time.Duration idleTimeout) {
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "idle timeout must be positive, not " + idleTimeout, Map.of());
        }
        long idleMillis = Math.max(1, idleTimeout.toMillis());
        String bind = host == null || host.isBlank() ? "127.0.0.1" : host.trim();
        if (port < 0 || port > 65535) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "port " + port + " is not 0 to 65535", Map.of("port", port));
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Routes r = new Routes(models, registry, log);
        if (log != null) {
            Gauge.builder("kiln.prediction.log.queue.size", log, PredictionLog::queueSize)
                    .description("Records waiting to be written to the prediction log").register(registry);
            FunctionCounter.builder("kiln.prediction.log.dropped", log, PredictionLog::dropped)
                    .description("Records dropped because the prediction log queue was full").register(registry);
            FunctionCounter.builder("kiln.prediction.log.written", log, PredictionLog::written)
                    .description("Records written to the prediction log").register(registry);
            FunctionCounter.builder("kiln.prediction.log.failed", log, PredictionLog::failed)
                    .description("Records lost to prediction log write failures").register(registry);
        }
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jetty.host = bind;
            config.jetty.port = port;
            config.http.maxRequestSize = MAX_BODY_BYTES;
            config.http.defaultContentType = "application/json";
            config.jetty.modifyServer(server -> {
                for (org.eclipse.jetty.server.Connector c : server.getConnectors()) {
                    if (c instanceof org.eclipse.jetty.server.AbstractConnector a) {
                        a.setIdleTimeout(idleMillis);
                    }
                }
            });
            config.routes.addHttpHandler(HandlerType.GET, "/v2", r.wrap(false, x -> r.serverMetadata()));
            config.routes.addHttpHandler(HandlerType.GET, "/v2/health/live", r.wrap(false, x -> Map.of("live", true)));
            config.routes.addHttpHandler(HandlerType.GET, "/v2/health/ready", r.wrap(false, r::serverReady));
            config.routes.addHttpHandler(HandlerType.GET, "/v2/models/{name}", r.wrap(false, x -> r.modelMetadata(x, null)));
            config.routes.addHttpHandler(HandlerType.GET, "/v2/models/{name}/versions/{version}",
                    r.wrap(false, x -> r.modelMetadata(x, x.ctx.pathParam("version"))));
            config.routes.addHttpHandler(HandlerType.GET, "/v2/models/{name}/ready", r.wrap(false, x -> r.modelReady(x, null)));
            config.routes.addHttpHandler(HandlerType.GET, "/v2/models/{name}/versions/{version}/ready",
                    r.wrap(false, x -> r.modelReady(x, x.ctx.pathParam("version"))));
            config.routes.addHttpHandler(HandlerType.POST, "/v2/models/{name}/infer", r.wrap(true, x -> r.infer(x, null)));
            config.routes.addHttpHandler(HandlerType.POST, "/v2/models/{name}/versions/{version}/infer",
                    r.wrap(true, x -> r.infer(x, x.ctx.pathParam("version"))));
            config.routes.addHttpHandler(HandlerType.POST, "/v1/models/{name}:predict", r.wrap(true, r::predict));
            config.routes.addHttpHandler(HandlerType.POST, "/v1/models/{name}:feedback", r.wrap(false, r::feedback));
            config.routes.addHttpHandler(HandlerType.GET, "/metrics", ctx -> {
                ctx.header(VERSION_HEADER, r.versionSummary());
                ctx.status(200).contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape());
            });
            config.routes.exception(HttpResponseException.class, (e, ctx) -> r.fail(ctx, httpError(e, ctx)));
            config.routes.exception(Exception.class, (e, ctx) -> r.fail(ctx, internal(e, ctx)));
        });
        try {
            app.start();
            // Javalin adds its connector while starting; set (again) here so the timeout holds whatever the order.
            for (org.eclipse.jetty.server.Connector c : app.jettyServer().server().getConnectors()) {
                if (c instanceof org.eclipse.jetty.server.AbstractConnector a) {
                    a.setIdleTimeout(idleMillis);
                }
            }
        } catch (RuntimeException e) {
            app.stop();
            if (log != null) {
                log.close();
            }
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof BindException) {
                    throw new KilnException(ErrorCode.CONFLICT, "cannot listen on " + bind + ":" + port + ": " + c.getMessage(),
                            Map.of("host", bind, "port", port), e);
                }
            }
            throw e;
        }
        return new InferenceServer(app, models, registry, log, r);
    }

    public int port() {
        return app.port();
    }

    public ModelHost models() {
        return models;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The prediction log, if the server was started with one. */
    public java.util.Optional<PredictionLog> predictionLog() {
        return java.util.Optional.ofNullable(log);
    }

    /**
     * Starts a graceful stop: from now on {@code /v2/health/ready} answers 503 (so a load balancer stops
     * sending traffic); requests keep being answered until {@link #close()}.
     */
    public void beginShutdown() {
        routes.shuttingDown = true;
    }

    /** True once {@link #beginShutdown()} was called. */
    public boolean shuttingDown() {
        return routes.shuttingDown;
    }

    /** Requests being handled now (every route but {@code /metrics}). */
    public int inFlight() {
        return routes.inFlight.get();
    }

    /**
     * Waits until no request is in flight, or {@code grace} has passed.
     *
     * @return true when idle, false when the grace period ran out first
     */
    public boolean awaitIdle(java.time.Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (routes.inFlight) {
            while (routes.inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(routes.inFlight, left);
            }
        }
        return true;
    }

    /**
     * Closes {@code resource} when the server closes, after Jetty has stopped and the prediction log is closed
     * (in the order added): e.g. a {@link RegistryFollower} and the store it reads.
     */
    public void closeAfter(AutoCloseable resource) {
        closeAfter.add(java.util.Objects.requireNonNull(resource, "resource"));
    }

    @Override
    public void close() {
        routes.shuttingDown = true;
        try {
            app.stop();
        } finally {
            try {
                if (log != null) {
                    log.close();
                }
                registry.close();
            } finally {
                for (AutoCloseable c : closeAfter) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        LOG.log(System.Logger.Level.WARNING, "closing " + c + " failed: " + e, e);
                    }
                }
            }
        }
    }

    private static ServeError httpError(HttpResponseException e, Context ctx) {
        return switch (e.getStatus()) {
            case 404 -> new ServeError(404, "route_not_found", "no route " + ctx.method() + " " + ctx.path(), Map.of());
            case 405 -> new ServeError(405, "method_not_allowed", "method " + ctx.method() + " is not allowed on " + ctx.path(), Map.of());
            case 413 -> tooLarge();
            case 400 -> new ServeError(400, ErrorCode.INVALID_ARGUMENT.wireName(), e.getMessage(), Map.of());
            default -> new ServeError(e.getStatus(), e.getStatus() >= 500 ? ErrorCode.INTERNAL.wireName() : "http_" + e.getStatus(),
                    e.getMessage(), Map.of());
        };
    }

    static ServeError tooLarge() {
        return new ServeError(413, ServeError.PAYLOAD_TOO_LARGE, "the request body is over " + MAX_BODY_BYTES + " bytes",
                Map.of("limit_bytes", MAX_BODY_BYTES));
    }

    private static ServeError internal(Exception e, Context ctx) {
        LOG.log(System.Logger.Level.ERROR, "internal error on " + ctx.method() + " " + ctx.path(), e);
        return new ServeError(500, ErrorCode.INTERNAL.wireName(), "internal error (logged by the server)", Map.of());
    }

    // ------------------------------------------------------------------ routes

    /** One request: its context, id and (once looked up) the model snapshot that answers it. */
    static final class Exchange {
        final Context ctx;
        final String requestId;
        final long startNanos = System.nanoTime();
        Served served;

        Exchange(Context ctx, String requestId) {
            this.ctx = ctx;
            this.requestId = requestId;
        }
    }

    @FunctionalInterface
    interface Action {
        Object handle(Exchange x) throws Exception;
    }

    /** A reply with a status other than 200. */
    record Reply(int status, Object body) {
    }

    static final class Routes {
        private final ModelHost models;
        private final PrometheusMeterRegistry registry;
        private final PredictionLog log;
        volatile boolean shuttingDown;
        final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

        Routes(ModelHost models, PrometheusMeterRegistry registry, PredictionLog log) {
            this.models = models;
            this.registry = registry;
            this.log = log;
        }

        /** Offers one record per row to the prediction log (never blocks; a full queue drops and counts). */
        private void logPredictions(Exchange x, Served s, String id, List<?> inputs, List<Prediction> predictions,
                                    List<List<InputChecks.Flag>> flags) {
            if (log == null) {
                return;
            }
            double latencyMs = (System.nanoTime() - x.startNanos) / 1e6;
            String time = java.time.Instant.now().toString();
            for (int i = 0; i < predictions.size(); i++) {
                Prediction p = predictions.get(i);
                Map<String, Object> outputs = new LinkedHashMap<>();
                outputs.put(PREDICTION, p.prediction());
                outputs.put("probabilities", p.probabilities());
                Map<String, Object> rec = new LinkedHashMap<>();
                rec.put("request_id", x.requestId);
                if (id != null && !id.equals(x.requestId)) {
                    rec.put("id", id);
                }
                rec.put("time", time);
                rec.put("model", s.name());
                rec.put("version", s.version());
                rec.put("row", i);
                rec.put("inputs", inputs.get(i));
                rec.put("outputs", outputs);
                if (!flags.get(i).isEmpty()) {
                    rec.put("flags", flagMaps(flags.get(i), -1));
                }
                rec.put("latency_ms", latencyMs);
                log.offer(s.name(), PredictionLog.PREDICTIONS, rec);
            }
        }

        /**
         * The out-of-range flags of each row of a batch (checks precomputed when the model was loaded), counted in
         * {@code kiln_input_flags_total{model,column,reason}}.
         */
        private List<List<InputChecks.Flag>> flag(Served s, List<? extends Map<String, ?>> batch) {
            InputChecks checks = models.checks(s);
            List<List<InputChecks.Flag>> out = new ArrayList<>(batch.size());
            for (Map<String, ?> row : batch) {
                List<InputChecks.Flag> flags = checks.isEmpty() ? List.of() : checks.check(row);
                for (InputChecks.Flag f : flags) {
                    Counter.builder("kiln.input.flags")
                            .description("Input values outside the training range or unseen in training, by model, column and reason")
                            .tag("model", s.name()).tag("column", f.column()).tag("reason", f.reason())
                            .register(registry).increment();
                }
                out.add(flags);
            }
            return out;
        }

        /** Flags as JSON objects; {@code row >= 0} adds the row index. */
        private static List<Object> flagMaps(List<InputChecks.Flag> flags, int row) {
            List<Object> out = new ArrayList<>(flags.size());
            for (InputChecks.Flag f : flags) {
                Map<String, Object> m = f.toMap();
                if (row >= 0) {
                    Map<String, Object> withRow = new LinkedHashMap<>();
                    withRow.put("row", row);
                    withRow.putAll(m);
                    m = withRow;
                }
                out.add(m);
            }
            return out;
        }

        /** Runs an action with the request id, error mapping, version header and (for scoring routes) metrics. */
        Handler wrap(boolean scoring, Action action) {
            return ctx -> {
                inFlight.incrementAndGet();
                try {
                    handle(scoring, action, ctx);
                } finally {
                    if (inFlight.decrementAndGet() == 0) {
                        synchronized (inFlight) {
                            inFlight.notifyAll();
                        }
                    }
                }
            };
        }

        private void handle(boolean scoring, Action action, Context ctx) throws Exception {
            {
                long start = System.nanoTime();
                Exchange x = exchange(ctx);
                int status;
                try {
                    Object out = action.handle(x);
                    status = out instanceof Reply reply ? reply.status() : 200;
                    Object body = out instanceof Reply reply ? reply.body() : out;
                    ctx.header(VERSION_HEADER, x.served != null ? x.served.version() : versionSummary());
                    ctx.status(status).contentType("application/json").result(MAPPER.writeValueAsBytes(body));
                } catch (Exception e) {
                    ServeError error;
                    if (e instanceof ServeError s) {
                        error = s;
                    } else if (e instanceof KilnException k) {
                        error = ServeError.of(k);
                    } else if (e instanceof HttpResponseException h) {
                        error = httpError(h, ctx);
                    } else {
                        error = internal(e, ctx);
                    }
                    status = error.status();
                    fail(ctx, error);
                }
                if (scoring && x.served != null) {
                    Served s = x.served;
                    String outcome = status < 400 ? "success" : status < 500 ? "client_error" : "server_error";
                    Counter.builder("kiln.requests").description("Scoring requests, by model, version and outcome")
                            .tag("model", s.name()).tag("version", s.version()).tag("outcome", outcome)
                            .register(registry).increment();
                    Timer.builder("kiln.request").description("Scoring request latency, by model")
                            .tag("model", s.name()).publishPercentileHistogram()
                            .register(registry).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                }
            }
        }

        private static Exchange exchange(Context ctx) {
            Exchange x = ctx.attribute(EXCHANGE);
            if (x == null) {
                String given = ctx.header(REQUEST_ID_HEADER);
                String id = given != null && REQUEST_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
                x = new Exchange(ctx, id);
                ctx.attribute(EXCHANGE, x);
                ctx.header(REQUEST_ID_HEADER, id);
            }
            return x;
        }

        /** Answers an error in the shape of the route's protocol. */
        void fail(Context ctx, ServeError e) {
            Exchange x = exchange(ctx);
            ctx.header(VERSION_HEADER, x.served != null ? x.served.version() : versionSummary());
            ctx.header(ERROR_CODE_HEADER, e.code());
            Object body;
            if (ctx.path().equals("/v2") || ctx.path().startsWith("/v2/")) {
                body = Map.of("error", e.getMessage());
            } else {
                Map<String, Object> error = new LinkedHashMap<>();
                error.put("code", e.code());
                error.put("message", e.getMessage());
                error.put("details", e.details());
                body = Map.of("error", error);
            }
            try {
                ctx.status(e.status()).contentType("application/json").result(MAPPER.writeValueAsBytes(body));
            } catch (JsonProcessingException impossible) {
                throw new IllegalStateException(impossible);
            }
        }

        String versionSummary() {
            List<String> parts = new ArrayList<>();
            for (String name : models.names()) {
                models.get(name).ifPresent(s -> parts.add(s.name() + "=" + s.version()));
            }
            return String.join(",", parts);
        }

        /** The snapshot that answers this request: the model named in the path, at the version asked for if any. */
        private Served serve(Exchange x, String version) {
            String name = x.ctx.pathParam("name");
            Served s = models.get(name).orElseThrow(() -> new ServeError(404, ErrorCode.MODEL_NOT_FOUND.wireName(),
                    "model '" + name + "' is not served here (served: " + models.names() + ")", Map.of("model", name)));
            if (version != null && !version.equals(s.version())) {
                throw new ServeError(404, ServeError.MODEL_VERSION_NOT_FOUND, "model '" + name + "' is served at version "
                        + s.version() + ", not " + version, Map.of("model", name, "version", version));
            }
            x.served = s;
            return s;
        }

        Object serverMetadata() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("name", "kiln");
            out.put("version", KilnVersion.get());
            out.put("extensions", List.of());
            return out;
        }

        Object serverReady(Exchange x) {
            boolean ready = models.ready() && !shuttingDown;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ready", ready);
            if (shuttingDown) {
                out.put("shutting_down", true);
            }
            Map<String, String> errors = new java.util.TreeMap<>();
            for (String name : models.names()) {
                models.lastError(name).ifPresent(e -> errors.put(name, e));
            }
            if (!errors.isEmpty()) {
                out.put("errors", errors); // the last failed (re)load per model; the version before it keeps serving
            }
            return new Reply(ready ? 200 : 503, out);
        }

        Object modelReady(Exchange x, String version) {
            Served s = serve(x, version);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("name", s.name());
            out.put("ready", true);
            out.put("version", s.version());
            models.lastError(s.name()).ifPresent(e -> out.put("last_error", e));
            return out;
        }

        Object modelMetadata(Exchange x, String version) {
            Served s = serve(x, version);
            List<Object> inputs = new ArrayList<>();
            for (Field f : s.model().requiredFields()) {
                inputs.add(tensorMeta(f.name(), datatype(f.type())));
            }
            List<Object> outputs = new ArrayList<>();
            outputs.add(tensorMeta(PREDICTION, s.model().task().isClassification() ? "BYTES" : "FP64"));
            for (String c : s.model().classes()) {
                outputs.add(tensorMeta(PROBABILITY_PREFIX + c, "FP64"));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("name", s.name());
            out.put("versions", List.of(s.version()));
            out.put("platform", "kiln");
            out.put("inputs", inputs);
            out.put("outputs", outputs);
            return out;
        }

        private static Map<String, Object> tensorMeta(String name, String datatype) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", name);
            t.put("datatype", datatype);
            t.put("shape", List.of(-1));
            return t;
        }

        /** The OIP datatype a column is sent as. */
        static String datatype(ColumnType type) {
            return switch (type) {
                case NUMERIC -> "FP64";
                case INTEGER -> "INT64";
                case BOOLEAN -> "BOOL";
                case CATEGORICAL, TEXT, DATETIME -> "BYTES";
            };
        }

        /** Whether a tensor of {@code datatype} may feed a column of {@code type} (numbers may be sent narrower). */
        static boolean accepts(ColumnType type, String datatype) {
            return switch (type) {
                case NUMERIC -> datatype.matches("FP(16|32|64)|U?INT(8|16|32|64)");
                case INTEGER -> datatype.matches("U?INT(8|16|32|64)");
                case BOOLEAN -> datatype.equals("BOOL");
                case CATEGORICAL, TEXT, DATETIME -> datatype.equals("BYTES");
            };
        }

        // -------------------------------------------------------------- OIP infer

        Object infer(Exchange x, String version) {
            Served s = serve(x, version);
            JsonNode body = readBody(x.ctx);
            JsonNode inputs = body.get("inputs");
            if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
                throw badRequest(ErrorCode.INVALID_ARGUMENT, "the request needs \"inputs\": a non-empty array of tensors, one per column",
                        Map.of("field", "inputs"));
            }
            Map<String, JsonNode> byName = new HashMap<>();
            for (int i = 0; i < inputs.size(); i++) {
                JsonNode t = inputs.get(i);
                JsonNode name = t.get("name");
                if (!t.isObject() || name == null || !name.isTextual()) {
                    throw badRequest(ErrorCode.INVALID_ARGUMENT, "inputs[" + i + "] must be a tensor object with a \"name\"",
                            Map.of("field", "inputs[" + i + "]"));
                }
                if (byName.put(name.asText(), t) != null) {
                    throw badRequest(ErrorCode.INVALID_ARGUMENT, "input '" + name.asText() + "' is given twice", Map.of("input", name.asText()));
                }
            }
            List<Field> fields = s.model().requiredFields();
            int rows = -1;
            String rowsFrom = null;
            Object[][] columns = new Object[fields.size()][];
            for (int c = 0; c < fields.size(); c++) {
                Field f = fields.get(c);
                JsonNode t = byName.get(f.name());
                if (t == null) {
                    throw badRequest(ErrorCode.COLUMN_MISSING, "input '" + f.name() + "' is missing: the model needs one tensor per column ("
                            + fields.stream().map(Field::name).toList() + ")", Map.of("input", f.name()));
                }
                String expected = datatype(f.type());
                JsonNode dt = t.get("datatype");
                if (dt == null || !dt.isTextual() || !accepts(f.type(), dt.asText())) {
                    throw badRequest(ErrorCode.VALUE_INVALID, "input '" + f.name() + "': datatype " + (dt == null ? "missing" : dt)
                            + " does not fit a " + f.type().wireName() + " column (send " + expected + ")",
                            Map.of("input", f.name(), "expected", expected));
                }
                int n = shapeRows(f.name(), t.get("shape"));
                List<JsonNode> data = flatData(f.name(), t.get("data"));
                if (data.size() != n) {
                    throw badRequest(ErrorCode.VALUE_INVALID, "input '" + f.name() + "': shape says " + n + " values but data has "
                            + data.size(), Map.of("input", f.name(), "shape_rows", n, "data_length", data.size()));
                }
                if (rows < 0) {
                    rows = n;
                    rowsFrom = f.name();
                } else if (n != rows) {
                    throw badRequest(ErrorCode.VALUE_INVALID, "input '" + f.name() + "' has " + n + " rows but input '" + rowsFrom
                            + "' has " + rows, Map.of("input", f.name(), "rows", n, "expected_rows", rows));
                }
                Object[] values = new Object[n];
                String datatype = dt.asText();
                for (int i = 0; i < n; i++) {
                    values[i] = element(f, datatype, data.get(i), i);
                }
                columns[c] = values;
            }
            List<Map<String, Object>> batch = new ArrayList<>(rows);
            for (int i = 0; i < rows; i++) {
                Map<String, Object> row = new HashMap<>();
                for (int c = 0; c < fields.size(); c++) {
                    row.put(fields.get(c).name(), columns[c][i]);
                }
                batch.add(row);
            }
            List<Prediction> predictions = rows == 0 ? List.of() : s.model().predictBatch(batch);
            List<List<InputChecks.Flag>> flags = flag(s, batch);

            List<Object> outputs = new ArrayList<>();
            boolean classification = s.model().task().isClassification();
            List<Object> labels = new ArrayList<>(rows);
            for (Prediction p : predictions) {
                labels.add(p.prediction());
            }
            outputs.add(tensor(PREDICTION, classification ? "BYTES" : "FP64", labels));
            for (String cls : s.model().classes()) {
                List<Object> probs = new ArrayList<>(rows);
                for (Prediction p : predictions) {
                    probs.add(p.probabilities().get(cls));
                }
                outputs.add(tensor(PROBABILITY_PREFIX + cls, "FP64", probs));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model_name", s.name());
            out.put("model_version", s.version());
            JsonNode id = body.get("id");
            out.put("id", id != null && id.isTextual() ? id.asText() : x.requestId);
            out.put("outputs", outputs);
            List<Object> kilnFlags = new ArrayList<>();
            for (int i = 0; i < flags.size(); i++) {
                kilnFlags.addAll(flagMaps(flags.get(i), i));
            }
            if (!kilnFlags.isEmpty()) {
                out.put("parameters", Map.of("kiln_flags", kilnFlags));
            }
            logPredictions(x, s, id != null && id.isTextual() ? id.asText() : null, batch, predictions, flags);
            return out;
        }

        private static Map<String, Object> tensor(String name, String datatype, List<Object> data) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", name);
            t.put("datatype", datatype);
            t.put("shape", List.of(data.size()));
            t.put("data", data);
            return t;
        }

        /** Rows of a column tensor: shape {@code [rows]} or {@code [rows, 1]}. */
        private static int shapeRows(String input, JsonNode shape) {
            boolean ok = shape != null && shape.isArray() && (shape.size() == 1 || (shape.size() == 2 && shape.get(1).isIntegralNumber()
                    && shape.get(1).asLong() == 1)) && shape.get(0).isIntegralNumber() && shape.get(0).asLong() >= 0
                    && shape.get(0).asLong() <= Integer.MAX_VALUE;
            if (!ok) {
                throw badRequest(ErrorCode.VALUE_INVALID, "input '" + input + "': shape " + shape + " is not [rows] (one column per tensor)",
                        Map.of("input", input));
            }
            return shape.get(0).asInt();
        }

        private static List<JsonNode> flatData(String input, JsonNode data) {
            if (data == null || !data.isArray()) {
                throw badRequest(ErrorCode.VALUE_INVALID, "input '" + input + "': \"data\" must be an array", Map.of("input", input));
            }
            List<JsonNode> out = new ArrayList<>(data.size());
            flatten(data, out);
            return out;
        }

        private static void flatten(JsonNode node, List<JsonNode> out) {
            for (JsonNode e : node) {
                if (e.isArray()) {
                    flatten(e, out);
                } else {
                    out.add(e);
                }
            }
        }

        /** One element of a tensor as a Java value for the scoring API; null means missing. */
        private static Object element(Field f, String datatype, JsonNode e, int i) {
            if (e.isNull()) {
                return null;
            }
            switch (datatype) {
                case "BYTES" -> {
                    if (e.isTextual()) {
                        return e.asText();
                    }
                }
                case "BOOL" -> {
                    if (e.isBoolean()) {
                        return e.asBoolean();
                    }
                }
                default -> {
                    if (e.isNumber()) {
                        double d = e.asDouble();
                        if (!Double.isFinite(d)) {
                            throw badRequest(ErrorCode.VALUE_INVALID, "input '" + f.name() + "' element " + i + " is " + d
                                    + ": values must be finite numbers (null for a missing value)",
                                    Map.of("input", f.name(), "index", i));
                        }
                        if (datatype.contains("INT")) {
                            if (e.isIntegralNumber() && e.canConvertToLong()) {
                                return e.asLong();
                            }
                        } else {
                            return d;
                        }
                    }
                }
            }
            String shown = e.toString();
            throw badRequest(ErrorCode.VALUE_INVALID, "input '" + f.name() + "' element " + i + ": "
                    + (shown.length() > 60 ? shown.substring(0, 57) + "..." : shown) + " is not a " + datatype + " value",
                    Map.of("input", f.name(), "index", i, "datatype", datatype));
        }

        // -------------------------------------------------------------- records

        Object predict(Exchange x) {
            Served s = serve(x, null);
            JsonNode body = readBody(x.ctx);
            JsonNode instances = body.get("instances");
            if (instances == null || !instances.isArray() || instances.isEmpty()) {
                throw badRequest(ErrorCode.INVALID_ARGUMENT, "the request needs \"instances\": a non-empty array of objects, one per row",
                        Map.of("field", "instances"));
            }
            List<Field> fields = s.model().requiredFields();
            List<Map<String, Object>> batch = new ArrayList<>(instances.size());
            for (int i = 0; i < instances.size(); i++) {
                JsonNode inst = instances.get(i);
                if (!inst.isObject()) {
                    throw badRequest(ErrorCode.INVALID_ARGUMENT, "instance " + i + " is not a JSON object", Map.of("instance", i));
                }
                Map<String, Object> row = new HashMap<>();
                for (Field f : fields) {
                    JsonNode v = inst.get(f.name());
                    if (v == null) {
                        continue;  // absent: the model names the missing column
                    }
                    if (v.isContainerNode()) {
                        throw badRequest(ErrorCode.VALUE_INVALID, "instance " + i + ": column '" + f.name()
                                + "' must be a single value, not " + (v.isArray() ? "an array" : "an object"),
                                Map.of("instance", i, "column", f.name()));
                    }
                    row.put(f.name(), v.isNull() ? null : v.isTextual() ? v.asText() : v.isBoolean() ? v.asBoolean()
                            : v.isIntegralNumber() && v.canConvertToLong() ? (Object) v.asLong() : (Object) v.asDouble());
                }
                batch.add(row);
            }
            List<Prediction> predictions;
            try {
                predictions = s.model().predictBatch(batch);
            } catch (KilnException e) {
                Map<String, Object> details = new LinkedHashMap<>(e.details());
                Object row = details.remove("row");
                String message = e.getMessage();
                if (row != null) {
                    details.put("instance", row);
                    message = message.replaceFirst("^row ", "instance ");
                }
                throw new ServeError(e.code().category().httpStatus(), e.code().wireName(), message, details);
            }
            List<List<InputChecks.Flag>> flags = flag(s, batch);
            List<Object> out = new ArrayList<>(predictions.size());
            for (int i = 0; i < predictions.size(); i++) {
                Prediction p = predictions.get(i);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put(PREDICTION, p.prediction());
                p.probabilities().forEach((cls, prob) -> m.put(PROBABILITY_PREFIX + cls, prob));
                if (!flags.get(i).isEmpty()) {
                    m.put("flags", flagMaps(flags.get(i), -1));
                }
                out.add(m);
            }
            Map<String, Object> reply = new LinkedHashMap<>();
            reply.put("predictions", out);
            reply.put("model_name", s.name());
            reply.put("model_version", s.version());
            reply.put("request_id", x.requestId);
            List<JsonNode> sent = new ArrayList<>(instances.size());
            instances.forEach(sent::add);
            logPredictions(x, s, null, sent, predictions, flags);
            return reply;
        }

        // -------------------------------------------------------------- feedback

        /**
         * {@code {"request_id", "label"}} or {@code {"request_id", "reward"}} (exactly one), optionally {@code "row"}:
         * appended to the model's feedback log, answered 202.
         */
        Object feedback(Exchange x) {
            String name = x.ctx.pathParam("name");
            Served s = serve(x, null);
            JsonNode body = readBody(x.ctx);
            JsonNode requestId = body.get("request_id");
            if (requestId == null || !requestId.isTextual() || !REQUEST_ID.matcher(requestId.asText()).matches()) {
                throw badRequest(ErrorCode.INVALID_ARGUMENT, "feedback needs \"request_id\": the id of the request it is about "
                        + "(1 to 128 visible characters)", Map.of("field", "request_id"));
            }
            JsonNode label = body.get("label");
            JsonNode reward = body.get("reward");
            if ((label == null) == (reward == null)) {
                throw badRequest(ErrorCode.INVALID_ARGUMENT, "feedback needs exactly one of \"label\" and \"reward\"",
                        Map.of("field", label == null ? "label" : "reward"));
            }
            if (label != null && (label.isNull() || label.isContainerNode())) {
                throw badRequest(ErrorCode.VALUE_INVALID, "\"label\" must be a single value (string, number or boolean)",
                        Map.of("field", "label"));
            }
            if (reward != null && (!reward.isNumber() || !Double.isFinite(reward.asDouble()))) {
                throw badRequest(ErrorCode.VALUE_INVALID, "\"reward\" must be a finite number, not " + reward,
                        Map.of("field", "reward"));
            }
            JsonNode row = body.get("row");
            if (row != null && !(row.isIntegralNumber() && row.canConvertToInt() && row.asInt() >= 0)) {
                throw badRequest(ErrorCode.INVALID_ARGUMENT, "\"row\" must be a row index (an integer from 0), not " + row,
                        Map.of("field", "row"));
            }
            if (log == null) {
                throw new ServeError(503, ServeError.PREDICTION_LOG_DISABLED, "this server keeps no prediction log, so it takes no feedback",
                        Map.of("model", name));
            }
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("request_id", requestId.asText());
            rec.put("time", java.time.Instant.now().toString());
            rec.put("model", s.name());
            rec.put("served_version", s.version());
            if (row != null) {
                rec.put("row", row.asInt());
            }
            if (label != null) {
                rec.put("label", label);
            } else {
                rec.put("reward", reward.asDouble());
            }
            rec.put("feedback_id", x.requestId);
            if (!log.offer(s.name(), PredictionLog.FEEDBACK, rec)) {
                x.ctx.header("Retry-After", "1");
                throw new ServeError(503, ServeError.PREDICTION_LOG_FULL, "the prediction log is full; send the feedback again later",
                        Map.of("model", name));
            }
            return new Reply(202, Map.of("accepted", true));
        }

        // -------------------------------------------------------------- bodies

        private static JsonNode readBody(Context ctx) {
            long declared = ctx.req().getContentLengthLong();
            if (declared > MAX_BODY_BYTES) {
                // Read and drop a moderately oversized body first: a client still writing when the server
                // closes the connection sees a broken pipe instead of the 413. Larger bodies are cut off.
                if (declared <= DRAIN_LIMIT_BYTES) {
                    try (java.io.InputStream in = ctx.req().getInputStream()) {
                        in.transferTo(java.io.OutputStream.nullOutputStream());
                    } catch (java.io.IOException | RuntimeException ignored) {
                        // the connection is closed below anyway
                    }
                }
                ctx.header("Connection", "close");
                throw tooLarge();
            }
            byte[] bytes;
            try {
                bytes = ctx.bodyAsBytes();
            } catch (Exception e) {  // Jetty's IOException arrives unchecked through Kotlin
                for (Throwable c = e; c != null; c = c.getCause()) {
                    if (c instanceof java.util.concurrent.TimeoutException || c instanceof java.net.SocketTimeoutException) {
                        ctx.header("Connection", "close");
                        throw new ServeError(408, ServeError.REQUEST_TIMEOUT, "the request body did not arrive in time", Map.of());
                    }
                }
                throw e;
            }
            if (bytes.length > MAX_BODY_BYTES) {
                throw tooLarge();
            }
            JsonNode node;
            try {
                node = MAPPER.readTree(bytes);
            } catch (java.io.IOException e) {
                String m = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
                throw badRequest(ErrorCode.DATA_MALFORMED, "the request body is not valid JSON: " + m, Map.of());
            }
            if (node == null || !node.isObject()) {
                throw badRequest(ErrorCode.DATA_MALFORMED, "the request body must be a JSON object", Map.of());
            }
            return node;
        }

        private static ServeError badRequest(ErrorCode code, String message, Map<String, ?> details) {
            return new ServeError(400, code.wireName(), message, details);
        }
    }
}
