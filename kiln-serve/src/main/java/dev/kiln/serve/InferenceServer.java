package dev.kiln.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.runtime.ErrorBody;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.serve.http.Bodies;
import dev.kiln.serve.http.Headers;
import dev.kiln.serve.http.HostCheck;
import dev.kiln.serve.http.Json;
import dev.kiln.serve.http.RequestIds;
import dev.kiln.serve.http.Route;
import dev.kiln.serve.http.Tokens;
import dev.kiln.serve.metrics.ServeMeters;
import dev.kiln.serve.traffic.CanaryRollout;
import dev.kiln.serve.traffic.ShadowScorer;
import io.javalin.Javalin;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.Invocable;

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
 * {@code Kiln-Error-Code} header, whoever answers (a route, the router, or Jetty before any route runs), and are
 * counted in {@code kiln_http_errors_total{code,outcome}}. Bodies over {@link #MAX_BODY_BYTES} are refused with 413,
 * bodies not said to be JSON with 415, requests addressed to a host the server does not go by with 403 (DNS
 * rebinding; {@link Options#withAllowedHosts}).
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
 * a stalled body answered 408 first, and a body not over within the body timeout ({@link #DEFAULT_BODY_TIMEOUT}) is
 * answered 408 however steadily it trickles; no thread waits for a body meanwhile.
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
 * <p>Layout: the route table with each route's policy is {@code ServeRoutes}; handlers per concern are
 * {@code RecordsRoutes} (with its fast path {@code FastPredict}), {@code OipInfer}, {@code FeedbackRoutes},
 * {@link dev.kiln.serve.oip} (metadata, health) and {@link dev.kiln.serve.admin} (the model repository); the HTTP
 * policy, body reading and the one error writer are in {@link dev.kiln.serve.http}, the meters in
 * {@link dev.kiln.serve.metrics}.
 *
 * <p>Plain records requests are answered by a Jetty core handler in front of Javalin ({@code FastPredict}), with the same
 * bytes, metrics and log records as the Javalin route, which answers everything else. That handler is non-blocking:
 * it scores on the selector thread that read the request and hands every other request to the thread pool.
 */
public final class InferenceServer implements AutoCloseable {
    public static final long MAX_BODY_BYTES = Bodies.MAX_BYTES;
    /** JSON request bodies nested deeper than this are refused with 400 (on the server's own mapper). */
    public static final int MAX_JSON_DEPTH = Json.MAX_DEPTH;
    /** How long a connection may send nothing (e.g. stall in a request body) before it is timed out. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /**
     * How long a request body may take to arrive, from its headers to its last byte, however steadily it trickles in
     * (the idle timeout only catches a body that stops): a body is read as it comes, holding no thread, and one not
     * over in time is answered 408 and its connection closed. 10 s is 100 KiB/s for the largest body taken.
     */
    public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Selector threads of the server's connector: the fast path scores on them, so they bound how many cores serve
     * records requests. Two per core (Jetty's default is one per two cores): with one per core, a selector thread that
     * the OS preempts stalls all its connections, which showed as a 12 ms p99 in the load test (3 ms with two per core).
     * System property {@code kiln.serve.selectors} overrides it.
     */
    static final int SELECTORS = Math.max(1, Integer.getInteger("kiln.serve.selectors", 2 * Runtime.getRuntime().availableProcessors()));
    public static final String VERSION_HEADER = Headers.VERSION;
    public static final String ERROR_CODE_HEADER = ErrorBody.CODE_HEADER;
    public static final String REQUEST_ID_HEADER = RequestIds.HEADER;
    /** See {@link Headers#ROUTE_KEY}. */
    public static final String ROUTE_KEY_HEADER = Headers.ROUTE_KEY;
    public static final String PREDICTION = RecordsRoutes.PREDICTION;
    public static final String PROBABILITY_PREFIX = RecordsRoutes.PROBABILITY_PREFIX;

    private static final System.Logger LOG = System.getLogger("dev.kiln.serve");
    static final ObjectMapper MAPPER = Json.MAPPER;

    private final Javalin app;
    private final ServeState state;
    private final List<Route> routes;
    private final List<AutoCloseable> closeAfter = new CopyOnWriteArrayList<>();

    private InferenceServer(Javalin app, ServeState state, List<Route> routes) {
        this.app = app;
        this.state = state;
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
    public static InferenceServer start(ModelHost models, String host, int port, PredictionLog log, Duration idleTimeout) {
        return start(models, host, port, log, Options.defaults().withIdleTimeout(idleTimeout));
    }

    /**
     * What a server is started with besides its models, address and log: the idle (read) timeout, the bearer token
     * that model routes require (null: open), the admin token of the model repository routes (null: those answer
     * 403) and the repository they act on (null with an admin token: one over the served models that can unload and
     * list, and load nothing new). {@link #toString()} never shows the tokens.
     */
    public record Options(Duration idleTimeout, String inferenceToken, String adminToken, ModelRepository repository,
                          List<String> allowedHosts, Duration bodyTimeout) {
        public Options {
            allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
        }

        public static Options defaults() {
            return new Options(DEFAULT_IDLE_TIMEOUT, null, null, null, List.of(), DEFAULT_BODY_TIMEOUT);
        }

        public Options withIdleTimeout(Duration d) {
            return new Options(d, inferenceToken, adminToken, repository, allowedHosts, bodyTimeout);
        }

        public Options withInferenceToken(String token) {
            return new Options(idleTimeout, token, adminToken, repository, allowedHosts, bodyTimeout);
        }

        public Options withAdminToken(String token) {
            return new Options(idleTimeout, inferenceToken, token, repository, allowedHosts, bodyTimeout);
        }

        public Options withRepository(ModelRepository r) {
            return new Options(idleTimeout, inferenceToken, adminToken, r, allowedHosts, bodyTimeout);
        }

        /** See {@link #DEFAULT_BODY_TIMEOUT}. */
        public Options withBodyTimeout(Duration d) {
            return new Options(idleTimeout, inferenceToken, adminToken, repository, allowedHosts, d);
        }

        /**
         * The host names (as in the {@code Host} header, without the port) requests may address the server by besides
         * {@code localhost}, {@code 127.0.0.1}, {@code [::1]} and the bound address: for a server bound to another
         * interface (e.g. its DNS name behind a load balancer). Anything else is refused 403 (DNS rebinding).
         */
        public Options withAllowedHosts(List<String> hosts) {
            return new Options(idleTimeout, inferenceToken, adminToken, repository, hosts, bodyTimeout);
        }

        @Override
        public String toString() {
            return "Options[idleTimeout=" + idleTimeout + ", inferenceToken=" + (inferenceToken == null ? "none" : "***")
                    + ", adminToken=" + (adminToken == null ? "none" : "***") + ", repository=" + (repository != null)
                    + ", allowedHosts=" + allowedHosts + ", bodyTimeout=" + bodyTimeout + "]";
        }
    }

    /** Starts serving {@code models} with {@code options} (see {@link Options}). */
    public static InferenceServer start(ModelHost models, String host, int port, PredictionLog log, Options options) {
        Duration idleTimeout = options.idleTimeout();
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "idle timeout must be positive, not " + idleTimeout, Map.of());
        }
        long idleMillis = Math.max(1, idleTimeout.toMillis());
        Duration bodyTimeout = options.bodyTimeout();
        if (bodyTimeout == null || bodyTimeout.isNegative() || bodyTimeout.isZero()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "body timeout must be positive, not " + bodyTimeout, Map.of("field", "body_timeout"));
        }
        ModelRepository repository = options.adminToken() == null ? null
                : options.repository() != null ? options.repository() : new ModelRepository(models, null, null, List.of());
        if (repository != null && repository.host() != models) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the repository must act on the served ModelHost", Map.of());
        }
        String bind = host == null || host.isBlank() ? "127.0.0.1" : host.trim();
        if (port < 0 || port > 65535) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "port " + port + " is not 0 to 65535", Map.of("port", port));
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ServeMeters meters = new ServeMeters(models, registry, VERSION_HEADER);
        HostCheck hosts = HostCheck.of(bind, options.allowedHosts());
        if (port > 0) {
            hosts.bound(port);
        }
        ServeState state = new ServeState(models, log, meters, new Tokens(options.inferenceToken(), options.adminToken()), hosts, repository,
                Math.max(1, bodyTimeout.toMillis()));
        if (state.shadows != null) {
            Gauge.builder("kiln.shadow.queue.size", state.shadows, ShadowScorer::queued)
                    .description("Shadow scoring jobs waiting").register(registry);
        }
        if (log != null) {
            meters.watch(log);
        }
        ServeRoutes handlers = new ServeRoutes(state);
        List<Route> routes = handlers.table();
        Javalin app = Javalin.create(config -> ServeJetty.configure(config, state, handlers, routes, bind, port, idleMillis));
        ServeJetty.start(app, state, bind, port, idleMillis);
        return new InferenceServer(app, state, routes);
    }

    public int port() {
        return app.port();
    }

    /** The progressive rollouts of this server's canaries. */
    public CanaryRollout rollouts() {
        return state.rollouts;
    }

    public ModelHost models() {
        return state.models;
    }

    public PrometheusMeterRegistry registry() {
        return state.meters.registry();
    }

    /**
     * What this server serves now, with its meters' counts so far (see {@link ServingSnapshot}); read-only, safe from
     * any thread, for status reports and heartbeats.
     */
    public ServingSnapshot snapshot() {
        return ServingSnapshots.take(state, state.repository);
    }

    /**
     * As {@link #snapshot()}, with the references from {@code repository} (null: none): the repository that set a
     * server's canaries, shadows and bandits from the command line is not the server's own without an admin token.
     */
    public ServingSnapshot snapshot(ModelRepository repository) {
        return ServingSnapshots.take(state, repository != null ? repository : state.repository);
    }

    /** The prediction log, if the server was started with one. */
    public Optional<PredictionLog> predictionLog() {
        return Optional.ofNullable(state.log);
    }

    /** Every route the server answers, each with its policy. */
    List<Route> routes() {
        return routes;
    }

    /** The server's meters (errors answered by code, per-model requests). */
    ServeMeters meters() {
        return state.meters;
    }

    /**
     * Starts a graceful stop: from now on {@code /v2/health/ready} answers 503 (so a load balancer stops
     * sending traffic); requests keep being answered until {@link #close()}.
     */
    public void beginShutdown() {
        state.shuttingDown = true;
    }

    /** True once {@link #beginShutdown()} was called. */
    public boolean shuttingDown() {
        return state.shuttingDown;
    }

    /**
     * Turns the Jetty fast path of the records route ({@link FastPredict}) on or off (on unless the system property
     * {@code kiln.serve.noFastPath} is true); off, the Javalin route answers every request. For tests and comparisons.
     */
    void fastPath(boolean on) {
        state.fastPath = on;
    }

    /** Requests answered by the Jetty fast path of the records route so far. */
    long fastPathAnswered() {
        return state.fastAnswered.sum();
    }

    /** How Jetty invokes the server's handlers: non-blocking means on the selector thread that read the request. */
    Invocable.InvocationType invocationType() {
        return app.jettyServer().server().getInvocationType();
    }

    /** The selector threads of the server's connector. */
    int selectors() {
        return ((ServerConnector) app.jettyServer().server().getConnectors()[0]).getSelectorManager().getSelectorCount();
    }

    /** Requests being handled now (every route but {@code /metrics}). */
    public int inFlight() {
        return state.inFlight.get();
    }

    /**
     * Waits until no request is in flight, or {@code grace} has passed.
     *
     * @return true when idle, false when the grace period ran out first
     */
    public boolean awaitIdle(Duration grace) throws InterruptedException {
        return state.inFlight.awaitIdle(grace);
    }

    /**
     * Closes {@code resource} when the server closes, after Jetty has stopped and the prediction log is closed
     * (in the order added): e.g. a {@link RegistryFollower} and the store it reads.
     */
    public void closeAfter(AutoCloseable resource) {
        closeAfter.add(Objects.requireNonNull(resource, "resource"));
    }

    @Override
    public void close() {
        state.shuttingDown = true;
        try {
            app.stop();
        } finally {
            try {
                state.rollouts.close();
                if (state.shadows != null) {
                    state.shadows.close(); // its rows go to the log: first
                }
                if (state.log != null) {
                    state.log.close();
                }
                state.meters.registry().close();
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
}
