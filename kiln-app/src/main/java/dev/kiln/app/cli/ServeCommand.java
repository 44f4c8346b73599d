package dev.kiln.app.cli;

import dev.kiln.app.deployment.DeploymentHeartbeat;
import dev.kiln.app.deployment.Deployments;
import dev.kiln.app.lifecycle.Home;
import dev.kiln.app.lifecycle.PolicyRetrain;
import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.app.monitoring.ScheduledMonitor;
import dev.kiln.kafka.KafkaLogLines;
import dev.kiln.kafka.KafkaLogSink;
import dev.kiln.kafka.KafkaUri;
import dev.kiln.monitor.alerts.AlertRules;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.log.LogRetention;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnVersion;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.serve.InferenceServer;
import dev.kiln.serve.ModelHost;
import dev.kiln.serve.ModelRepository;
import dev.kiln.serve.PredictionLog;
import dev.kiln.serve.RegistryFollower;
import dev.kiln.store.DeploymentStore;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelRef;
import dev.kiln.store.ModelVersion;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve models over HTTP: Open Inference Protocol v2 (/v2/...) and POST /v1/models/NAME:predict "
                + "with {\"instances\": [...]}; Prometheus metrics on /metrics.",
                "REF is a registry reference (credit, credit@staging, credit:3) or a bundle directory. "
                        + "NAME and NAME@ALIAS follow the alias: the registry is polled every --poll-seconds and a new version "
                        + "is loaded, verified and warmed up in the background, then swapped in; NAME:VERSION is pinned.",
                "On SIGTERM readiness turns false, in-flight requests finish (at most --drain-seconds), then the server stops.",
                "Tokens are read from a file or the environment, never from the command line. With an inference token every "
                        + "/v1 and /v2 model route needs 'Authorization: Bearer TOKEN' (401 otherwise); /v2, /v2/health/live, "
                        + "/v2/health/ready and /metrics stay open for probes and scrapers. With an admin token the model "
                        + "repository routes are enabled: POST /v2/repository/models/NAME/load (body "
                        + "{\"parameters\": {\"ref\": REF}}, optional: reloads NAME's last REF), POST .../NAME/unload, "
                        + "GET /v2/repository/index; without one they answer 403. The admin token also opens the model routes.",
                "A canary (--canary NAME=REF) answers a share of NAME's scoring requests (--canary-percent, default 10) with "
                        + "another version, under NAME, in the same metrics and log by version; the header Kiln-Route-Key keeps a "
                        + "key (a customer id) on one side. An alias canary is followed like a model. With an admin token, "
                        + "PUT /v2/repository/models/NAME/canary {\"ref\": REF, \"percent\": P} sets or changes it and DELETE removes it. "
                        + "--canary-steps NAME=5,25,50,100 (or \"steps\": [...], \"interval_seconds\": S in the PUT) rolls it out: "
                        + "one step per interval while its error rate stays within 1 point of the model's and its mean latency within "
                        + "1.5x (or 0.5 ms, whichever is more), after at least 100 requests per step; otherwise it is removed, and the reason shows in last_error.",
                "A shadow (--shadow NAME=REF) scores a copy of every request to NAME off the response path: its answers are never "
                        + "sent, only written to the prediction log (shadow-*.jsonl, same request ids) and counted in "
                        + "kiln_shadow_rows_total{outcome=agree|disagree|error}; kiln monitor performance compares it with the "
                        + "served versions on the same feedback. PUT/DELETE /v2/repository/models/NAME/shadow {\"ref\": REF} with an admin token.",
                "A bandit (--bandit NAME=REF,REF,...) sends each request to NAME to the version whose draw from its Beta posterior is "
                        + "highest (Thompson sampling); POST /v1/models/NAME:feedback {\"request_id\", \"reward\": 0..1} credits the "
                        + "version that answered, so traffic moves to the version that earns more. Versions are resolved once. "
                        + "PUT/DELETE /v2/repository/models/NAME/bandit {\"refs\": [...]} with an admin token.",
                "When the home has a store (or --store names one), the server registers itself there as a deployment and writes "
                        + "a heartbeat every 5 s with what it serves (versions, alias, canary, shadow, bandit shares) and its request "
                        + "rate, error rate and p50/p99 latency over the last interval; it deregisters when it stops. kiln server "
                        + "shows them on /deployments (GET /api/deployments); one silent for 3 heartbeats shows as lost. A store "
                        + "that cannot be reached is logged and retried: serving goes on."})
final class ServeCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger(ServeCommand.class.getName());

    @Spec
    CommandSpec spec;

    @Mixin
    StoreOptions store;

    @Option(names = "--model", required = true, paramLabel = "NAME=REF", description = "a model to serve (repeatable)")
    List<String> models = new ArrayList<>();

    @Mixin
    TrafficOptions traffic;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT", description = "port (default: ${DEFAULT-VALUE}; 0 picks a free one)")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "address to bind (default: ${DEFAULT-VALUE}; a non-loopback address needs --token-file or --insecure-no-token)")
    String host;

    @Option(names = "--log-dir", paramLabel = "DIR",
            description = "prediction and feedback log, JSON lines per model, rotated (default: HOME/logs/predictions)")
    Path logDir;

    @Option(names = "--log-sink", paramLabel = "URI",
            description = "send the prediction and feedback log to Kafka instead of files: kafka://HOST:PORT[,HOST:PORT]/TOPIC "
                    + "(the same JSON lines, one record each, keyed by model; see docs/kafka.md)")
    String logSink;

    @Option(names = "--no-log", description = "do not log predictions (feedback is then refused)")
    boolean noLog;

    @Option(names = "--poll-seconds", defaultValue = "2", paramLabel = "N",
            description = "poll the registry for alias moves every N seconds (default: ${DEFAULT-VALUE}; 0: never)")
    int pollSeconds;

    @Option(names = "--monitor", description = "evaluate the default alert rules for every served model on a schedule "
            + "(kiln monitor check --help lists them); alerts are stored and listed by kiln monitor alerts")
    boolean monitor;

    @Option(names = "--monitor-rules", paramLabel = "FILE",
            description = "evaluate these alert rules (JSON; implies --monitor) every 'every' of the file (default 5m)")
    Path monitorRules;

    @Option(names = "--drain-seconds", defaultValue = "10", paramLabel = "N",
            description = "on shutdown, wait at most N seconds for in-flight requests (default: ${DEFAULT-VALUE})")
    int drainSeconds;

    static final String TOKEN_ENV = "KILN_SERVE_TOKEN";
    static final String ADMIN_TOKEN_ENV = dev.kiln.app.promotion.AdminToken.ENV;
    static final int MIN_TOKEN_LENGTH = 16;
    static final int MAX_READ_TIMEOUT_SECONDS = 3600;

    @Option(names = "--token-file", paramLabel = "PATH",
            description = "file holding the bearer token that every /v1 and /v2 model route then requires (default: the "
                    + TOKEN_ENV + " environment variable; neither: model routes are open). Health, /v2 and /metrics stay open.")
    Path tokenFile;

    @Option(names = "--admin-token-file", paramLabel = "PATH",
            description = "file holding the admin bearer token that enables the model repository routes (load, unload, "
                    + "index) (default: the " + ADMIN_TOKEN_ENV + " environment variable; neither: those routes answer 403)")
    Path adminTokenFile;

    @Option(names = "--log-max-bytes", defaultValue = "10g", paramLabel = "SIZE",
            description = "keep at most this much prediction log in all, the oldest files removed first (bytes, or with "
                    + "k, m, g or t; 0: no limit; default: ${DEFAULT-VALUE})")
    String logMaxBytes;

    @Option(names = "--log-max-age", defaultValue = "30d", paramLabel = "AGE",
            description = "remove prediction log files last written longer ago than this (90s, 30m, 24h, 30d; 0: no limit; "
                    + "default: ${DEFAULT-VALUE})")
    String logMaxAge;

    @Option(names = "--allowed-host", split = ",", paramLabel = "NAME",
            description = "a Host name this server answers to besides localhost, 127.0.0.1, [::1] and the bound address "
                    + "(repeatable or comma-separated; e.g. the DNS name in front of a non-loopback --host); other Host headers "
                    + "are refused with 403, which stops DNS rebinding")
    List<String> allowedHosts = new ArrayList<>();

    @Option(names = "--body-timeout-seconds", defaultValue = "10", paramLabel = "S",
            description = "a request body must arrive within this many seconds, else 408 and the connection is closed "
                    + "(default: ${DEFAULT-VALUE})")
    int bodyTimeoutSeconds;

    @Option(names = ServeExposure.INSECURE_FLAG,
            description = "allow a non-loopback --host without an inference token (every model route open to the network); "
                    + "without it such a --host needs --token-file or " + TOKEN_ENV)
    boolean insecureNoToken;

    @Option(names = "--bundle-root", paramLabel = "DIR",
            description = "admin loads may name bundle directories under DIR (canonical path, links resolved; repeatable; "
                    + "default: none, only registry references)")
    List<Path> bundleRoots = new ArrayList<>();

    @Option(names = "--read-timeout-seconds", defaultValue = "30", paramLabel = "N",
            description = "close a connection that sends nothing for N seconds; a request body stalled that long is "
                    + "answered 408 (1 to " + MAX_READ_TIMEOUT_SECONDS + "; default: ${DEFAULT-VALUE})")
    int readTimeoutSeconds;

    /** The environment (replaced in tests). */
    java.util.function.Function<String, String> env = System::getenv;

    /** The token from {@code file} if given, else from the environment variable {@code var}, else null; validated. */
    String token(Path file, String var, String flag) {
        String token;
        String from;
        if (file != null) {
            from = flag + " " + file;
            try {
                token = Files.readString(file).strip();
            } catch (java.io.IOException | RuntimeException e) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot read " + from + ": " + e.getMessage(), Map.of("path", file.toString()));
            }
        } else {
            token = env.apply(var);
            from = "$" + var;
            if (token == null) {
                return null;
            }
            token = token.strip();
        }
        if (token.length() < MIN_TOKEN_LENGTH || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the token in " + from + " must be at least " + MIN_TOKEN_LENGTH
                    + " visible ASCII characters without spaces (e.g. openssl rand -hex 32)", Map.of());
        }
        return token;
    }

    /** How often a registered server writes its heartbeat to the store (tests shorten it). */
    Duration heartbeatEvery = DeploymentStore.DEFAULT_HEARTBEAT;

    /** The deployment heartbeat of the last {@link #start()}, when the server registered itself (null otherwise). */
    DeploymentHeartbeat heartbeat;

    /** The scheduled monitoring of the last {@link #start()}, when --monitor is on (tests drive it directly). */
    ScheduledMonitor monitorJob;

    /** Loads every model and starts the server; {@link #call} then waits for a shutdown signal. */
    InferenceServer start() {
        checkLimits();
        checkLogSink();
        String inferenceToken = token(tokenFile, TOKEN_ENV, "--token-file");
        ServeExposure.check(this.host, inferenceToken, insecureNoToken);
        PredictionLog.Options logOptions = PredictionLog.Options.defaults()
                .withMaxTotalBytes(LogRetention.parseBytes(logMaxBytes, "--log-max-bytes"))
                .withMaxAge(LogRetention.parseAge(logMaxAge, "--log-max-age"));
        String adminToken = token(adminTokenFile, ADMIN_TOKEN_ENV, "--admin-token-file");
        checkTokens(inferenceToken, adminToken);
        Wiring w = new Wiring();
        InferenceServer server = null;
        try {
            if (adminToken != null) {
                // Admin loads may resolve registry references and follow aliases, whatever --model named.
                w.registry();
                if (pollSeconds > 0) {
                    w.follower();
                }
            }
            Map<String, String> refs = loadModels(w);
            TrafficOptions.Splits splits = traffic.resolve(refs.keySet(), noLog);
            ModelRepository repository = adminToken != null || splits.any() ? repository(w, splits) : null;
            Path logRoot = logDir != null ? logDir : Home.predictionLogs(store.home());
            if (repository != null) {
                traffic.restoreBandits(w.host, logReaders(), splits.bandits().keySet());
            }
            PredictionLog log = noLog ? null : openLog(logRoot, logOptions);
            InferenceServer.Options options = InferenceServer.Options.defaults()
                    .withIdleTimeout(Duration.ofSeconds(readTimeoutSeconds))
                    .withInferenceToken(inferenceToken)
                    .withAdminToken(adminToken)
                    .withAllowedHosts(allowedHosts)
                    .withBodyTimeout(Duration.ofSeconds(bodyTimeoutSeconds));
            if (adminToken != null) {
                refs.forEach((name, ref) -> repository.remember(name, isBundle(ref) ? Path.of(ref).toAbsolutePath().toString() : ref));
                options = options.withRepository(repository);
            }
            AlertRules rules = alertRules(log);
            if (rules != null) {
                PolicyRetrain.requireDataPerModel(rules, refs);
            }
            server = InferenceServer.start(w.host, this.host, port, log, options);
            for (Map.Entry<String, dev.kiln.serve.traffic.CanaryRollout.Plan> e : splits.plans().entrySet()) {
                server.rollouts().start(e.getKey(), e.getValue());
            }
            if (rules != null) {
                startMonitor(server, w.registry(), rules, refs);
            }
            register(w, server, repository, refs, noLog || kafkaSink != null ? null : logRoot);
            w.closeAfter(server);
            return server;
        } finally {
            if (server == null) {
                w.close();
            }
        }
    }

    /** The --log-sink topic, when the log goes to Kafka (null: files under --log-dir). */
    private KafkaUri kafkaSink;

    /** Parses --log-sink before anything starts: a malformed URI names the option. */
    private void checkLogSink() {
        if (logSink == null) {
            return;
        }
        if (noLog) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--log-sink and --no-log contradict each other",
                    Map.of("option", "--log-sink"));
        }
        if (logDir != null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "give --log-dir (files) or --log-sink (Kafka), not both",
                    Map.of("option", "--log-sink"));
        }
        kafkaSink = KafkaUri.parse(logSink, "--log-sink");
    }

    /** The prediction log: files under {@code logRoot}, or the --log-sink topic (losses after a send counted as failed). */
    private PredictionLog openLog(Path logRoot, PredictionLog.Options options) {
        if (kafkaSink == null) {
            return new PredictionLog(logRoot, options);
        }
        KafkaLogSink sink = KafkaLogSink.open(kafkaSink, "--log-sink", KAFKA_WARM_UP);
        PredictionLog log = new PredictionLog(logRoot, options, sink);
        sink.onLoss(log::countLost);
        return log;
    }

    /** How long a starting server waits for the --log-sink topic's metadata before it serves without it. */
    static final Duration KAFKA_WARM_UP = Duration.ofSeconds(5);

    /** Each served model's log, as the scheduled monitor reads it: the files, or the --log-sink topic. */
    private java.util.function.Function<String, dev.kiln.monitor.logs.PredictionLogReader> logReaders() {
        Path dir = logDir != null ? logDir : Home.predictionLogs(store.home());
        return model -> kafkaSink == null ? new dev.kiln.monitor.logs.PredictionLogReader(dir, model)
                : new dev.kiln.monitor.logs.PredictionLogReader(model, new KafkaLogLines(kafkaSink, "--log-sink", model));
    }

    private void checkLimits() {
        if (pollSeconds < 0 || drainSeconds < 0) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--poll-seconds and --drain-seconds must be 0 or more",
                    Map.of("poll_seconds", pollSeconds, "drain_seconds", drainSeconds));
        }
        if (bodyTimeoutSeconds < 1 || bodyTimeoutSeconds > MAX_READ_TIMEOUT_SECONDS) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--body-timeout-seconds must be 1 to " + MAX_READ_TIMEOUT_SECONDS
                    + ", not " + bodyTimeoutSeconds, Map.of("option", "--body-timeout-seconds"));
        }
        if (readTimeoutSeconds < 1 || readTimeoutSeconds > MAX_READ_TIMEOUT_SECONDS) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--read-timeout-seconds must be 1 to " + MAX_READ_TIMEOUT_SECONDS
                    + ", not " + readTimeoutSeconds, Map.of("read_timeout_seconds", readTimeoutSeconds));
        }
    }

    private void checkTokens(String inferenceToken, String adminToken) {
        if (adminToken != null && adminToken.equals(inferenceToken)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the admin token must differ from the inference token", Map.of());
        }
        if (adminToken == null && !bundleRoots.isEmpty()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--bundle-root is for admin loads: give --admin-token-file or "
                    + ADMIN_TOKEN_ENV + " too", Map.of());
        }
    }

    /**
     * What a starting server is built from: the model host, and the store and registry follower, opened only
     * when something needs them. Until the server owns them, closing this closes them.
     */
    private final class Wiring implements AutoCloseable {
        final ModelHost host = new ModelHost();
        private KilnStore registry;
        private RegistryFollower follower;

        KilnStore registry() {
            if (registry == null) {
                registry = store.open();
            }
            return registry;
        }

        boolean hasRegistry() {
            return registry != null;
        }

        RegistryFollower follower() {
            if (follower == null) {
                follower = new RegistryFollower(host, registry().registry(), Duration.ofSeconds(pollSeconds));
            }
            return follower;
        }

        /** Hands the follower and the store to the server: closed after Jetty stops and the log is drained, follower first. */
        void closeAfter(InferenceServer server) {
            if (follower != null) {
                server.closeAfter(follower.start());
            }
            if (registry != null) {
                server.closeAfter(registry);
            }
        }

        @Override
        public void close() {
            if (follower != null) {
                follower.close();
            }
            if (registry != null) {
                registry.close();
            }
        }
    }

    /** Loads every --model NAME=REF; a registry reference that names an alias is followed. Returns NAME to REF. */
    private Map<String, String> loadModels(Wiring w) {
        Map<String, String> refs = new java.util.LinkedHashMap<>();
        for (String spec : models) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--model '" + spec + "' is not NAME=REF", Map.of("model", spec));
            }
            String name = ModelRef.checkName(spec.substring(0, eq), spec);
            String ref = spec.substring(eq + 1);
            refs.put(name, ref);
            Path dir = Path.of(ref);
            if (isBundle(ref)) {
                // A bundle outside the registry is named by its content: the manifest's SHA-256.
                w.host.load(name, dir, "sha256:" + manifestSha(dir).substring(0, 12));
            } else {
                ModelRef parsed = ModelRef.parse(ref);
                ModelVersion v = w.registry().registry().resolve(parsed);
                w.host.load(name, w.registry().registry().bundlePath(v), Integer.toString(v.version()));
                if (pollSeconds > 0 && RegistryFollower.follows(parsed)) {
                    w.follower().follow(name, parsed, v.version());
                }
            }
        }
        return refs;
    }

    private static boolean isBundle(String ref) {
        return Files.isRegularFile(Path.of(ref).resolve(BundleManifest.MANIFEST_FILE));
    }

    /** The model repository (admin routes, canaries, shadows, bandits), with the splits from the command line set. */
    private ModelRepository repository(Wiring w, TrafficOptions.Splits splits) {
        if (!w.hasRegistry() && splits.namesARegistryReference()) {
            w.registry();
        }
        if (w.hasRegistry() && pollSeconds > 0) {
            w.follower();
        }
        ModelRepository repository = new ModelRepository(w.host, w.hasRegistry() ? w.registry().registry() : null,
                w.follower, bundleRoots);
        traffic.apply(repository, splits);
        return repository;
    }

    /**
     * Registers this server in the store when the home has one (or --store names one; a store already opened for
     * registry references is used as it is), with a heartbeat closed (deregistering) before the store. A store that
     * cannot be opened is logged and serving goes on unregistered.
     */
    private void register(Wiring w, InferenceServer server, ModelRepository repository, Map<String, String> refs, Path logRoot) {
        if (!w.hasRegistry() && store.url() == null && !Files.exists(store.home().resolve("kiln.db"))) {
            return; // bundles only, and no store to tell: nothing to register in
        }
        KilnStore s;
        try {
            s = w.registry();
        } catch (KilnException e) {
            LOG.log(System.Logger.Level.WARNING, "not registering this server as a deployment: cannot open the store: " + e.getMessage());
            return;
        }
        Map<String, String> served = new java.util.LinkedHashMap<>();
        refs.forEach((name, ref) -> served.put(name, isBundle(ref) ? Path.of(ref).toAbsolutePath().normalize().toString() : ref));
        DeploymentStore.Registration registration = new DeploymentStore.Registration(Deployments.url(host, server.port()),
                KilnVersion.get(), logRoot == null ? null : logRoot.toAbsolutePath().normalize().toString(), heartbeatEvery);
        heartbeat = DeploymentHeartbeat.start(s.deployments(), registration, () -> server.snapshot(repository), served, java.time.Clock.systemUTC());
        server.closeAfter(heartbeat); // before the follower and the store (added after it): deregisters while the store is open
    }

    /** The alert rules of --monitor / --monitor-rules, or null without either. */
    private AlertRules alertRules(PredictionLog log) {
        if (!monitor && monitorRules == null) {
            return null;
        }
        if (log == null) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--monitor needs the prediction log: drop --no-log",
                    Map.of("option", "--no-log"));
        }
        return monitorRules == null ? AlertRules.defaults() : AlertRules.load(monitorRules);
    }

    private void startMonitor(InferenceServer server, KilnStore registry, AlertRules rules, Map<String, String> refs) {
        Map<String, ScheduledMonitor.Source> sources = new java.util.LinkedHashMap<>();
        refs.forEach((name, ref) -> sources.put(name, isBundle(ref)
                ? new ScheduledMonitor.Source(null, Path.of(ref).toAbsolutePath().normalize())
                : new ScheduledMonitor.Source(ModelRef.parse(ref).name(), null)));
        monitorJob = new ScheduledMonitor(server, registry, logReaders(), rules, sources).start();
        server.closeAfter(monitorJob); // stopped before the store it writes alerts to
    }

    private static String manifestSha(Path dir) {
        try {
            return Checksums.sha256(dir.resolve(BundleManifest.MANIFEST_FILE));
        } catch (java.io.IOException e) {
            throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "cannot read " + dir.resolve(BundleManifest.MANIFEST_FILE) + ": " + e.getMessage());
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        InferenceServer server = start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                // Readiness false first (load balancers stop sending), then let in-flight requests finish.
                server.beginShutdown();
                server.awaitIdle(Duration.ofSeconds(drainSeconds));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                server.close(); // Jetty, then the prediction log, the follower and the store
                stopped.countDown();
            }
        }, "kiln-serve-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("kiln serve listening on http://" + host + ":" + server.port() + " serving " + server.models().names());
        out.flush();
        stopped.await();
        return 0;
    }
}
