package dev.kiln.serve;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.serve.ModelHost.Served;
import dev.kiln.serve.http.ErrorWriter;
import dev.kiln.serve.http.Exchange;
import dev.kiln.serve.http.Headers;
import dev.kiln.serve.http.HostCheck;
import dev.kiln.serve.http.InFlight;
import dev.kiln.serve.http.Tokens;
import dev.kiln.serve.metrics.ServeMeters;
import dev.kiln.serve.traffic.CanaryRollout;
import dev.kiln.serve.traffic.ShadowScorer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the handlers of one server share: its models, log, meters, tokens, traffic policies (rollouts, shadows), its
 * in-flight count and shutdown flag, and how a request finds the snapshot that answers it.
 */
final class ServeState {
    final ModelHost models;
    /** Null without a prediction log. */
    final PredictionLog log;
    final ServeMeters meters;
    final ErrorWriter errors;
    final Tokens tokens;
    /** The names requests may address the server by. */
    final HostCheck hosts;
    /** Null without an admin token. */
    final ModelRepository repository;
    /** Progressive rollouts of canaries, compared on this server's meters. */
    final CanaryRollout rollouts;
    /** Scores copies of requests with their models' shadows; null without a prediction log (shadows are only logged). */
    final ShadowScorer shadows;
    final InFlight inFlight = new InFlight();
    /** How long a request body may take to arrive, from its headers to its last byte. */
    final long bodyTimeoutMillis;
    volatile boolean shuttingDown;
    /** Whether {@link FastPredict} answers the requests it can (tests turn it off to compare with the Javalin route). */
    volatile boolean fastPath = !Boolean.getBoolean("kiln.serve.noFastPath");
    /** Requests answered by {@link FastPredict}. */
    final LongAdder fastAnswered = new LongAdder();

    ServeState(ModelHost models, PredictionLog log, ServeMeters meters, Tokens tokens, HostCheck hosts, ModelRepository repository,
               long bodyTimeoutMillis) {
        this.bodyTimeoutMillis = bodyTimeoutMillis;
        this.hosts = hosts;
        this.models = models;
        this.log = log;
        this.meters = meters;
        this.errors = new ErrorWriter(meters);
        this.tokens = tokens;
        this.repository = repository;
        this.shadows = log == null ? null : new ShadowScorer(
                (row, servedVersion, servedPrediction) -> log.offer(new PredictionLog.ShadowRow(row, servedVersion, servedPrediction)),
                meters.registry(), ShadowScorer.DEFAULT_CAPACITY);
        this.rollouts = new CanaryRollout(models, meters::stats, meters.registry());
    }

    /** Every served model as {@code name=version}, comma separated (the version header of answers naming no model). */
    String versionSummary() {
        List<String> parts = new ArrayList<>();
        for (String name : models.names()) {
            models.get(name).ifPresent(s -> parts.add(s.name() + "=" + s.version()));
        }
        return String.join(",", parts);
    }

    /** The snapshot that answers this request: the model named in the path, at the version asked for if any. */
    Served serve(Exchange x, String version) {
        String name = x.param("name");
        Served s = models.get(name).orElseThrow(() -> KilnException.answer(ErrorCode.MODEL_NOT_FOUND,
                "model '" + name + "' is not served here (served: " + models.names() + ")", Map.of("model", name)));
        if (version != null && !version.equals(s.version())) {
            s = models.get(name, version).orElseThrow(() -> KilnException.answer(ErrorCode.MODEL_VERSION_NOT_FOUND, "model '"
                    + name + "' is served at " + servedVersions(name) + ", not " + version, Map.of("model", name, "version", version)));
        }
        x.served(s);
        return s;
    }

    /**
     * The snapshot that scores this request: as {@link #serve}, except that without a version the model's canary
     * (if any) answers its share of routing keys, or its bandit picks the arm.
     */
    Served route(Exchange x, String version) {
        Served s = serve(x, version);
        if (version == null) {
            ModelHost.Slot slot = models.slot(s.name());
            if (slot != null && (slot.canary != null || slot.bandit != null)) {
                Served routed = ModelHost.route(slot, Headers.routeKey(x.ctx().header(Headers.ROUTE_KEY), x.requestId()));
                if (routed != null) {
                    x.served(routed);
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
}
