package dev.kiln.app;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.serve.InferenceServer;
import dev.kiln.serve.ModelHost;
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
                "On SIGTERM readiness turns false, in-flight requests finish (at most --drain-seconds), then the server stops."})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    StoreOptions store;

    @Option(names = "--model", required = true, paramLabel = "NAME=REF", description = "a model to serve (repeatable)")
    List<String> models = new ArrayList<>();

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT", description = "port (default: ${DEFAULT-VALUE}; 0 picks a free one)")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST", description = "address to bind (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--log-dir", paramLabel = "DIR",
            description = "prediction and feedback log, JSON lines per model, rotated (default: HOME/logs/predictions)")
    Path logDir;

    @Option(names = "--no-log", description = "do not log predictions (feedback is then refused)")
    boolean noLog;

    @Option(names = "--poll-seconds", defaultValue = "2", paramLabel = "N",
            description = "poll the registry for alias moves every N seconds (default: ${DEFAULT-VALUE}; 0: never)")
    int pollSeconds;

    @Option(names = "--drain-seconds", defaultValue = "10", paramLabel = "N",
            description = "on shutdown, wait at most N seconds for in-flight requests (default: ${DEFAULT-VALUE})")
    int drainSeconds;

    /** Loads every model and starts the server; {@link #call} then waits for a shutdown signal. */
    InferenceServer start() {
        if (pollSeconds < 0 || drainSeconds < 0) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--poll-seconds and --drain-seconds must be 0 or more",
                    Map.of("poll_seconds", pollSeconds, "drain_seconds", drainSeconds));
        }
        ModelHost host = new ModelHost();
        KilnStore registry = null;
        RegistryFollower follower = null;
        InferenceServer server = null;
        try {
            for (String spec : models) {
                int eq = spec.indexOf('=');
                if (eq <= 0 || eq == spec.length() - 1) {
                    throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--model '" + spec + "' is not NAME=REF", Map.of("model", spec));
                }
                String name = ModelRef.checkName(spec.substring(0, eq), spec);
                String ref = spec.substring(eq + 1);
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
            PredictionLog log = noLog ? null : new PredictionLog(logDir != null ? logDir : store.home().resolve("logs").resolve("predictions"));
            server = InferenceServer.start(host, this.host, port, log);
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
