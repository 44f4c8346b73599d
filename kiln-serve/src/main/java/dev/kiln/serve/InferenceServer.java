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
 *
 * <p>Tokens ({@link Options}): with an inference token every model route ({@code /v2/models/...}, {@code /v1/models/...})
 * needs {@code Authorization: Bearer TOKEN} and answers 401 otherwise (in the route family's error shape, code
 * {@code unauthenticated}, with {@code WWW-Authenticate}); {@code /v2}, {@code /v2/health/live},
 * {@code /v2/health/ready} and {@code /metrics} stay open for probes and scrapers. With an admin token the model
 * repository extension is enabled and advertised in {@code GET /v2} ({@code "model_repository"}):
 * {@code POST /v2/repository/models/{name}/load} (optional {@code {"parameters": {"ref": REF}}}, see
 * {@link ModelRepository}), {@code POST .../unload}, {@code GET|POST /v2/repository/index}; without one they answer
 * 403. The admin token also opens the model routes. Tokens are compared as SHA-256 digests in constant time.
 * A model's {@code kiln_requests_total} / {@code kiln_request_seconds} / {@code kiln_input_flags_total} series appear
 * with its first scoring request and are removed when it is unloaded.
 *
 * <p>Model metadata ({@code GET /v2/models/{name}}) gives each input {@code parameters} from the bundle's reference
 * profile: {@code training_min}/{@code training_max} (numbers), {@code training_categories} (at most 50, most
 * frequent first, {@code training_categories_truncated}), {@code training_missing_fraction}.
 *
 * <p>Plain records requests are answered by a Jetty core handler in front of Javalin ({@link FastPredict}), with the same
 * bytes, metrics and log records as the Javalin route, which answers everything else. That handler is non-blocking:
 * it scores on the selector thread that read the request and hands every other request to the thread pool.
 */
public final class InferenceServer implements AutoCloseable {
    public static final long MAX_BODY_BYTES = 1L << 20;
    /** Oversized bodies up to this size are read and dropped before the 413, so the client can read it. */
    private static final long DRAIN_LIMIT_BYTES = 8L << 20;
    /** JSON request bodies nested deeper than this are refused with 400 (on the server's own mapper). */
    public static final int MAX_JSON_DEPTH = 64;
    /** How long a connection may send nothing (e.g. stall in a request body) before it is timed out. */
    public static final java.time.Duration DEFAULT_IDLE_TIMEOUT = java.time.Duration.ofSeconds(30);
    /**
     * Selector threads of the server's connector: the fast path scores on them, so they bound how many cores serve
     * records requests. Two per core (Jetty's default is one per two cores): with one per core, a selector thread that
     * the OS preempts stalls all its connections, which showed as a 12 ms p99 in the load test (3 ms with two per core).
     * System property {@code kiln.serve.selectors} overrides it.
     */
    static final int SELECTORS = Math.max(1, Integer.getInteger("kiln.serve.selectors", 2 * Runtime.getRuntime().availableProcessors()));
    public static final String VERSION_HEADER = "Kiln-Model-Version";
    public static final String ERROR_CODE_HEADER = "Kiln-Error-Code";
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    /**
     * The key that decides whether a request goes to a model's canary: the same key always goes the same way (an
     * A/B test by customer, say); without it the request id decides, and a request without either is drawn at random.
     */
    public static final String ROUTE_KEY_HEADER = "Kiln-Route-Key";
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
        return start(models, host, port, log, Options.defaults().withIdleTimeout(idleTimeout));
    }

    /**
     * What a server is started with besides its models, address and log: the idle (read) timeout, the bearer token
     * that model routes require (null: open), the admin token of the model repository routes (null: those answer
     * 403) and the repository they act on (null with an admin token: one over the served models that can unload and
     * list, and load nothing new). {@link #toString()} never shows the tokens.
     */
    public record Options(java.time.Duration idleTimeout, String inferenceToken, String adminToken, ModelRepository repository) {
        public static Options defaults() {
            return new Options(DEFAULT_IDLE_TIMEOUT, null, null, null);
        }

        public Options withIdleTimeout(java.time.Duration d) {
            return new Options(d, inferenceToken, adminToken, repository);
        }

        public Options withInferenceToken(String token) {
            return new Options(idleTimeout, token, adminToken, repository);
        }

        public Options withAdminToken(String token) {
            return new Options(idleTimeout, inferenceToken, token, repository);
        }

        public Options withRepository(ModelRepository r) {
            return new Options(idleTimeout, inferenceToken, adminToken, r);
        }

        @Override
        public String toString() {
            return "Options[idleTimeout=" + idleTimeout + ", inferenceToken=" + (inferenceToken == null ? "none" : "***")
                    + ", adminToken=" + (adminToken == null ? "none" : "***") + ", repository=" + (repository != null) + "]";
        }
    }

    /** Starts serving {@code models} with {@code options} (see {@link Options}). */
    public static InferenceServer start(ModelHost models, String host, int port, PredictionLog log, Options options) {
        java.time.Duration idleTimeout = options.idleTimeout();
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "idle timeout must be positive, not " + idleTimeout, Map.of());
        }
        long idleMillis = Math.max(1, idleTimeout.toMillis());
        Tokens tokens = new Tokens(options.inferenceToken(), options.adminToken());
        ModelRepository repository = options.adminToken() == null ? null
                : options.repository() != null ? options.repository() : new ModelRepository(models, null, null, List.of());
        if (repository != null && repository.host() != models) {
            throw new IllegalArgumentException("the repository must act on the served ModelHost");
        }
        String bind = host == null || host.isBlank() ? "127.0.0.1" : host.trim();
        if (port < 0 || port > 65535) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "port " + port + " is not 0 to 65535", Map.of("port", port));
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Routes r = new Routes(models, registry, log, tokens, repository);
        if (r.shadows != null) {
            Gauge.builder("kiln.shadow.queue.size", r.shadows, ShadowScorer::queued)
                    .description("Shadow scoring jobs waiting").register(registry);
        }
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
            // Kiln's own connector, for its selector count (see SELECTORS).
            config.jetty.addConnector((server, httpConfig) -> {
                org.eclipse.jetty.server.ServerConnector c = new org.eclipse.jetty.server.ServerConnector(server, 1,
                        SELECTORS, new org.eclipse.jetty.server.HttpConnectionFactory(httpConfig));
                c.setHost(bind);
                c.setPort(port);
                return c;
            });
            config.jetty.modifyServer(server -> {
                // The records fast path, first of the server's handlers (ahead of the StatisticsHandler Javalin puts there, whose
                // counts nothing reads, so that the requests it answers skip that wrapping too); Javalin attaches its servlet
                // context behind the innermost wrapper when it starts.
                server.insertHandler(new FastPredict(r));
                for (org.eclipse.jetty.server.Connector c : server.getConnectors()) {
                    if (c instanceof org.eclipse.jetty.server.AbstractConnector a) {
                        a.setIdleTimeout(idleMillis);
                    }
                }
            });
            // Open: server metadata, health (probes) and /metrics. MODEL: the inference token when one is set.
            config.routes.addHttpHandler(HandlerType.GET, "/v2", r.wrap(Access.OPEN, false, x -> r.serverMetadata()));
            config.routes.addHttpHandler(HandlerType.GET, "/v2/health/live", r.wrap(Access.OPEN, false, x -> Map.of("live", true)));
            config.routes.addHttpHandler(HandlerType.GET, "/v2/health/ready", r.wrap(Access.OPEN, false, r::serverReady));
            config.routes.addHttpHandler(HandlerType.GET, "/v2/models/{name}", r.wrap(Access.MODEL, false, x -> r.modelMetadata(x, null)));
            config.routes.addHttpHandler(HandlerType.GET, "/v2/models/{name}/versions/{version}",
                    r.wrap(Access.MODEL, false, x -> r.modelMetadata(x, x.ctx.pathParam("version"))));
            config.routes.addHttpHandler(HandlerType.GET, "/v2/models/{name}/ready", r.wrap(Access.MODEL, false, x -> r.modelReady(x, null)));
            config.routes.addHttpHandler(HandlerType.GET, "/v2/models/{name}/versions/{version}/ready",
                    r.wrap(Access.MODEL, false, x -> r.modelReady(x, x.ctx.pathParam("version"))));
            config.routes.addHttpHandler(HandlerType.POST, "/v2/models/{name}/infer", r.wrap(Access.MODEL, true, x -> r.infer(x, null)));
            config.routes.addHttpHandler(HandlerType.POST, "/v2/models/{name}/versions/{version}/infer",
                    r.wrap(Access.MODEL, true, x -> r.infer(x, x.ctx.pathParam("version"))));
            config.routes.addHttpHandler(HandlerType.POST, "/v1/models/{name}:predict", r.wrap(Access.MODEL, true, r::predict));
            config.routes.addHttpHandler(HandlerType.POST, "/v1/models/{name}:explain", r.wrap(Access.MODEL, true, r::explain));
            config.routes.addHttpHandler(HandlerType.POST, "/v1/models/{name}:feedback", r.wrap(Access.MODEL, false, r::feedback));
            // The model repository extension: admin token only; 403 when no admin token is configured.
            config.routes.addHttpHandler(HandlerType.GET, "/v2/repository/index", r.wrap(Access.ADMIN, false, r::repositoryIndex));
            config.routes.addHttpHandler(HandlerType.POST, "/v2/repository/index", r.wrap(Access.ADMIN, false, r::repositoryIndex));
            config.routes.addHttpHandler(HandlerType.POST, "/v2/repository/models/{name}/load", r.wrap(Access.ADMIN, false, r::repositoryLoad));
            config.routes.addHttpHandler(HandlerType.POST, "/v2/repository/models/{name}/unload",
                    r.wrap(Access.ADMIN, false, r::repositoryUnload));
            config.routes.addHttpHandler(HandlerType.PUT, "/v2/repository/models/{name}/canary", r.wrap(Access.ADMIN, false, r::repositoryCanary));
            config.routes.addHttpHandler(HandlerType.DELETE, "/v2/repository/models/{name}/canary",
                    r.wrap(Access.ADMIN, false, r::repositoryCanary));
            config.routes.addHttpHandler(HandlerType.PUT, "/v2/repository/models/{name}/shadow", r.wrap(Access.ADMIN, false, r::repositoryShadow));
            config.routes.addHttpHandler(HandlerType.DELETE, "/v2/repository/models/{name}/shadow",
                    r.wrap(Access.ADMIN, false, r::repositoryShadow));
            config.routes.addHttpHandler(HandlerType.PUT, "/v2/repository/models/{name}/bandit", r.wrap(Access.ADMIN, false, r::repositoryBandit));
            config.routes.addHttpHandler(HandlerType.DELETE, "/v2/repository/models/{name}/bandit",
                    r.wrap(Access.ADMIN, false, r::repositoryBandit));
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
            if (r.shadows != null) {
                r.shadows.close();
            }
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

    /** The progressive rollouts of this server's canaries. */
    public CanaryRollout rollouts() {
        return routes.rollouts;
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

    /**
     * Turns the Jetty fast path of the records route ({@link FastPredict}) on or off (on unless the system property
     * {@code kiln.serve.noFastPath} is true); off, the Javalin route answers every request. For tests and comparisons.
     */
    void fastPath(boolean on) {
        routes.fastPath = on;
    }

    /** Requests answered by the Jetty fast path of the records route so far. */
    long fastPathAnswered() {
        return routes.fastAnswered.sum();
    }

    /** How Jetty invokes the server's handlers: non-blocking means on the selector thread that read the request. */
    org.eclipse.jetty.util.thread.Invocable.InvocationType invocationType() {
        return app.jettyServer().server().getInvocationType();
    }

    /** The selector threads of the server's connector. */
    int selectors() {
        return ((org.eclipse.jetty.server.ServerConnector) app.jettyServer().server().getConnectors()[0]).getSelectorManager().getSelectorCount();
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
                routes.rollouts.close();
                if (routes.shadows != null) {
                    routes.shadows.close(); // its rows go to the log: first
                }
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
        /** The Javalin context; null for a request answered by the {@link FastPredict} handler. */
        final Context ctx;
        final String requestId;
        final long startNanos;
        Served served;

        Exchange(Context ctx, String requestId) {
            this(ctx, requestId, System.nanoTime());
        }

        Exchange(Context ctx, String requestId, long startNanos) {
            this.ctx = ctx;
            this.requestId = requestId;
            this.startNanos = startNanos;
        }
    }

    @FunctionalInterface
    interface Action {
        Object handle(Exchange x) throws Exception;
    }

    /** A reply with a status other than 200. */
    record Reply(int status, Object body) {
    }

    /** Who may call a route: anyone, holders of the inference token (when one is set), holders of the admin token. */
    enum Access { OPEN, MODEL, ADMIN }

    /**
     * The configured bearer tokens, kept as SHA-256 digests and compared in constant time
     * ({@link java.security.MessageDigest#isEqual} over equal-length digests). The admin token also opens model routes.
     */
    static final class Tokens {
        private final byte[] inference;
        private final byte[] admin;

        Tokens(String inference, String admin) {
            this.inference = inference == null ? null : sha256(inference);
            this.admin = admin == null ? null : sha256(admin);
        }

        private static byte[] sha256(String s) {
            try {
                return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        boolean adminEnabled() {
            return admin != null;
        }

        /** Throws the 401/403 for a request to a route of {@code access} with this Authorization header. */
        void check(Access access, String authorization) {
            if (access == Access.OPEN || (access == Access.MODEL && inference == null)) {
                return;
            }
            if (access == Access.ADMIN && admin == null) {
                throw new ServeError(403, ServeError.FORBIDDEN, "the model repository (load, unload, canary, index) is disabled: start kiln serve "
                        + "with --admin-token-file PATH or KILN_SERVE_ADMIN_TOKEN to enable it", Map.of());
            }
            String what = access == Access.ADMIN ? "the admin token" : "a token";
            if (authorization == null || authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new ServeError(401, ServeError.UNAUTHENTICATED, "this route needs " + what + ": Authorization: Bearer TOKEN", Map.of());
            }
            byte[] given = sha256(authorization.substring(7).trim());
            boolean ok = admin != null && java.security.MessageDigest.isEqual(given, admin);
            if (access == Access.MODEL) {
                ok |= java.security.MessageDigest.isEqual(given, inference);
            }
            if (!ok) {
                throw new ServeError(401, ServeError.UNAUTHENTICATED, "the bearer token is not " + (access == Access.ADMIN ? "the admin token"
                        : "valid for this server"), Map.of());
            }
        }
    }

    /**
     * The records route ({@code POST /v1/models/{name}:predict}) answered straight from a Jetty core handler placed in
     * front of Javalin's servlet stack, for the common case only: a well-formed single request with a
     * {@code Content-Length} of 1 byte to {@link #MAX_BODY_BYTES}, no {@code Expect}, a plain path, an accepted token (if
     * any), a served model, and a body that the streaming parse takes and the model scores. It runs the same code as
     * the Javalin route ({@link Routes#predictPlain}, token check, request id, meters, flags, prediction log,
     * in-flight count) and writes the same status, headers and body. Everything else (another route, an error of any
     * kind, a body that stalls or ends early) goes on to the Javalin route, with the body bytes already read replayed
     * to it, so every other answer comes from the one place that defines it.
     *
     * <p>The handler is {@linkplain org.eclipse.jetty.util.thread.Invocable.InvocationType#NON_BLOCKING non-blocking}:
     * Jetty runs it on the selector thread that parsed the request, with no hand-off to a pool thread (on the load
     * test's two cores that hand-off cost more than Kiln's own work: a bare blocking Jetty handler answered 0.47x
     * nginx's requests/s, a non-blocking one 0.77x). So it must never wait: a request whose body (at most
     * {@link #INLINE_BODY_BYTES}) has fully arrived is scored there (parsing and scoring a few rows take microseconds,
     * the log offer never blocks); one whose body is still arriving or larger, and every request it does not answer, is
     * handed to the server's thread pool, where the rest of the body is awaited and the Javalin stack (which blocks)
     * runs as it would have.
     */
    static final class FastPredict extends org.eclipse.jetty.server.Handler.Wrapper {
        /** Bodies up to this size are scored on the selector thread (a single row is under 1 KiB). */
        static final int INLINE_BODY_BYTES = 16 << 10;
        private static final String PREFIX = "/v1/models/";
        private static final String SUFFIX = ":predict";
        private final Routes routes;

        FastPredict(Routes routes) {
            this.routes = routes;
        }

        @Override
        public org.eclipse.jetty.util.thread.Invocable.InvocationType getInvocationType() {
            return org.eclipse.jetty.util.thread.Invocable.InvocationType.NON_BLOCKING;
        }

        @Override
        public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                              org.eclipse.jetty.util.Callback callback) {
            String name = routes.fastPath ? modelName(request) : null;
            if (name == null) {
                return handOn(request, response, callback, List.of(), false);
            }
            ModelHost.Slot slot = routes.models.slot(name);
            Served s = slot == null ? null : slot.canary == null && slot.bandit == null ? slot.served : routed(slot, request);
            if (s == null) {
                return handOn(request, response, callback, List.of(), false);
            }
            try {
                routes.tokens.check(Access.MODEL, request.getHeaders().get(org.eclipse.jetty.http.HttpHeader.AUTHORIZATION));
            } catch (ServeError refused) {
                return handOn(request, response, callback, List.of(), false);
            }
            long start = System.nanoTime();
            routes.inFlight.incrementAndGet(); // given back by answer(), or below if it never runs
            Body body = new Body((int) request.getLength());
            boolean arrived;
            try {
                // A large body (many rows) is read and scored on a pool thread: scored here, it would hold up the other
                // connections of this selector for as long as it takes.
                arrived = body.bytes.length <= INLINE_BODY_BYTES && body.readArrived(request);
            } catch (RuntimeException e) {
                routes.done();
                throw e;
            }
            if (arrived) {
                return answer(request, response, callback, s, body, start, false);
            }
            // The rest of the body is still on its way (or it is large): wait for it on a pool thread, never on this one.
            boolean queued = onPool(request, response, callback, () -> {
                try {
                    body.readAll(request);
                } catch (Throwable t) {
                    routes.done();
                    throw t;
                }
                return answer(request, response, callback, s, body, start, true);
            });
            if (!queued) {
                routes.done();
            }
            return true;
        }

        /**
         * Scores a request whose body has been read, or hands it on; gives back its in-flight count either way (when
         * the answer is written, or before handing on). {@code pooled}: whether this thread may block.
         */
        private boolean answer(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                               org.eclipse.jetty.util.Callback callback, Served s, Body body, long start, boolean pooled) {
            List<org.eclipse.jetty.io.Content.Chunk> replay = new ArrayList<>(2);
            boolean released = false; // this request's in-flight count given back (answered, or handed to Javalin)
            try {
                if (!body.complete()) { // stalled (idle timeout) or cut short: Javalin's route answers it
                    if (body.n > 0) {
                        replay.add(org.eclipse.jetty.io.Content.Chunk.from(java.nio.ByteBuffer.wrap(body.bytes, 0, body.n), false));
                    }
                    if (body.failure != null) {
                        replay.add(body.failure);
                    }
                    released = true;
                    routes.done(); // the Javalin route counts it from here
                    return handOn(request, response, callback, replay, pooled);
                }
                String given = request.getHeaders().get(REQUEST_ID_HEADER);
                String id = given != null && REQUEST_ID.matcher(given).matches() ? given : Routes.newRequestId();
                Exchange x = new Exchange(null, id, start);
                x.served = s;
                byte[] out;
                try {
                    out = routes.predictPlain(x, s, body.bytes);
                } catch (Exception notPlainOrRefused) { // nothing recorded yet: the Javalin route answers it
                    replay.add(org.eclipse.jetty.io.Content.Chunk.from(java.nio.ByteBuffer.wrap(body.bytes), true));
                    released = true;
                    routes.done(); // the Javalin route counts it from here
                    return handOn(request, response, callback, replay, pooled);
                }
                response.setStatus(200);
                Routes.ModelMeters m = routes.meters(s);
                // Added, not put: a fresh response has none of these. In the Javalin route's order; the constant ones
                // encoded once.
                org.eclipse.jetty.http.HttpFields.Mutable h = response.getHeaders();
                h.add(FAST_CONTENT_TYPE_FIELD);
                h.add(REQUEST_ID_HEADER, id);
                h.add(m != null ? m.versionField : new org.eclipse.jetty.http.HttpField(VERSION_HEADER, s.version()));
                h.add(new org.eclipse.jetty.http.HttpField.LongValueHttpField(org.eclipse.jetty.http.HttpHeader.CONTENT_LENGTH, out.length));
                if (m != null) {
                    m.record(0, System.nanoTime() - start);
                }
                routes.fastAnswered.increment();
                released = true; // by the write's callback
                response.write(true, java.nio.ByteBuffer.wrap(out), new org.eclipse.jetty.util.Callback.Nested(callback) {
                    @Override
                    public void succeeded() {
                        routes.done();
                        super.succeeded();
                    }

                    @Override
                    public void failed(Throwable x) {
                        routes.done();
                        super.failed(x);
                    }
                });
                return true;
            } finally {
                if (!released) {
                    routes.done();
                }
            }
        }

        /**
         * Hands the request on to Javalin, with the body bytes (and failure) already read put back in front: on this
         * thread when it may block ({@code pooled}), else on a pool thread.
         */
        private boolean handOn(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                               org.eclipse.jetty.util.Callback callback, List<org.eclipse.jetty.io.Content.Chunk> replay,
                               boolean pooled) {
            org.eclipse.jetty.server.Request r = replay.isEmpty() ? request : new Replay(request, replay);
            if (pooled) {
                return next(r, response, callback);
            }
            onPool(r, response, callback, () -> next(r, response, callback));
            return true;
        }

        /** The wrapped (Javalin) handlers, answering 404 if none takes the request and an error if they throw. */
        private boolean next(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                             org.eclipse.jetty.util.Callback callback) {
            try {
                if (!super.handle(request, response, callback)) {
                    org.eclipse.jetty.server.Response.writeError(request, response, callback, 404);
                }
            } catch (Throwable t) {
                org.eclipse.jetty.server.Response.writeError(request, response, callback, t);
            }
            return true;
        }

        /**
         * Runs {@code task} on the server's thread pool, answering 404 if it returns false and an error if it throws;
         * false (after answering 503) if the pool refuses it.
         */
        private boolean onPool(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                               org.eclipse.jetty.util.Callback callback, java.util.concurrent.Callable<Boolean> task) {
            try {
                getServer().getThreadPool().execute(() -> {
                    try {
                        if (!task.call()) {
                            org.eclipse.jetty.server.Response.writeError(request, response, callback, 404);
                        }
                    } catch (Throwable t) {
                        org.eclipse.jetty.server.Response.writeError(request, response, callback, t);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException full) {
                org.eclipse.jetty.server.Response.writeError(request, response, callback, 503);
                return false;
            }
            return true;
        }

        /** The model named by a request the fast path may take; null for anything else. */
        /** The model or canary of a slot that has a canary, for this request's routing key. */
        private static Served routed(ModelHost.Slot slot, org.eclipse.jetty.server.Request request) {
            return ModelHost.route(slot, Routes.routeKey(request.getHeaders().get(ROUTE_KEY_HEADER), request.getHeaders().get(REQUEST_ID_HEADER)));
        }

        private static String modelName(org.eclipse.jetty.server.Request request) {
            if (!org.eclipse.jetty.http.HttpMethod.POST.is(request.getMethod())) {
                return null;
            }
            String path = request.getHttpURI().getPath();
            if (path == null || path.length() <= PREFIX.length() + SUFFIX.length() || !path.startsWith(PREFIX) || !path.endsWith(SUFFIX)) {
                return null;
            }
            long length = request.getLength();
            if (length <= 0 || length > MAX_BODY_BYTES || request.getHeaders().contains(org.eclipse.jetty.http.HttpHeader.EXPECT)) {
                return null;
            }
            String name = path.substring(PREFIX.length(), path.length() - SUFFIX.length());
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c == '/' || c == '%' || c == ';' || c <= ' ' || c >= 0x7f) {
                    return null; // let Javalin match and decode it
                }
            }
            return name;
        }
    }

    /** A request body of known length being read: the bytes so far, and how the reading ended. */
    private static final class Body {
        final byte[] bytes;
        int n;
        boolean last;
        org.eclipse.jetty.io.Content.Chunk failure;

        Body(int length) {
            bytes = new byte[length];
        }

        /** Whether the whole body has been read. */
        boolean complete() {
            return n == bytes.length;
        }

        /** Reads what has arrived, never waiting; true when the reading is over (all bytes, the end, or a failure). */
        boolean readArrived(org.eclipse.jetty.server.Request request) {
            while (n < bytes.length && !last && failure == null) {
                org.eclipse.jetty.io.Content.Chunk c = request.read();
                if (c == null) {
                    return false;
                }
                if (org.eclipse.jetty.io.Content.Chunk.isFailure(c)) {
                    failure = c;
                    break;
                }
                java.nio.ByteBuffer buf = c.getByteBuffer();
                int k = Math.min(buf.remaining(), bytes.length - n);
                buf.get(bytes, n, k);
                n += k;
                last = c.isLast();
                c.release();
            }
            return true;
        }

        /** Reads until the reading is over, waiting for the bytes to arrive (pool threads only). */
        void readAll(org.eclipse.jetty.server.Request request) throws java.io.IOException {
            while (!readArrived(request)) {
                try (org.eclipse.jetty.util.Blocker.Runnable b = org.eclipse.jetty.util.Blocker.runnable()) {
                    request.demand(b);
                    b.block();
                }
            }
        }
    }

    /** The Content-Type the fast path answers with: the one the Javalin route's answers carry. */
    static final String FAST_CONTENT_TYPE = "application/json";
    private static final org.eclipse.jetty.http.HttpField FAST_CONTENT_TYPE_FIELD =
            new org.eclipse.jetty.http.PreEncodedHttpField(org.eclipse.jetty.http.HttpHeader.CONTENT_TYPE, FAST_CONTENT_TYPE);

    /** A request whose first body chunks are given (already read from it), then the request's own. */
    private static final class Replay extends org.eclipse.jetty.server.Request.Wrapper {
        private final java.util.ArrayDeque<org.eclipse.jetty.io.Content.Chunk> chunks;

        Replay(org.eclipse.jetty.server.Request request, List<org.eclipse.jetty.io.Content.Chunk> chunks) {
            super(request);
            this.chunks = new java.util.ArrayDeque<>(chunks);
        }

        @Override
        public org.eclipse.jetty.io.Content.Chunk read() {
            synchronized (chunks) {
                org.eclipse.jetty.io.Content.Chunk c = chunks.poll();
                if (c != null) {
                    return c;
                }
            }
            return super.read();
        }

        @Override
        public void demand(Runnable demandCallback) {
            boolean ready;
            synchronized (chunks) {
                ready = !chunks.isEmpty();
            }
            if (ready) {
                demandCallback.run();
            } else {
                super.demand(demandCallback);
            }
        }
    }

    static final class Routes {
        private final ModelHost models;
        private final PrometheusMeterRegistry registry;
        private final PredictionLog log;
        private final Tokens tokens;
        private final ModelRepository repository;
        volatile boolean shuttingDown;
        final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        /** Whether {@link FastPredict} answers the requests it can (tests turn it off to compare with the Javalin route). */
        volatile boolean fastPath = !Boolean.getBoolean("kiln.serve.noFastPath");
        /** Requests answered by {@link FastPredict}. */
        final java.util.concurrent.atomic.LongAdder fastAnswered = new java.util.concurrent.atomic.LongAdder();

        Routes(ModelHost models, PrometheusMeterRegistry registry, PredictionLog log, Tokens tokens, ModelRepository repository) {
            this.models = models;
            this.registry = registry;
            this.log = log;
            this.tokens = tokens;
            this.repository = repository;
            this.shadows = log == null ? null : new ShadowScorer(log, registry, ShadowScorer.DEFAULT_CAPACITY);
            this.rollouts = new CanaryRollout(models, this::stats, registry);
        }

        /** Progressive rollouts of canaries, compared on this server's meters. */
        final CanaryRollout rollouts;

        /** Scores copies of requests with their models' shadows; null without a prediction log (shadows are only logged). */
        final ShadowScorer shadows;

        /**
         * Offers one record per row to the prediction log (never blocks; a full queue drops and counts): a compact
         * {@link PredictionLog.Row} referring to what the request already holds (the instance as sent, the prediction,
         * its flags); the writer thread turns it into the JSON line (time text included). {@code inputs}: per row, a
         * map or a JSON object as sent, an {@code Object[]} aligned with {@code fields}, or a {@link PredictionLog.Sent}.
         */
        private void logPredictions(Exchange x, Served s, String id, List<Field> fields, List<?> inputs, List<Prediction> predictions,
                                    List<List<InputChecks.Flag>> flags) {
            logPredictions(x, s, id, fields, inputs, predictions, flags, null);
        }

        /** As above, each row with its explanation ({@code explanations}: one map per row, or null for none). */
        private void logPredictions(Exchange x, Served s, String id, List<Field> fields, List<?> inputs, List<Prediction> predictions,
                                    List<List<InputChecks.Flag>> flags, List<Map<String, Object>> explanations) {
            if (models.hasBandits()) {
                rememberArm(x, s);
            }
            if (log == null) {
                return;
            }
            double latencyMs = (System.nanoTime() - x.startNanos) / 1e6;
            java.time.Instant time = java.time.Instant.now();
            String logId = id != null && !id.equals(x.requestId) ? id : null;
            for (int i = 0; i < predictions.size(); i++) {
                Prediction p = predictions.get(i);
                log.offer(new PredictionLog.Row(x.requestId, logId, time, s.name(), s.version(), i, fields, inputs.get(i),
                        p.prediction(), p.probabilities(), flags.get(i), latencyMs,
                        explanations == null ? null : explanations.get(i)));
            }
            if (models.hasShadows()) {
                offerShadow(x, s, time, fields, inputs, predictions);
            }
        }

        /** Remembers which arm of its model's bandit answered a request, for the reward that may follow. */
        private void rememberArm(Exchange x, Served s) {
            ModelHost.Slot slot = models.slot(s.name());
            Bandit bandit = slot == null ? null : slot.bandit;
            if (bandit != null) {
                bandit.answered(x.requestId, s);
            }
        }

        /** Per model and version: the counter of rewards credited to a bandit arm, with the gauge of its mean reward. */
        private final Map<String, Counter> banditRewards = new java.util.concurrent.ConcurrentHashMap<>();

        private void credit(Served model, JsonNode requestId, JsonNode modelVersion, double reward) {
            ModelHost.Slot slot = models.slot(model.name());
            Bandit bandit = slot == null ? null : slot.bandit;
            if (bandit == null) {
                return;
            }
            String version = bandit.reward(requestId.asText(), modelVersion != null && modelVersion.isTextual() ? modelVersion.asText() : null,
                    reward);
            String name = model.name();
            String v = version == null ? "" : version;
            banditRewards.computeIfAbsent(name + '\u0000' + v, k -> {
                if (version != null) {
                    Gauge.builder("kiln.bandit.mean.reward", () -> models.bandit(name).map(b -> {
                        Bandit.Arm arm = b.arm(version);
                        return arm == null ? Double.NaN : b.posteriors().get(b.arms().indexOf(arm)).mean();
                    }).orElse(Double.NaN)).description("Posterior mean reward of a bandit arm").tag("model", name).tag("version", version)
                            .register(registry);
                }
                return Counter.builder("kiln.bandit.rewards").description("Rewards credited to bandit arms (version \"\": to none)")
                        .tag("model", name).tag("version", v).register(registry);
            }).increment();
        }

        /** Hands a copy of a logged request to the shadow of its model, if it has one (kept out of the hot method). */
        private void offerShadow(Exchange x, Served s, java.time.Instant time, List<Field> fields, List<?> inputs,
                                 List<Prediction> predictions) {
            ModelHost.Slot slot = models.slot(s.name());
            Served shadow = slot == null ? null : slot.shadow;
            if (shadow != null) {
                List<Object> served = new ArrayList<>(predictions.size());
                for (Prediction p : predictions) {
                    served.add(p.prediction());
                }
                shadows.offer(new ShadowScorer.Job(shadow, s.version(), served, x.requestId, time, fields, inputs));
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
                count(s, flags);
                out.add(flags);
            }
            return out;
        }

        /** Counts flags in {@code kiln_input_flags_total{model,column,reason}}. */
        private void count(Served s, List<InputChecks.Flag> flags) {
            for (InputChecks.Flag f : flags) {
                Counter.builder("kiln.input.flags")
                        .description("Input values outside the training range or unseen in training, by model, column and reason")
                        .tag("model", s.name()).tag("column", f.column()).tag("reason", f.reason())
                        .register(registry).increment();
            }
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
        Handler wrap(Access access, boolean scoring, Action action) {
            return ctx -> {
                inFlight.incrementAndGet();
                try {
                    handle(access, scoring, action, ctx);
                } finally {
                    done();
                }
            };
        }

        /** One request fewer in flight (wakes {@link #awaitIdle} waiters at zero). */
        void done() {
            if (inFlight.decrementAndGet() == 0) {
                synchronized (inFlight) {
                    inFlight.notifyAll();
                }
            }
        }

        private void handle(Access access, boolean scoring, Action action, Context ctx) throws Exception {
            {
                long start = System.nanoTime();
                Exchange x = exchange(ctx);
                int status;
                try {
                    tokens.check(access, ctx.header("Authorization"));
                    Object out = action.handle(x);
                    status = out instanceof Reply reply ? reply.status() : 200;
                    Object body = out instanceof Reply reply ? reply.body() : out;
                    ctx.header(VERSION_HEADER, x.served != null ? x.served.version() : versionSummary());
                    send(ctx, status, body instanceof byte[] b ? b : MAPPER.writeValueAsBytes(body));
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
                    if (status == 401) {
                        ctx.header("WWW-Authenticate", "Bearer realm=\"kiln\"");
                    }
                    fail(ctx, error);
                }
                if (scoring && x.served != null) {
                    ModelMeters m = meters(x.served);
                    if (m != null) {
                        m.record(status < 400 ? 0 : status < 500 ? 1 : 2, System.nanoTime() - start);
                    }
                }
            }
        }

        /** The request meters of one model at one version, looked up once (not per request). */
        private final class ModelMeters {
            private final Served served;
            private final String version;
            /** success, client_error, server_error: registered on first use (no zero series for outcomes never seen). */
            private final Counter[] outcomes = new Counter[3];
            private final Timer latency;
            /** The fast path's Kiln-Model-Version header for this version, encoded once. */
            final org.eclipse.jetty.http.HttpField versionField;

            ModelMeters(Served served) {
                this.served = served;
                this.version = served.version();
                this.versionField = new org.eclipse.jetty.http.PreEncodedHttpField(VERSION_HEADER, version);
                this.latency = Timer.builder("kiln.request").description("Scoring request latency, by model")
                        .tag("model", served.name()).publishPercentileHistogram().register(registry);
            }

            String version() {
                return version;
            }

            /** Requests by outcome and their total time in nanoseconds, for a canary rollout's comparisons. */
            private final java.util.concurrent.atomic.LongAdder[] counts = {new java.util.concurrent.atomic.LongAdder(),
                    new java.util.concurrent.atomic.LongAdder(), new java.util.concurrent.atomic.LongAdder()};
            private final java.util.concurrent.atomic.LongAdder nanos = new java.util.concurrent.atomic.LongAdder();

            /** One scoring request's outcome (0 success, 1 client error, 2 server error) and latency. */
            void record(int outcome, long latencyNanos) {
                count(outcome);
                latency.record(latencyNanos, TimeUnit.NANOSECONDS);
                counts[outcome].increment();
                nanos.add(latencyNanos);
            }

            CanaryRollout.Stats stats() {
                return new CanaryRollout.Stats(counts[0].sum(), counts[1].sum(), counts[2].sum(), nanos.sum());
            }

            void count(int outcome) {
                Counter c = outcomes[outcome];
                if (c == null) {
                    c = requests(served, OUTCOMES[outcome]);
                    outcomes[outcome] = c; // a race registers the same counter twice: the registry returns one
                }
                c.increment();
            }
        }

        /** The request counts of {@code name} at {@code version} so far (zeros when it has no meters yet). */
        CanaryRollout.Stats stats(String name, String version) {
            ModelMeters m = meters.get(name);
            if (m == null || !m.version().equals(version)) {
                m = sideMeters.get(sideKey(name, version));
            }
            return m == null ? CanaryRollout.Stats.ZERO : m.stats();
        }

        private static final String[] OUTCOMES = {"success", "client_error", "server_error"};

        /** Per model name: the meters of the version served last (rebuilt when the version changes). */
        final Map<String, ModelMeters> meters = new java.util.concurrent.ConcurrentHashMap<>();
        /**
         * Per model name and version: the meters of its other versions serving (a canary, bandit arms), kept apart so
         * that versions answering side by side do not evict each other's.
         */
        final Map<String, ModelMeters> sideMeters = new java.util.concurrent.ConcurrentHashMap<>();

        private static String sideKey(String name, String version) {
            return name + '\u0000' + version;
        }

        /** Drops the side meters of {@code name} (its series stay registered until the name is unloaded). */
        private void dropSideMeters(String name) {
            sideMeters.keySet().removeIf(k -> k.startsWith(name + '\u0000'));
        }

        /** The meters of a snapshot; null when its model was unloaded meanwhile (no series reappear for it). */
        private ModelMeters meters(Served s) {
            ModelMeters m = meters.get(s.name());
            if (m != null && m.version().equals(s.version())) {
                return m;
            }
            Served served = models.get(s.name()).orElse(null);
            if (served == null) {
                return null;
            }
            if (served.version().equals(s.version())) {
                m = new ModelMeters(s);
                meters.put(s.name(), m);
                return m;
            }
            return sideMeters.computeIfAbsent(sideKey(s.name(), s.version()), k -> new ModelMeters(s));
        }

        private Counter requests(Served s, String outcome) {
            return Counter.builder("kiln.requests").description("Scoring requests, by model, version and outcome")
                    .tag("model", s.name()).tag("version", s.version()).tag("outcome", outcome).register(registry);
        }

        /** The routing key of a request: the one it names, else its request id (either may be null). */
        static String routeKey(String key, String requestId) {
            return key != null && !key.isEmpty() ? key : requestId;
        }

        /**
         * A random (version 4) UUID from {@link java.util.concurrent.ThreadLocalRandom}: request ids need to be unique,
         * not unpredictable, and {@link UUID#randomUUID()} draws on a shared {@link java.security.SecureRandom}.
         */
        static String newRequestId() {
            java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
            long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
            long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
            return new UUID(msb, lsb).toString();
        }

        /**
         * Writes a JSON body straight to the response with its length (one write; no copy through Javalin's result
         * stream).
         */
        private static void send(Context ctx, int status, byte[] bytes) throws java.io.IOException {
            ctx.status(status).contentType("application/json");
            jakarta.servlet.http.HttpServletResponse res = ctx.res();
            res.setContentLength(bytes.length);
            res.getOutputStream().write(bytes);
        }

        private static Exchange exchange(Context ctx) {
            Exchange x = ctx.attribute(EXCHANGE);
            if (x == null) {
                String given = ctx.header(REQUEST_ID_HEADER);
                String id = given != null && REQUEST_ID.matcher(given).matches() ? given : newRequestId();
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
                s = models.get(name, version).orElseThrow(() -> new ServeError(404, ServeError.MODEL_VERSION_NOT_FOUND, "model '"
                        + name + "' is served at " + servedVersions(name) + ", not " + version, Map.of("model", name, "version", version)));
            }
            x.served = s;
            return s;
        }

        /**
         * The snapshot that scores this request: as {@link #serve}, except that without a version the model's canary
         * (if any) answers its share of routing keys.
         */
        private Served route(Exchange x, String version) {
            Served s = serve(x, version);
            if (version == null) {
                ModelHost.Slot slot = models.slot(s.name());
                if (slot != null && (slot.canary != null || slot.bandit != null)) {
                    Served routed = ModelHost.route(slot, routeKey(x.ctx.header(ROUTE_KEY_HEADER), x.requestId));
                    if (routed != null) {
                        x.served = routed;
                        return routed;
                    }
                }
            }
            return s;
        }

        /** The versions a name is served at: {@code version N}, or {@code versions N and M (canary, P%)}. */
        private String servedVersions(String name) {
            String v = models.get(name).map(Served::version).orElse("?");
            ModelHost.Canary c = models.canary(name).orElse(null);
            return c == null ? "version " + v : "versions " + v + " and " + c.served().version() + " (canary, " + c.percent() + "%)";
        }

        Object serverMetadata() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("name", "kiln");
            out.put("version", KilnVersion.get());
            out.put("extensions", repository != null ? List.of("model_repository") : List.of());
            return out;
        }

        // -------------------------------------------------------------- model repository (admin)

        Object repositoryIndex(Exchange x) {
            List<Map<String, Object>> index = repository.index();
            for (Map<String, Object> entry : index) {
                if (entry.get("canary") instanceof Map<?, ?> canary) {
                    rollouts.status(String.valueOf(entry.get("name"))).ifPresent(st -> {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> c = (Map<String, Object>) canary;
                        c.put("rollout", st.toMap());
                    });
                }
            }
            return index;
        }

        /** Body optional: {@code {"parameters": {"ref": "credit@staging" | "/abs/bundle/dir"}}}. */
        Object repositoryLoad(Exchange x) {
            String name = x.ctx.pathParam("name");
            String ref = null;
            if (x.ctx.req().getContentLengthLong() != 0) {
                byte[] raw = readBytes(x.ctx);
                if (raw.length > 0) {
                    JsonNode body = parse(raw);
                    JsonNode params = body.get("parameters");
                    JsonNode r = params == null ? null : params.get("ref");
                    if (params != null && !params.isObject() || r != null && !r.isTextual()) {
                        throw badRequest(ErrorCode.INVALID_ARGUMENT, "the body is {\"parameters\": {\"ref\": \"REF\"}} with REF a registry "
                                + "reference or an absolute bundle directory", Map.of("field", "parameters.ref"));
                    }
                    ref = r == null ? null : r.asText();
                }
            }
            Served s = repository.load(name, ref);
            x.served = s;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("name", s.name());
            out.put("version", s.version());
            out.put("state", ModelRepository.READY);
            return out;
        }

        /**
         * {@code PUT}: body {@code {"ref": "credit@staging" | "/abs/bundle/dir", "percent": 10}} (either may be left
         * out: no ref changes the share of the canary there, no percent keeps it); {@code DELETE}: no body.
         */
        Object repositoryCanary(Exchange x) {
            String name = x.ctx.pathParam("name");
            if (x.ctx.method() == HandlerType.DELETE) {
                rollouts.stop(name);
                ModelHost.Canary c = repository.removeCanary(name);
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("name", name);
                out.put("removed_version", c.served().version());
                return out;
            }
            JsonNode body = parse(readBytes(x.ctx));
            if (!body.isObject()) {
                throw badRequest(ErrorCode.INVALID_ARGUMENT, "the body is a JSON object: {\"ref\": REF, \"percent\": P}", Map.of());
            }
            for (java.util.Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!f.equals("ref") && !f.equals("percent") && !f.equals("steps") && !f.equals("interval_seconds")) {
                    throw badRequest(ErrorCode.INVALID_ARGUMENT, "unknown field \"" + f + "\": a canary takes \"ref\", \"percent\", "
                            + "\"steps\" and \"interval_seconds\"", Map.of("field", f));
                }
            }
            JsonNode ref = body.get("ref");
            JsonNode percent = body.get("percent");
            if (ref != null && !ref.isTextual()) {
                throw badRequest(ErrorCode.VALUE_INVALID, "\"ref\" must be a registry reference or an absolute bundle directory, as a string",
                        Map.of("field", "ref"));
            }
            if (percent != null && !percent.isNumber()) {
                throw badRequest(ErrorCode.VALUE_INVALID, "\"percent\" must be a number from 0 to 100", Map.of("field", "percent"));
            }
            if (ref == null && percent == null && body.get("steps") == null) {
                throw badRequest(ErrorCode.INVALID_ARGUMENT, "name the canary (\"ref\"), its share (\"percent\") or its rollout "
                        + "(\"steps\")", Map.of("field", "ref"));
            }
            CanaryRollout.Plan plan = rolloutPlan(body);
            if (plan != null && percent != null) {
                throw badRequest(ErrorCode.INVALID_ARGUMENT, "give \"percent\" or \"steps\": a rollout sets the share itself",
                        Map.of("field", "percent"));
            }
            Double share = null; // null: the canary's current share, else the default
            if (percent != null) {
                share = percent.asDouble();
            } else if (plan != null) {
                share = plan.steps().get(0) / 100.0;
            }
            Served s = repository.setCanary(name, ref == null ? null : ref.asText(), share, false);
            if (plan != null) {
                rollouts.start(name, plan);
            } else if (percent != null || ref != null) {
                rollouts.stop(name); // set by hand
            }
            ModelHost.Canary c = models.canary(name).orElseThrow();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("name", name);
            out.put("version", models.get(name).map(Served::version).orElse(""));
            out.put("canary_version", s.version());
            out.put("percent", c.percent());
            rollouts.status(name).ifPresent(st -> out.put("rollout", st.toMap()));
            return out;
        }

        /** The rollout a canary body asks for ({@code "steps"}: percents; {@code "interval_seconds"}, default 60), or null. */
        private static CanaryRollout.Plan rolloutPlan(JsonNode body) {
            JsonNode steps = body.get("steps");
            JsonNode interval = body.get("interval_seconds");
            if (steps == null) {
                if (interval != null) {
                    throw badRequest(ErrorCode.INVALID_ARGUMENT, "\"interval_seconds\" goes with \"steps\"", Map.of("field", "interval_seconds"));
                }
                return null;
            }
            if (!steps.isArray() || steps.isEmpty()) {
                throw badRequest(ErrorCode.VALUE_INVALID, "\"steps\" must be a non-empty array of percentages, e.g. [5, 25, 50, 100]",
                        Map.of("field", "steps"));
            }
            List<Double> percents = new ArrayList<>();
            for (JsonNode p : steps) {
                if (!p.isNumber()) {
                    throw badRequest(ErrorCode.VALUE_INVALID, "\"steps\" holds numbers, not " + p, Map.of("field", "steps"));
                }
                percents.add(p.asDouble());
            }
            if (interval != null && (!interval.isNumber() || !(interval.asDouble() > 0))) {
                throw badRequest(ErrorCode.VALUE_INVALID, "\"interval_seconds\" must be a positive number", Map.of("field", "interval_seconds"));
            }
            double seconds = interval == null ? 60 : interval.asDouble();
            return CanaryRollout.Plan.of(percents, java.time.Duration.ofMillis(Math.max(1, Math.round(seconds * 1000))));
        }

        /** {@code PUT}: body {@code {"refs": ["credit:3", "credit:4", ...]}}; {@code DELETE}: no body. */
        Object repositoryBandit(Exchange x) {
            String name = x.ctx.pathParam("name");
            if (x.ctx.method() == HandlerType.DELETE) {
                Bandit removed = repository.removeBandit(name);
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("name", name);
                out.put("removed_arms", removed.describe());
                return out;
            }
            if (log == null) {
                throw badRequest(ErrorCode.INVALID_ARGUMENT, "this server keeps no prediction log, so it takes no feedback, and a "
                        + "bandit learns from feedback: start it without --no-log", Map.of("model", name));
            }
            JsonNode body = parse(readBytes(x.ctx));
            if (!body.isObject()) {
                throw badRequest(ErrorCode.INVALID_ARGUMENT, "the body is a JSON object: {\"refs\": [REF, REF, ...]}", Map.of());
            }
            for (java.util.Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!f.equals("refs")) {
                    throw badRequest(ErrorCode.INVALID_ARGUMENT, "unknown field \"" + f + "\": a bandit takes \"refs\"", Map.of("field", f));
                }
            }
            JsonNode refs = body.get("refs");
            if (refs == null || !refs.isArray()) {
                throw badRequest(ErrorCode.VALUE_INVALID, "\"refs\" must be an array of registry references or absolute bundle "
                        + "directories, at least two", Map.of("field", "refs"));
            }
            List<String> list = new ArrayList<>();
            for (JsonNode r : refs) {
                if (!r.isTextual()) {
                    throw badRequest(ErrorCode.VALUE_INVALID, "\"refs\" holds strings, not " + r, Map.of("field", "refs"));
                }
                list.add(r.asText());
            }
            Bandit bandit = repository.setBandit(name, list, false);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("name", name);
            out.put("arms", bandit.describe());
            return out;
        }

        /** {@code PUT}: body {@code {"ref": "credit@staging" | "/abs/bundle/dir"}}; {@code DELETE}: no body. */
        Object repositoryShadow(Exchange x) {
            String name = x.ctx.pathParam("name");
            if (x.ctx.method() == HandlerType.DELETE) {
                Served removed = repository.removeShadow(name);
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("name", name);
                out.put("removed_version", removed.version());
                return out;
            }
            if (shadows == null) {
                throw badRequest(ErrorCode.INVALID_ARGUMENT, "this server keeps no prediction log, and a shadow's answers go only "
                        + "there: start it without --no-log", Map.of("model", name));
            }
            JsonNode body = parse(readBytes(x.ctx));
            if (!body.isObject()) {
                throw badRequest(ErrorCode.INVALID_ARGUMENT, "the body is a JSON object: {\"ref\": REF}", Map.of());
            }
            for (java.util.Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!f.equals("ref")) {
                    throw badRequest(ErrorCode.INVALID_ARGUMENT, "unknown field \"" + f + "\": a shadow takes \"ref\"", Map.of("field", f));
                }
            }
            JsonNode ref = body.get("ref");
            if (ref == null || !ref.isTextual()) {
                throw badRequest(ErrorCode.VALUE_INVALID, "\"ref\" must be a registry reference or an absolute bundle directory, as a string",
                        Map.of("field", "ref"));
            }
            Served s = repository.setShadow(name, ref.asText(), false);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("name", name);
            out.put("version", models.get(name).map(Served::version).orElse(""));
            out.put("shadow_version", s.version());
            return out;
        }

        Object repositoryUnload(Exchange x) {
            String name = x.ctx.pathParam("name");
            Served s = repository.unload(name);
            meters.remove(name);
            dropSideMeters(name);
            for (io.micrometer.core.instrument.Meter m : registry.getMeters()) {
                if (name.equals(m.getId().getTag("model"))) {
                    registry.remove(m);
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("name", name);
            out.put("version", s.version());
            out.put("state", ModelRepository.UNAVAILABLE);
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
            Map<String, Map<String, Object>> ranges = trainingRanges(s.model());
            for (Field f : s.model().requiredFields()) {
                Map<String, Object> t = tensorMeta(f.name(), datatype(f.type()));
                Map<String, Object> p = ranges.get(f.name());
                if (p != null && !p.isEmpty()) {
                    t.put("parameters", p);
                }
                inputs.add(t);
            }
            List<Object> outputs = new ArrayList<>();
            outputs.add(tensorMeta(PREDICTION, s.model().task().isClassification() ? "BYTES" : "FP64"));
            for (String c : s.model().classes()) {
                outputs.add(tensorMeta(PROBABILITY_PREFIX + c, "FP64"));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("name", s.name());
            List<String> versions = new ArrayList<>(List.of(models.get(s.name()).map(Served::version).orElse(s.version())));
            models.canary(s.name()).map(c -> c.served().version()).filter(v -> !versions.contains(v)).ifPresent(versions::add);
            models.bandit(s.name()).ifPresent(b -> b.arms().stream().map(a -> a.served().version()).filter(v -> !versions.contains(v))
                    .forEach(versions::add));
            out.put("versions", versions);
            out.put("platform", "kiln");
            out.put("inputs", inputs);
            out.put("outputs", outputs);
            return out;
        }

        /** At most this many known categories are listed per input in the model metadata. */
        static final int MAX_LISTED_CATEGORIES = 50;

        /**
         * Per input column, what the bundle's reference profile says about the training data: {@code training_min} and
         * {@code training_max} for numeric and integer columns; {@code training_categories} (the most frequent first, at
         * most {@link #MAX_LISTED_CATEGORIES}; {@code training_categories_truncated} when there were more) for
         * categorical and boolean ones; {@code training_missing_fraction}. Empty without a profile.
         */
        static Map<String, Map<String, Object>> trainingRanges(dev.kiln.runtime.KilnModel model) {
            Map<String, Map<String, Object>> out = new HashMap<>();
            dev.kiln.runtime.profile.DatasetProfile profile = model.bundle().referenceProfile();
            if (profile == null || profile.columns() == null) {
                return out;
            }
            Map<String, ColumnType> schema = new HashMap<>();
            for (Field f : model.requiredFields()) {
                schema.put(f.name(), f.type());
            }
            for (dev.kiln.runtime.profile.ColumnProfile c : profile.columns()) {
                ColumnType t = schema.get(c.name());
                if (t == null) {
                    continue;
                }
                Map<String, Object> p = new LinkedHashMap<>();
                if ((t == ColumnType.NUMERIC || t == ColumnType.INTEGER) && c.min() != null && c.max() != null
                        && Double.isFinite(c.min()) && Double.isFinite(c.max())) {
                    p.put("training_min", t == ColumnType.INTEGER && c.min() == Math.rint(c.min()) ? (Object) c.min().longValue() : c.min());
                    p.put("training_max", t == ColumnType.INTEGER && c.max() == Math.rint(c.max()) ? (Object) c.max().longValue() : c.max());
                } else if ((t == ColumnType.CATEGORICAL || t == ColumnType.BOOLEAN) && c.topCategories() != null) {
                    List<String> cats = new ArrayList<>();
                    for (dev.kiln.runtime.profile.ColumnProfile.CategoryCount cc : c.topCategories()) {
                        if (cats.size() < MAX_LISTED_CATEGORIES) {
                            cats.add(cc.value());
                        }
                    }
                    p.put("training_categories", cats);
                    p.put("training_categories_truncated", c.distinct() > cats.size());
                }
                if (!p.isEmpty()) {
                    p.put("training_missing_fraction", c.missingFraction());
                    out.put(c.name(), p);
                }
            }
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
            Served s = route(x, version);
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
            logPredictions(x, s, id != null && id.isTextual() ? id.asText() : null, fields, batch, predictions, flags);
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

        /** Marks a value absent from an instance (not the same as a JSON null, which means missing and is imputed). */
        private static final Object ABSENT = new Object();

        /** Thrown by the streaming parse for anything but a plain well-formed request: the tree path then answers. */
        private static final class NotPlain extends Exception {
            NotPlain() {
                super(null, null, false, false);
            }
        }

        private static final NotPlain NOT_PLAIN = new NotPlain();

        /**
         * The records route. Plain well-formed requests are parsed as a stream straight into one value array per
         * instance (aligned with the model's columns) and scored without per-row maps; anything else (malformed JSON,
         * a missing or empty {@code instances}, a non-object instance, an array or object as a column value, a number
         * beyond 64 bits) goes through {@link #predictTree}, whose answers (errors included) define the route.
         */
        Object predict(Exchange x) throws java.io.IOException {
            Served s = route(x, null);
            if (x.ctx.req().getContentLengthLong() > MAX_BODY_BYTES) {
                return predictTree(x, s, readBody(x.ctx));
            }
            byte[] bytes = readBytes(x.ctx);
            try {
                return predictPlain(x, s, bytes);
            } catch (NotPlain | java.io.IOException e) {
                return predictTree(x, s, parse(bytes));
            }
        }

        /**
         * The records route for a plain well-formed body (see {@link #predict}): the answer's bytes. Throws
         * {@link NotPlain} (or the parser's IOException) for anything else, and a {@link ServeError} for a value the
         * model refuses; every such throw happens before any side effect (flag counters, prediction log), so a caller
         * may answer the request another way afterwards (the Jetty fast path hands it to the Javalin route).
         */
        byte[] predictPlain(Exchange x, Served s, byte[] bytes) throws java.io.IOException, NotPlain {
            List<Field> fields = s.model().requiredFields();
            List<Object[]> rows;
            List<Object> sent = log == null ? null : new ArrayList<>(2);
            InputChecks checks = models.checks(s);
            rows = RecordsReader.read(bytes, checks, fields.size());
            if (rows == null) {
                rows = streamInstances(bytes, fields, checks, sent);
            } else if (sent != null) {
                sent.addAll(rows); // every instance had exactly the model's columns, in its order
            }
            dev.kiln.runtime.KilnModel model = s.model();
            int width = model.featureNames().size();
            double[][] features = new double[rows.size()][width];
            for (int i = 0; i < rows.size(); i++) {
                Object[] raw = rows.get(i);
                Object[] values = new Object[raw.length];
                try {
                    for (int c = 0; c < raw.length; c++) {
                        Field f = fields.get(c);
                        if (raw[c] == ABSENT) {
                            throw new KilnException(ErrorCode.COLUMN_MISSING, "column '" + f.name() + "' is missing", Map.of("column", f.name()));
                        }
                        values[c] = dev.kiln.runtime.schema.Values.coerce(f, raw[c]);
                    }
                    model.encodeValues(values, features[i]);
                } catch (KilnException e) {
                    // As KilnModel.predictBatch reports it, then as the tree path answers it.
                    Map<String, Object> details = new LinkedHashMap<>(e.details());
                    details.remove("row");
                    details.put("instance", i);
                    throw new ServeError(e.code().category().httpStatus(), e.code().wireName(), "instance " + i + ": " + e.getMessage(), details);
                }
            }
            double[][] scores = rows.size() == 1 ? new double[][] {model.score(features[0])} : model.scoreBatch(features);
            List<Prediction> predictions = new ArrayList<>(scores.length);
            for (double[] sc : scores) {
                predictions.add(model.decode(sc));
            }
            List<List<InputChecks.Flag>> flags = new ArrayList<>(rows.size());
            for (Object[] raw : rows) {
                flags.add(checks.isEmpty() ? List.of() : checks.check(raw));
            }
            boolean flagged = false;
            for (List<InputChecks.Flag> f : flags) {
                flagged |= !f.isEmpty();
            }
            byte[] plain = flagged ? null : PlainJson.predictions(predictions, s.name(), s.version(), x.requestId);
            byte[] body = plain != null ? plain : generatedBody(predictions, flags, s.name(), s.version(), x.requestId);
            // Side effects only from here on (the answer is decided).
            for (List<InputChecks.Flag> f : flags) {
                count(s, f);
            }
            if (sent != null) {
                logPredictions(x, s, null, fields, sent, predictions, flags);
            }
            return body;
        }

        /** The records answer through Jackson's generator: what {@link PlainJson} does not write itself (flags, escapes...). */
        static byte[] generatedBody(List<Prediction> predictions, List<List<InputChecks.Flag>> flags, String model,
                                    String version, String requestId) throws java.io.IOException {
            java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream(256 + 160 * predictions.size());
            try (com.fasterxml.jackson.core.JsonGenerator g = MAPPER.getFactory().createGenerator(buf)) {
                g.setCodec(MAPPER);
                g.writeStartObject();
                g.writeArrayFieldStart("predictions");
                for (int i = 0; i < predictions.size(); i++) {
                    Prediction p = predictions.get(i);
                    g.writeStartObject();
                    // Strings and doubles written directly (the same bytes the mapper writes for them, without its lookups).
                    Object predicted = p.prediction();
                    if (predicted instanceof String str) {
                        g.writeStringField(PREDICTION, str);
                    } else {
                        g.writeObjectField(PREDICTION, predicted);
                    }
                    for (Map.Entry<String, Double> e : p.probabilities().entrySet()) {
                        Double prob = e.getValue();
                        if (prob != null) {
                            g.writeNumberField(PROBABILITY_PREFIX + e.getKey(), prob.doubleValue());
                        } else {
                            g.writeNullField(PROBABILITY_PREFIX + e.getKey());
                        }
                    }
                    if (!flags.get(i).isEmpty()) {
                        g.writeObjectField("flags", flagMaps(flags.get(i), -1));
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeStringField("model_name", model);
                g.writeStringField("model_version", version);
                g.writeStringField("request_id", requestId);
                g.writeEndObject();
            }
            return buf.toByteArray();
        }

        /**
         * Reads {@code {"instances": [{...}, ...]}} as a stream: one array of raw values (String, Boolean, Long, Double,
         * null, or {@link #ABSENT}) per instance, aligned with {@code fields}; with {@code sent}, each instance as sent
         * too, for the prediction log: the same array when the instance had exactly the model's columns in the model's
         * order (nothing more is kept), else a {@link PredictionLog.Sent} (the array, the other fields, the key order).
         */
        static List<Object[]> streamInstances(byte[] bytes, List<Field> fields, InputChecks checks,
                                              List<Object> sent) throws java.io.IOException, NotPlain {
            List<Object[]> rows = null;
            try (com.fasterxml.jackson.core.JsonParser p = MAPPER.getFactory().createParser(bytes)) {
                if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                    throw NOT_PLAIN;
                }
                com.fasterxml.jackson.core.JsonToken t;
                while ((t = p.nextToken()) == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    t = p.nextToken();
                    if (!key.equals("instances")) {
                        p.skipChildren();
                        continue;
                    }
                    if (rows != null || t != com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
                        throw NOT_PLAIN;
                    }
                    rows = new ArrayList<>(4);
                    while ((t = p.nextToken()) == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                        Object[] raw = new Object[fields.size()];
                        java.util.Arrays.fill(raw, ABSENT);
                        // For the log: while the keys come as the model's columns in order, only how many came (inOrder);
                        // after the first that does not, every key's place (order: a column, or -1 - extra) and the extras.
                        int inOrder = 0;
                        int[] order = null;
                        int keys = 0;
                        String[] extraNames = null;
                        Object[] extraValues = null;
                        int extras = 0;
                        int at = 0; // the key's place in the instance
                        while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                            String name = p.currentName();
                            com.fasterxml.jackson.core.JsonToken v = p.nextToken();
                            int c = checks.column(name, at++);
                            Object value;
                            switch (v) {
                                case VALUE_STRING -> {
                                    String known = c < 0 ? null
                                            : checks.known(c, p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                                    value = known != null ? known : p.getText();
                                }
                                case VALUE_TRUE -> value = Boolean.TRUE;
                                case VALUE_FALSE -> value = Boolean.FALSE;
                                case VALUE_NULL -> value = null;
                                case VALUE_NUMBER_FLOAT -> value = p.getDoubleValue();
                                case VALUE_NUMBER_INT -> {
                                    com.fasterxml.jackson.core.JsonParser.NumberType nt = p.getNumberType();
                                    if (nt != com.fasterxml.jackson.core.JsonParser.NumberType.INT
                                            && nt != com.fasterxml.jackson.core.JsonParser.NumberType.LONG) {
                                        throw NOT_PLAIN;
                                    }
                                    value = p.getLongValue();
                                }
                                default -> {
                                    if (c >= 0) {
                                        throw NOT_PLAIN; // a container as a column value: the tree path names it
                                    }
                                    value = sent == null ? null : p.readValueAsTree();
                                    if (sent == null) {
                                        p.skipChildren();
                                    }
                                }
                            }
                            if (c >= 0) {
                                int col = c;
                                if (sent != null && raw[col] == ABSENT) {  // a key sent again keeps its first place
                                    if (order == null && col == inOrder) {
                                        inOrder++;
                                    } else {
                                        if (order == null) {
                                            order = firstKeys(inOrder, fields.size() + 4);
                                            keys = inOrder;
                                        } else if (keys == order.length) {
                                            order = java.util.Arrays.copyOf(order, keys * 2);
                                        }
                                        order[keys++] = col;
                                    }
                                }
                                raw[col] = value;
                            } else if (sent != null) {
                                int k = 0;
                                while (k < extras && !extraNames[k].equals(name)) {
                                    k++;
                                }
                                if (k < extras) {
                                    extraValues[k] = value;  // sent again: first place, last value
                                    continue;
                                }
                                if (extraNames == null) {
                                    extraNames = new String[2];
                                    extraValues = new Object[2];
                                } else if (extras == extraNames.length) {
                                    extraNames = java.util.Arrays.copyOf(extraNames, extras * 2);
                                    extraValues = java.util.Arrays.copyOf(extraValues, extras * 2);
                                }
                                extraNames[extras] = name;
                                extraValues[extras] = value;
                                if (order == null) {
                                    order = firstKeys(inOrder, fields.size() + 4);
                                    keys = inOrder;
                                } else if (keys == order.length) {
                                    order = java.util.Arrays.copyOf(order, keys * 2);
                                }
                                order[keys++] = -1 - extras;
                                extras++;
                            }
                        }
                        rows.add(raw);
                        if (sent != null) {
                            sent.add(order == null ? raw : new PredictionLog.Sent(raw, java.util.Arrays.copyOf(order, keys),
                                    extras == 0 ? new String[0] : java.util.Arrays.copyOf(extraNames, extras),
                                    extras == 0 ? new Object[0] : java.util.Arrays.copyOf(extraValues, extras)));
                        }
                    }
                    if (t != com.fasterxml.jackson.core.JsonToken.END_ARRAY || rows.isEmpty()) {
                        throw NOT_PLAIN;
                    }
                }
                if (t != com.fasterxml.jackson.core.JsonToken.END_OBJECT || rows == null) {
                    throw NOT_PLAIN;
                }
            }
            return rows;
        }

        /** {@code 0, 1, ..., n - 1} in an array of {@code capacity} (at least n). */
        private static int[] firstKeys(int n, int capacity) {
            int[] order = new int[Math.max(n + 1, capacity)];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            return order;
        }

        /** The records route over a parsed tree (every request the streaming parse does not take). */
        Object predictTree(Exchange x, Served s, JsonNode body) {
            return predictTree(x, s, body, false);
        }

        /**
         * {@code POST /v1/models/{name}:explain}: the records route's request and answer, each prediction with its
         * {@code "explanation"} (every input column's additive share of the model's margin, see
         * {@link dev.kiln.runtime.Explanation}), logged with it. 409 {@code explanation_unavailable} for a bundle
         * written before format 1.2.
         */
        Object explain(Exchange x) {
            Served s = route(x, null);
            return predictTree(x, s, readBody(x.ctx), true);
        }

        Object predictTree(Exchange x, Served s, JsonNode body, boolean explain) {
            if (explain && !s.model().explainable()) {
                throw new ServeError(409, ErrorCode.EXPLANATION_UNAVAILABLE.wireName(), "model '" + s.name() + "' version "
                        + s.version() + " cannot explain its predictions: its bundle was written before format 1.2 "
                        + "(format " + s.model().manifest().formatVersion() + "); retrain it to explain",
                        Map.of("model", s.name(), "version", s.version()));
            }
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
            // The rows were checked by predictBatch: explaining them cannot fail on their values.
            List<Map<String, Object>> explanations = null;
            if (explain) {
                explanations = new ArrayList<>(batch.size());
                for (Map<String, Object> row : batch) {
                    explanations.add(s.model().explain(row).toMap());
                }
            }
            List<List<InputChecks.Flag>> flags = flag(s, batch);
            List<Object> out = new ArrayList<>(predictions.size());
            for (int i = 0; i < predictions.size(); i++) {
                Prediction p = predictions.get(i);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put(PREDICTION, p.prediction());
                p.probabilities().forEach((cls, prob) -> m.put(PROBABILITY_PREFIX + cls, prob));
                if (explanations != null) {
                    m.put("explanation", explanations.get(i));
                }
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
            logPredictions(x, s, null, fields, sent, predictions, flags, explanations);
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
            if (reward != null && models.hasBandits() && models.bandit(s.name()).isPresent()
                    && !(reward.asDouble() >= 0 && reward.asDouble() <= 1)) {
                throw badRequest(ErrorCode.VALUE_INVALID, "\"reward\" must be from 0 to 1 for model '" + name + "', which routes "
                        + "through a bandit, not " + reward, Map.of("field", "reward"));
            }
            if (!log.offer(s.name(), PredictionLog.FEEDBACK, rec)) {
                x.ctx.header("Retry-After", "1");
                throw new ServeError(503, ServeError.PREDICTION_LOG_FULL, "the prediction log is full; send the feedback again later",
                        Map.of("model", name));
            }
            if (reward != null && models.hasBandits()) {
                credit(s, requestId, body.get("model_version"), reward.asDouble());
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
            return parse(readBytes(ctx));
        }

        /** The request body's bytes: 413 past {@link #MAX_BODY_BYTES}, 408 when it stalls past the idle timeout. */
        private static byte[] readBytes(Context ctx) {
            long declared = ctx.req().getContentLengthLong();
            if (declared > MAX_BODY_BYTES) {
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
            return bytes;
        }

        private static JsonNode parse(byte[] bytes) {
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
