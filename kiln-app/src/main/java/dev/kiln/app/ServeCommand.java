package dev.kiln.app;

import dev.kiln.monitor.alerts.AlertRules;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.serve.InferenceServer;
import dev.kiln.serve.ModelHost;
import dev.kiln.serve.ModelRepository;
import dev.kiln.serve.PredictionLog;
import dev.kiln.serve.RegistryFollower;
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
                        + "1.5x, after at least 100 requests per step; otherwise it is removed, and the reason shows in last_error.",
                "A shadow (--shadow NAME=REF) scores a copy of every request to NAME off the response path: its answers are never "
                        + "sent, only written to the prediction log (shadow-*.jsonl, same request ids) and counted in "
                        + "kiln_shadow_rows_total{outcome=agree|disagree|error}; kiln monitor performance compares it with the "
                        + "served versions on the same feedback. PUT/DELETE /v2/repository/models/NAME/shadow {\"ref\": REF} with an admin token.",
                "A bandit (--bandit NAME=REF,REF,...) sends each request to NAME to the version whose draw from its Beta posterior is "
                        + "highest (Thompson sampling); POST /v1/models/NAME:feedback {\"request_id\", \"reward\": 0..1} credits the "
                        + "version that answered, so traffic moves to the version that earns more. Versions are resolved once. "
                        + "PUT/DELETE /v2/repository/models/NAME/bandit {\"refs\": [...]} with an admin token."})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    StoreOptions store;

    @Option(names = "--model", required = true, paramLabel = "NAME=REF", description = "a model to serve (repeatable)")
    List<String> models = new ArrayList<>();

    @Option(names = "--canary", paramLabel = "NAME=REF",
            description = "serve REF as the canary of model NAME, answering a share of its requests (repeatable)")
    List<String> canaries = new ArrayList<>();

    @Option(names = "--canary-steps", paramLabel = "NAME=P,P,...",
            description = "roll NAME's canary out progressively: its share goes up these percentages, one step per "
                    + "--canary-interval-seconds while its error rate and latency keep up with the model's; it is removed "
                    + "(rolled back) when they do not")
    Map<String, String> canarySteps = new java.util.LinkedHashMap<>();

    @Option(names = "--canary-interval-seconds", defaultValue = "60", paramLabel = "S",
            description = "time between rollout steps (default: ${DEFAULT-VALUE})")
    double canaryIntervalSeconds;

    @Option(names = "--shadow", paramLabel = "NAME=REF",
            description = "score a copy of every request to model NAME with REF, off the response path, into the log (repeatable)")
    List<String> shadows = new ArrayList<>();

    @Option(names = "--bandit", paramLabel = "NAME=REF,REF[,...]",
            description = "route model NAME's requests through a Thompson-sampling bandit over these versions, learning from "
                    + "feedback rewards (0 to 1) (repeatable)")
    List<String> bandits = new ArrayList<>();

    @Option(names = "--bandit-history-hours", defaultValue = "24", paramLabel = "H",
            description = "a bandit starts from the rewards its versions earned in the prediction log over the last H hours "
                    + "(default: ${DEFAULT-VALUE}; 0: from the prior)")
    double banditHistoryHours;

    @Option(names = "--canary-percent", paramLabel = "NAME=P",
            description = "the share of NAME's requests its canary answers, 0 to 100 (default: 10)")
    Map<String, String> canaryPercents = new java.util.LinkedHashMap<>();

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT", description = "port (default: ${DEFAULT-VALUE}; 0 picks a free one)")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "address to bind (default: ${DEFAULT-VALUE}; a non-loopback address needs --token-file or --insecure-no-token)")
    String host;

    @Option(names = "--log-dir", paramLabel = "DIR",
            description = "prediction and feedback log, JSON lines per model, rotated (default: HOME/logs/predictions)")
    Path logDir;

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
    static final String ADMIN_TOKEN_ENV = "KILN_SERVE_ADMIN_TOKEN";
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

    /** Loads every model and starts the server; {@link #call} then waits for a shutdown signal. */
    /** The scheduled monitoring of the last {@link #start()}, when --monitor is on (tests drive it directly). */
    ScheduledMonitor monitorJob;

    InferenceServer start() {
        if (pollSeconds < 0 || drainSeconds < 0) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--poll-seconds and --drain-seconds must be 0 or more",
                    Map.of("poll_seconds", pollSeconds, "drain_seconds", drainSeconds));
        }
        if (readTimeoutSeconds < 1 || readTimeoutSeconds > MAX_READ_TIMEOUT_SECONDS) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--read-timeout-seconds must be 1 to " + MAX_READ_TIMEOUT_SECONDS
                    + ", not " + readTimeoutSeconds, Map.of("read_timeout_seconds", readTimeoutSeconds));
        }
        String inferenceToken = token(tokenFile, TOKEN_ENV, "--token-file");
        ServeExposure.check(this.host, inferenceToken, insecureNoToken);
        String adminToken = token(adminTokenFile, ADMIN_TOKEN_ENV, "--admin-token-file");
        if (adminToken != null && adminToken.equals(inferenceToken)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the admin token must differ from the inference token", Map.of());
        }
        if (adminToken == null && !bundleRoots.isEmpty()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--bundle-root is for admin loads: give --admin-token-file or "
                    + ADMIN_TOKEN_ENV + " too", Map.of());
        }
        ModelHost host = new ModelHost();
        KilnStore registry = null;
        RegistryFollower follower = null;
        InferenceServer server = null;
        try {
            if (adminToken != null) {
                // Admin loads may resolve registry references and follow aliases, whatever --model named.
                registry = store.open();
                if (pollSeconds > 0) {
                    follower = new RegistryFollower(host, registry.registry(), Duration.ofSeconds(pollSeconds));
                }
            }
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
                if (Files.isRegularFile(dir.resolve(BundleManifest.MANIFEST_FILE))) {
                    // A bundle outside the registry is named by its content: the manifest's SHA-256.
                    host.load(name, dir, "sha256:" + manifestSha(dir).substring(0, 12));
                } else {
                    if (registry == null) {
                        registry = store.open();
                    }
                    ModelRef parsed = ModelRef.parse(ref);
                    ModelVersion v = registry.registry().resolve(parsed);
                    host.load(name, registry.registry().bundlePath(v), Integer.toString(v.version()));
                    if (pollSeconds > 0 && RegistryFollower.follows(parsed)) {
                        if (follower == null) {
                            follower = new RegistryFollower(host, registry.registry(), Duration.ofSeconds(pollSeconds));
                        }
                        follower.follow(name, parsed, v.version());
                    }
                }
            }
            Map<String, String> canaryRefs = sides("--canary", canaries, refs.keySet());
            Map<String, dev.kiln.serve.CanaryRollout.Plan> plans = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, String> e : canarySteps.entrySet()) {
                if (!canaryRefs.containsKey(e.getKey())) {
                    throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--canary-steps names model '" + e.getKey() + "', which has no --canary",
                            Map.of("model", e.getKey()));
                }
                if (canaryPercents.containsKey(e.getKey())) {
                    throw new KilnException(ErrorCode.INVALID_ARGUMENT, "model '" + e.getKey() + "' has --canary-percent and --canary-steps: "
                            + "a rollout sets the share itself", Map.of("model", e.getKey()));
                }
                if (!(canaryIntervalSeconds > 0)) {
                    throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--canary-interval-seconds must be positive, not "
                            + canaryIntervalSeconds, Map.of("option", "--canary-interval-seconds"));
                }
                List<Double> percents = new ArrayList<>();
                for (String p : e.getValue().split(",")) {
                    percents.add(percent("--canary-steps", e.getKey(), p));
                }
                plans.put(e.getKey(), dev.kiln.serve.CanaryRollout.Plan.of(percents,
                        Duration.ofMillis(Math.max(1, Math.round(canaryIntervalSeconds * 1000)))));
            }
            for (String name : canaryPercents.keySet()) {
                if (!canaryRefs.containsKey(name)) {
                    throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--canary-percent names model '" + name + "', which has no --canary",
                            Map.of("model", name));
                }
            }
            Map<String, String> shadowRefs = sides("--shadow", shadows, refs.keySet());
            if (noLog && !shadowRefs.isEmpty()) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--shadow needs the prediction log (a shadow's answers go only there): "
                        + "drop --no-log", Map.of("option", "--no-log"));
            }
            Map<String, String> banditRefs = sides("--bandit", bandits, refs.keySet());
            if (noLog && !banditRefs.isEmpty()) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--bandit needs the prediction log (it learns from feedback, which "
                        + "the log takes): drop --no-log", Map.of("option", "--no-log"));
            }
            for (String name : banditRefs.keySet()) {
                if (canaryRefs.containsKey(name)) {
                    throw new KilnException(ErrorCode.INVALID_ARGUMENT, "model '" + name + "' has both --canary and --bandit: a bandit "
                            + "already splits its traffic; give one", Map.of("model", name));
                }
            }
            ModelRepository repository = null;
            if (adminToken != null || !canaryRefs.isEmpty() || !shadowRefs.isEmpty() || !banditRefs.isEmpty()) {
                if (registry == null && java.util.stream.Stream.of(canaryRefs.values(), shadowRefs.values(), banditRefs.values())
                        .flatMap(java.util.Collection::stream).flatMap(r -> java.util.Arrays.stream(r.split(",")))
                        .anyMatch(r -> !ModelRepository.isPath(r.strip()))) {
                    registry = store.open();
                }
                if (follower == null && registry != null && pollSeconds > 0) {
                    follower = new RegistryFollower(host, registry.registry(), Duration.ofSeconds(pollSeconds));
                }
                repository = new ModelRepository(host, registry == null ? null : registry.registry(), follower, bundleRoots);
                for (Map.Entry<String, String> c : canaryRefs.entrySet()) {
                    String p = canaryPercents.get(c.getKey());
                    dev.kiln.serve.CanaryRollout.Plan plan = plans.get(c.getKey());
                    Double share = null;
                    if (plan != null) {
                        share = plan.steps().get(0) / 100.0;
                    } else if (p != null) {
                        share = percent(c.getKey(), p);
                    }
                    repository.setCanary(c.getKey(), c.getValue(), share, true);
                }
                for (Map.Entry<String, String> sh : shadowRefs.entrySet()) {
                    repository.setShadow(sh.getKey(), sh.getValue(), true);
                }
                for (Map.Entry<String, String> b : banditRefs.entrySet()) {
                    repository.setBandit(b.getKey(), java.util.Arrays.stream(b.getValue().split(",")).map(String::strip).toList(), true);
                }
            }
            Path logRoot = logDir != null ? logDir : Home.predictionLogs(store.home());
            if (banditHistoryHours > 0 && repository != null) {
                for (String name : banditRefs.keySet()) {
                    restoreBandit(host, logRoot, name, Duration.ofMillis(Math.round(banditHistoryHours * 3_600_000)));
                }
            }
            PredictionLog log = noLog ? null : new PredictionLog(logRoot);
            InferenceServer.Options options = InferenceServer.Options.defaults()
                    .withIdleTimeout(Duration.ofSeconds(readTimeoutSeconds))
                    .withInferenceToken(inferenceToken)
                    .withAdminToken(adminToken);
            if (adminToken != null) {
                ModelRepository admin = repository;
                refs.forEach((name, ref) -> admin.remember(name, Files.isRegularFile(Path.of(ref).resolve(BundleManifest.MANIFEST_FILE))
                        ? Path.of(ref).toAbsolutePath().toString() : ref));
                options = options.withRepository(admin);
            }
            AlertRules rules = null;
            if (monitor || monitorRules != null) {
                if (log == null) {
                    throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--monitor needs the prediction log: drop --no-log",
                            Map.of("option", "--no-log"));
                }
                rules = monitorRules == null ? AlertRules.defaults() : AlertRules.load(monitorRules);
                PolicyRetrain.requireDataPerModel(rules, refs);
            }
            server = InferenceServer.start(host, this.host, port, log, options);
            for (Map.Entry<String, dev.kiln.serve.CanaryRollout.Plan> e : plans.entrySet()) {
                server.rollouts().start(e.getKey(), e.getValue());
            }
            if (rules != null) {
                if (registry == null) {
                    registry = store.open();
                }
                Map<String, ScheduledMonitor.Source> sources = new java.util.LinkedHashMap<>();
                refs.forEach((name, ref) -> sources.put(name, Files.isRegularFile(Path.of(ref).resolve(BundleManifest.MANIFEST_FILE))
                        ? new ScheduledMonitor.Source(null, Path.of(ref).toAbsolutePath().normalize())
                        : new ScheduledMonitor.Source(ModelRef.parse(ref).name(), null)));
                monitorJob = new ScheduledMonitor(server, registry, logDir != null ? logDir : Home.predictionLogs(store.home()),
                        rules, sources).start();
                server.closeAfter(monitorJob); // stopped before the store it writes alerts to
            }
            // Closed after Jetty stops and the log is drained: the follower first, then the store it reads.
            if (follower != null) {
                server.closeAfter(follower.start());
            }
            if (registry != null) {
                server.closeAfter(registry);
            }
            return server;
        } finally {
            if (server == null) {
                if (follower != null) {
                    follower.close();
                }
                if (registry != null) {
                    registry.close();
                }
            }
        }
    }

    /**
     * Adds to the bandit of {@code name} the rewards its versions earned over {@code history} according to the
     * prediction log: each reward joined (by request id and row) to a prediction logged under one of its versions.
     */
    static void restoreBandit(dev.kiln.serve.ModelHost host, Path logRoot, String name, Duration history) {
        dev.kiln.serve.Bandit bandit = host.bandit(name).orElseThrow();
        dev.kiln.monitor.logs.PredictionLogReader reader = new dev.kiln.monitor.logs.PredictionLogReader(logRoot, name);
        if (!reader.exists()) {
            return;
        }
        dev.kiln.monitor.logs.LogWindow window = new dev.kiln.monitor.logs.LogWindow(java.time.Instant.now().minus(history), null);
        Map<String, Double> rewards = new java.util.HashMap<>();
        reader.feedback(window, f -> {
            if (f.reward() != null && f.reward() >= 0 && f.reward() <= 1) {
                rewards.put(f.key(), f.reward());
            }
        });
        Map<String, double[]> byVersion = new java.util.HashMap<>(); // version -> {sum, count}
        java.util.Set<String> arms = new java.util.HashSet<>();
        bandit.arms().forEach(a -> arms.add(a.served().version()));
        reader.predictions(window, p -> {
            Double r = arms.contains(p.version()) ? rewards.remove(p.key()) : null;
            if (r != null) {
                double[] acc = byVersion.computeIfAbsent(p.version(), v -> new double[2]);
                acc[0] += r;
                acc[1]++;
            }
        });
        byVersion.forEach((version, acc) -> bandit.restore(version, acc[0], (long) acc[1]));
        if (!byVersion.isEmpty()) {
            System.getLogger(ServeCommand.class.getName()).log(System.Logger.Level.INFO, "the bandit of model '" + name
                    + "' starts from the rewards in its log: " + bandit.describe());
        }
    }

    /** {@code --canary} or {@code --shadow} ({@code option}) as NAME to REF, each NAME served by {@code --model}, once. */
    private static Map<String, String> sides(String option, List<String> specs, java.util.Set<String> served) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " '" + spec + "' is not NAME=REF", Map.of("option", option));
            }
            String name = ModelRef.checkName(spec.substring(0, eq), spec);
            if (!served.contains(name)) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " '" + spec + "' names model '" + name
                        + "', which no --model serves " + served, Map.of("option", option));
            }
            if (out.put(name, spec.substring(eq + 1)) != null) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "model '" + name + "' has two " + option + " options; it takes one",
                        Map.of("option", option));
            }
        }
        return out;
    }

    private static double percent(String name, String text) {
        return percent("--canary-percent", name, text);
    }

    /** A percentage given to {@code option} for model {@code name}, refused with a message naming both. */
    private static double percent(String option, String name, String text) {
        double p;
        try {
            p = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " " + name + "=" + text
                    + " is not a percentage from 0 to 100", Map.of("model", name));
        }
        ModelRepository.basisPoints(p, option + " " + name);
        return p;
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
