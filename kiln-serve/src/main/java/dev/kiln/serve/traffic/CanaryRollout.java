package dev.kiln.serve.traffic;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.serve.ModelHost;
import dev.kiln.serve.ModelRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Progressive delivery of a canary: its share of requests goes up a list of steps (5%, 25%, 50%, 100%, say), one step
 * per interval, while it does as well as the model on the same traffic, and the canary is removed (rolled back) as
 * soon as it does worse: an error rate (client and server errors over its requests) more than
 * {@link Plan#maxErrorIncrease} above the model's, or a mean latency more than {@link Plan#maxLatencyRatio} times the
 * model's and more than {@link #MIN_LATENCY_GAP_MS} ms above it. A step waits until the canary has answered
 * {@link Plan#minRequests} requests since the step began.
 * After the last step the rollout is complete and the canary keeps the last share: promoting it (moving the alias
 * the model follows) stays the operator's decision. A canary replaced or removed meanwhile stops its rollout.
 */
public final class CanaryRollout implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CanaryRollout.class.getName());

    /** Scoring requests of one version by outcome, and their total latency. */
    public record Stats(long successes, long clientErrors, long serverErrors, long nanos) {
        public static final Stats ZERO = new Stats(0, 0, 0, 0);

        public long requests() {
            return successes + clientErrors + serverErrors;
        }

        public double errorRate() {
            long n = requests();
            return n == 0 ? 0 : (clientErrors + serverErrors) / (double) n;
        }

        public double meanMillis() {
            long n = requests();
            return n == 0 ? 0 : nanos / 1e6 / n;
        }

        Stats minus(Stats o) {
            return new Stats(successes - o.successes, clientErrors - o.clientErrors, serverErrors - o.serverErrors, nanos - o.nanos);
        }
    }

    /**
     * The steps (basis points, increasing, 1 to 10,000), the time between them, and the bars a step must clear.
     */
    public record Plan(List<Integer> steps, Duration interval, long minRequests, double maxErrorIncrease, double maxLatencyRatio) {
        public static final long DEFAULT_MIN_REQUESTS = 100;
        public static final double DEFAULT_MAX_ERROR_INCREASE = 0.01;
        public static final double DEFAULT_MAX_LATENCY_RATIO = 1.5;

        public Plan {
            steps = List.copyOf(steps);
            if (steps.isEmpty()) {
                throw invalid("a rollout needs at least one step");
            }
            int previous = 0;
            for (int s : steps) {
                if (s <= previous || s > 10_000) {
                    throw invalid("rollout steps must increase, each above 0% and at most 100%, not " + percents(steps));
                }
                previous = s;
            }
            if (interval == null || interval.isNegative() || interval.isZero()) {
                throw invalid("a rollout's interval must be positive, not " + interval);
            }
            if (minRequests < 1) {
                throw invalid("a rollout step needs at least 1 request, not " + minRequests);
            }
            if (!(maxErrorIncrease >= 0 && maxErrorIncrease <= 1)) {
                throw invalid("the error-rate margin is 0 to 1, not " + maxErrorIncrease);
            }
            if (!(maxLatencyRatio >= 1) || Double.isInfinite(maxLatencyRatio)) {
                throw invalid("the latency ratio is at least 1, not " + maxLatencyRatio);
            }
        }

        private static List<Double> percents(List<Integer> steps) {
            List<Double> out = new ArrayList<>();
            steps.forEach(s -> out.add(s / 100.0));
            return out;
        }

        /** Steps given in percent, with the default bars. */
        public static Plan of(List<Double> percents, Duration interval) {
            List<Integer> bp = new ArrayList<>();
            for (double p : percents) {
                bp.add(ModelRepository.basisPoints(p, "a rollout step"));
            }
            return new Plan(bp, interval, DEFAULT_MIN_REQUESTS, DEFAULT_MAX_ERROR_INCREASE, DEFAULT_MAX_LATENCY_RATIO);
        }

        private static KilnException invalid(String message) {
            return new KilnException(ErrorCode.INVALID_ARGUMENT, message, Map.of("field", "steps"));
        }
    }

    /** What one interval's comparison decides. */
    sealed interface Decision {
        record Advance(String why) implements Decision {
        }

        record Hold(String why) implements Decision {
        }

        record Rollback(String why) implements Decision {
        }
    }

    /**
     * A canary is not rolled back for being slower by less than this (ms), whatever the ratio: models that score in
     * tens of microseconds differ by more than 1.5x on one garbage-collection pause.
     */
    static final double MIN_LATENCY_GAP_MS = 0.5;

    /** Compares the canary with the model over the same interval. */
    static Decision decide(Plan plan, Stats canary, Stats model) {
        if (canary.requests() < plan.minRequests()) {
            return new Decision.Hold("the canary answered " + canary.requests() + " of the " + plan.minRequests() + " requests a step needs");
        }
        String rates = String.format(Locale.ROOT, "error rate %.4f against the model's %.4f", canary.errorRate(), model.errorRate());
        if (canary.errorRate() > model.errorRate() + plan.maxErrorIncrease()) {
            return new Decision.Rollback(rates + " (margin " + plan.maxErrorIncrease() + ")");
        }
        String latency = String.format(Locale.ROOT, "mean latency %.3f ms against the model's %.3f ms", canary.meanMillis(), model.meanMillis());
        if (model.requests() > 0 && canary.meanMillis() > plan.maxLatencyRatio() * model.meanMillis()
                && canary.meanMillis() - model.meanMillis() > MIN_LATENCY_GAP_MS) {
            return new Decision.Rollback(latency + " (at most " + plan.maxLatencyRatio() + "x)");
        }
        return new Decision.Advance(rates + ", " + latency);
    }

    /** Where a rollout stands: {@code running}, {@code complete}, {@code rolled_back} or {@code stopped}. */
    public record Status(String model, String canaryVersion, List<Double> steps, int step, double percent, String state,
                         String reason, Instant updated) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("canary_version", canaryVersion);
            m.put("steps", steps);
            m.put("step", step);
            m.put("percent", percent);
            m.put("state", state);
            m.put("reason", reason);
            m.put("updated", updated.toString());
            return m;
        }
    }

    private final class Run {
        final String name;
        final String version;
        final Plan plan;
        int step;
        Stats canaryAt;
        Stats modelAt;
        String modelVersion;
        volatile Status status;
        ScheduledFuture<?> future;

        Run(String name, String version, Plan plan) {
            this.name = name;
            this.version = version;
            this.plan = plan;
        }

        void set(String state, String reason) {
            List<Double> percents = new ArrayList<>();
            plan.steps().forEach(s -> percents.add(s / 100.0));
            status = new Status(name, version, percents, step, plan.steps().get(Math.min(step, plan.steps().size() - 1)) / 100.0, state,
                    reason, Instant.now());
        }
    }

    private final ModelHost host;
    private final BiFunction<String, String, Stats> stats;
    private final MeterRegistry registry;
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final Map<String, Counter> rollbacks = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;

    /**
     * Rollouts of the canaries of {@code host}. {@code stats}: the requests a name has served at a version so far (the
     * server's meters); {@code registry}: where the rollback counter and the running-rollouts gauge go.
     */
    public CanaryRollout(ModelHost host, BiFunction<String, String, Stats> stats, MeterRegistry registry) {
        this.host = host;
        this.stats = stats;
        this.registry = registry;
    }

    /**
     * Starts rolling out the canary of {@code name} (which must have one): its share is set to the first step now,
     * and compared every {@code plan.interval()}. Replaces a rollout of the name in progress.
     */
    public synchronized Status start(String name, Plan plan) {
        ModelHost.Canary canary = host.canary(name).orElseThrow(() -> new KilnException(ErrorCode.MODEL_NOT_FOUND,
                "model '" + name + "' has no canary to roll out", Map.of("model", name)));
        stop(name);
        Run run = new Run(name, canary.served().version(), plan);
        run.modelVersion = host.get(name).map(ModelHost.Served::version).orElse("");
        run.canaryAt = stats.apply(name, run.version);
        run.modelAt = stats.apply(name, run.modelVersion);
        host.setCanaryShare(name, plan.steps().get(0));
        run.set("running", "started at " + plan.steps().get(0) / 100.0 + "%");
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "kiln-canary-rollout");
                t.setDaemon(true);
                return t;
            });
            Gauge.builder("kiln.canary.rollouts.running", runs, m -> m.values().stream()
                    .filter(x -> x.status.state().equals("running")).count()).description("Canary rollouts in progress").register(registry);
        }
        long ms = plan.interval().toMillis();
        run.future = timer.scheduleWithFixedDelay(() -> tick(run), ms, ms, TimeUnit.MILLISECONDS);
        runs.put(name, run);
        LOG.log(System.Logger.Level.INFO, "rolling out version " + run.version + " of model '" + name + "': steps "
                + run.status.steps() + "%, every " + plan.interval());
        return run.status;
    }

    /** The rollout of {@code name}, running or ended, if one was started. */
    public Optional<Status> status(String name) {
        Run run = runs.get(name);
        return run == null ? Optional.empty() : Optional.of(run.status);
    }

    /** Stops the rollout of {@code name}, leaving its canary at the share it has. */
    public synchronized void stop(String name) {
        Run run = runs.remove(name);
        if (run != null && run.future != null) {
            run.future.cancel(false);
        }
    }

    private void tick(Run run) {
        try {
            ModelHost.Canary canary = host.canary(run.name).orElse(null);
            if (canary == null || !canary.served().version().equals(run.version)) {
                end(run, "stopped", "the canary was replaced or removed");
                return;
            }
            String modelVersion = host.get(run.name).map(ModelHost.Served::version).orElse("");
            if (!modelVersion.equals(run.modelVersion)) {
                run.modelVersion = modelVersion; // the model moved: compare from now on
                run.modelAt = stats.apply(run.name, modelVersion);
                run.canaryAt = stats.apply(run.name, run.version);
                return;
            }
            Stats c = stats.apply(run.name, run.version).minus(run.canaryAt);
            Stats m = stats.apply(run.name, modelVersion).minus(run.modelAt);
            Decision d = decide(run.plan, c, m);
            if (d instanceof Decision.Hold hold) {
                run.set("running", hold.why());
            } else if (d instanceof Decision.Rollback rollback) {
                host.removeCanary(run.name);
                String why = "canary version " + run.version + " rolled back at " + run.status.percent() + "%: " + rollback.why();
                host.recordCanaryError(run.name, why);
                rollbacks.computeIfAbsent(run.name, n -> Counter.builder("kiln.canary.rollbacks").description("Canaries rolled back")
                        .tag("model", n).register(registry)).increment();
                LOG.log(System.Logger.Level.WARNING, why);
                end(run, "rolled_back", rollback.why());
            } else {
                run.step++;
                if (run.step >= run.plan.steps().size()) {
                    run.step = run.plan.steps().size() - 1;
                    LOG.log(System.Logger.Level.INFO, "canary version " + run.version + " of model '" + run.name + "' rolled out");
                    end(run, "complete", ((Decision.Advance) d).why());
                    return;
                }
                host.setCanaryShare(run.name, run.plan.steps().get(run.step));
                run.canaryAt = stats.apply(run.name, run.version);
                run.modelAt = stats.apply(run.name, modelVersion);
                run.set("running", "advanced: " + ((Decision.Advance) d).why());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "canary rollout of model '" + run.name + "' failed: " + e, e);
            end(run, "stopped", "failed: " + e.getMessage());
        }
    }

    private void end(Run run, String state, String reason) {
        run.set(state, reason);
        if (run.future != null) {
            run.future.cancel(false);
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
