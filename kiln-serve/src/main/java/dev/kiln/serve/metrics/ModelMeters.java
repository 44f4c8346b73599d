package dev.kiln.serve.metrics;

import dev.kiln.serve.ModelHost.Served;
import dev.kiln.serve.traffic.CanaryRollout;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.PreEncodedHttpField;

/** The request meters of one model at one version, looked up once (not per request). */
public final class ModelMeters {
    public static final int SUCCESS = 0;
    public static final int CLIENT_ERROR = 1;
    public static final int SERVER_ERROR = 2;
    private static final String[] OUTCOMES = {"success", "client_error", "server_error"};

    private final Served served;
    private final String version;
    private final MeterRegistry registry;
    /** success, client_error, server_error: registered on first use (no zero series for outcomes never seen). */
    private final Counter[] outcomes = new Counter[3];
    private final Timer latency;
    /** The fast path's Kiln-Model-Version header for this version, encoded once. */
    private final HttpField versionField;
    /** Requests by outcome and their total time in nanoseconds, for a canary rollout's comparisons. */
    private final LongAdder[] counts = {new LongAdder(), new LongAdder(), new LongAdder()};
    private final LongAdder nanos = new LongAdder();

    ModelMeters(Served served, MeterRegistry registry, String versionHeader) {
        this.served = served;
        this.version = served.version();
        this.registry = registry;
        this.versionField = new PreEncodedHttpField(versionHeader, version);
        this.latency = Timer.builder("kiln.request").description("Scoring request latency, by model")
                .tag("model", served.name()).publishPercentileHistogram().register(registry);
    }

    public String name() {
        return served.name();
    }

    public String version() {
        return version;
    }

    public HttpField versionField() {
        return versionField;
    }

    /** The outcome of a status: {@link #SUCCESS}, {@link #CLIENT_ERROR} or {@link #SERVER_ERROR}. */
    public static int outcome(int status) {
        return status < 400 ? SUCCESS : status < 500 ? CLIENT_ERROR : SERVER_ERROR;
    }

    /** One scoring request's outcome and latency. */
    public void record(int outcome, long latencyNanos) {
        count(outcome);
        latency.record(latencyNanos, TimeUnit.NANOSECONDS);
        counts[outcome].increment();
        nanos.add(latencyNanos);
    }

    CanaryRollout.Stats stats() {
        return new CanaryRollout.Stats(counts[0].sum(), counts[1].sum(), counts[2].sum(), nanos.sum());
    }

    private void count(int outcome) {
        Counter c = outcomes[outcome];
        if (c == null) {
            c = Counter.builder("kiln.requests").description("Scoring requests, by model, version and outcome")
                    .tag("model", served.name()).tag("version", served.version()).tag("outcome", OUTCOMES[outcome]).register(registry);
            outcomes[outcome] = c; // a race registers the same counter twice: the registry returns one
        }
        c.increment();
    }
}
