package dev.kiln.app.deployment;

import dev.kiln.serve.ServingSnapshot;
import dev.kiln.store.Deployment;
import dev.kiln.store.DeploymentStore;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Keeps a serving process registered in the store: registers it, writes its status every interval on a daemon
 * thread, and deregisters it on {@link #close()}. The store is never in the way of serving: a failed registration or
 * heartbeat is logged (once per run of failures) and tried again at the next beat; a heartbeat that finds its row gone
 * (pruned while the store was out of reach) registers again.
 */
public final class DeploymentHeartbeat implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DeploymentHeartbeat.class.getName());

    private final DeploymentStore store;
    private final DeploymentStore.Registration registration;
    private final Supplier<ServingSnapshot> snapshots;
    private final Map<String, String> refs;
    private final Clock clock;
    private final java.time.Instant startedAt;
    private final ScheduledExecutorService timer;
    private ServingSnapshot previous;
    private volatile String id;
    private boolean failing;
    private volatile boolean closed;

    private DeploymentHeartbeat(DeploymentStore store, DeploymentStore.Registration registration, Supplier<ServingSnapshot> snapshots,
                                Map<String, String> refs, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.registration = registration;
        this.snapshots = snapshots;
        this.refs = Map.copyOf(refs);
        this.clock = clock;
        this.startedAt = clock.instant();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kiln-deployment-heartbeat");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Registers at once on the heartbeat's thread (or, if the store fails, at the next beat) and beats every
     * {@code registration.heartbeatInterval()}; starting never waits for the store.
     *
     * @param snapshots what the server serves now ({@code InferenceServer::snapshot})
     * @param refs      the reference each model name was served from on the command line
     */
    public static DeploymentHeartbeat start(DeploymentStore store, DeploymentStore.Registration registration,
                                            Supplier<ServingSnapshot> snapshots, Map<String, String> refs, Clock clock) {
        DeploymentHeartbeat h = new DeploymentHeartbeat(store, registration, snapshots, refs, clock);
        long ms = registration.heartbeatInterval().toMillis();
        h.timer.scheduleWithFixedDelay(h::beat, 0, ms, TimeUnit.MILLISECONDS);
        return h;
    }

    /** The id this process is registered under; null while no registration has succeeded. */
    public String id() {
        return id;
    }

    /** One beat: registers when not registered (or the row is gone), else writes the status. Never throws. */
    synchronized void beat() {
        if (closed) {
            return;
        }
        try {
            ServingSnapshot now = snapshots.get();
            Map<String, Object> status = DeploymentStatus.of(previous, now, refs);
            previous = now;
            if (id == null || !store.heartbeat(id, status, clock.instant())) {
                register(status);
            }
            if (failing) {
                LOG.log(System.Logger.Level.INFO, "deployment heartbeats reach the store again (" + id + ")");
                failing = false;
            }
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.log(System.Logger.Level.WARNING, "cannot write this server's deployment heartbeat to the store (serving goes on; "
                        + "tried again every " + registration.heartbeatInterval().toMillis() / 1000.0 + " s): " + e.getMessage(), e);
                failing = true;
            }
        }
    }

    private void register(Map<String, Object> status) {
        Deployment d = store.register(registration, status, startedAt);
        id = d.id();
        try {
            int pruned = store.prune();
            if (pruned > 0) {
                LOG.log(System.Logger.Level.INFO, "pruned " + pruned + " deployment(s) silent for more than " + DeploymentStore.PRUNE_AFTER);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "pruning old deployments failed: " + e.getMessage());
        }
    }

    /** Stops beating and removes this deployment from the store (a failure is logged: its row then turns lost). */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            closed = true;
            if (id != null) {
                try {
                    store.deregister(id);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot deregister deployment " + id + " (it will show as lost): " + e.getMessage());
                }
            }
        }
    }

    @Override
    public String toString() {
        return "deployment heartbeat " + id + " (" + registration.url() + ")";
    }
}
