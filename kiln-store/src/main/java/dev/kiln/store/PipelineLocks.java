package dev.kiln.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The run lock of each pipeline: at most one run of a pipeline at a time, across threads, processes and hosts
 * sharing the store. The lock is a lease: it expires unless its holder renews it. An expired lease, or one whose
 * owner process on this same host has died, is taken over atomically: of several racing takers exactly one wins.
 */
public interface PipelineLocks {
    /**
     * A held lease. {@code token} identifies this acquisition (renew and release only act while the row still
     * carries it); {@code duration} is how long each renewal extends it.
     */
    record Lease(String pipeline, String token, String owner, String host, long pid, Instant acquiredAt,
                 Instant expiresAt, Duration duration) {
    }

    /** Who holds a pipeline's lock: {@code owner} as its taker named itself, on {@code host} in process {@code pid}. */
    record Holder(String pipeline, String owner, String host, long pid, Instant since, Instant renewedAt,
                  Instant expiresAt) {
        /** "owner (host HOST, pid PID, since SINCE)", for messages. */
        public String describe() {
            return owner + " (host " + host + ", pid " + pid + ", since " + since + ")";
        }
    }

    /**
     * Takes the lock of {@code pipeline} for {@code lease} when it is free, expired, or held by a dead process
     * of this host; empty when someone else holds it (see {@link #holder}). INVALID_ARGUMENT for a blank name
     * or owner or a lease that is not positive.
     */
    Optional<Lease> tryAcquire(String pipeline, String owner, Duration lease);

    /**
     * Extends a held lease by its duration from now and returns the extended lease. CONFLICT when the lease
     * was lost (it expired and someone else took it over, or it was released).
     */
    Lease renew(Lease lease);

    /** Releases the lock when this lease still holds it; whether it did. */
    boolean release(Lease lease);

    /** The live holder of {@code pipeline}'s lock; empty when it is free, expired, or its owner process is gone. */
    Optional<Holder> holder(String pipeline);
}
