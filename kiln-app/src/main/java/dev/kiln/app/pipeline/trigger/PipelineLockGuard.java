package dev.kiln.app.pipeline.trigger;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.KilnStore;
import dev.kiln.store.PipelineLocks;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Holds a pipeline's run lock for the length of a run: takes it, renews the lease in the background every third
 * of its length, and releases it on close. If a renewal finds the lease lost (the process stalled past the lease
 * and another took it over), {@link #lost()} says so and renewing stops.
 */
public final class PipelineLockGuard implements AutoCloseable {
    private final PipelineLocks locks;
    private final ScheduledExecutorService renewer;
    private volatile PipelineLocks.Lease lease;
    private volatile boolean lost;
    private boolean closed;

    private PipelineLockGuard(PipelineLocks locks, PipelineLocks.Lease lease) {
        this.locks = locks;
        this.lease = lease;
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kiln-lock-renew-" + lease.pipeline());
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, lease.duration().toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes {@code pipeline}'s lock for {@code owner} ("kiln pipeline run", say); CONFLICT naming the holder
     * (owner, host, pid, since) when another run holds it.
     */
    public static PipelineLockGuard hold(KilnStore store, String pipeline, String owner, Duration lease) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<PipelineLockGuard> guard = tryHold(store, pipeline, owner, lease);
            if (guard.isPresent()) {
                return guard.get();
            }
            Optional<PipelineLocks.Holder> holder = store.pipelineLocks().holder(pipeline);
            if (holder.isPresent()) {
                PipelineLocks.Holder h = holder.get();
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("pipeline", pipeline);
                details.put("owner", h.owner());
                details.put("host", h.host());
                details.put("pid", h.pid());
                details.put("since", h.since().toString());
                throw new KilnException(ErrorCode.CONFLICT, "pipeline '" + pipeline + "' is already running: its lock is held by "
                        + h.describe(), details);
            }
            // released between the two looks: try again
        }
        throw new KilnException(ErrorCode.CONFLICT, "pipeline '" + pipeline + "' is already running: its lock keeps changing hands",
                Map.of("pipeline", pipeline));
    }

    /** Takes the lock when it is free; empty when another holds it. */
    public static Optional<PipelineLockGuard> tryHold(KilnStore store, String pipeline, String owner, Duration lease) {
        PipelineLocks locks = store.pipelineLocks();
        return locks.tryAcquire(pipeline, owner, lease).map(l -> new PipelineLockGuard(locks, l));
    }

    /** The lease as last renewed. */
    public PipelineLocks.Lease lease() {
        return lease;
    }

    /** Whether a renewal found the lock taken over by another. */
    public boolean lost() {
        return lost;
    }

    private void renew() {
        try {
            lease = locks.renew(lease);
        } catch (KilnException e) {
            if (e.code() == ErrorCode.CONFLICT) {
                lost = true;
                renewer.shutdown();
            }
            // anything else (the store briefly unreachable): the next renewal tries again within the lease
        }
    }

    /** Stops renewing without releasing: the lease runs out by itself (a run that would not stop still holds it). */
    public synchronized void abandon() {
        closed = true;
        renewer.shutdownNow();
    }

    /** Stops renewing and releases the lock (unless it was lost). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // An interrupt (a watch stopping) must not keep the release from reaching the store: set it aside.
        boolean interrupted = Thread.interrupted();
        renewer.shutdownNow();
        try {
            renewer.awaitTermination(10, TimeUnit.SECONDS); // a renewal under way finishes before the release
            if (!lost) {
                locks.release(lease);
            }
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
