package dev.kiln.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The running {@code kiln serve} processes: each registers when it starts, writes a heartbeat with its status
 * every few seconds, and deregisters when it stops cleanly. Whether a deployment is live or lost is decided when it
 * is read, from the age of its last heartbeat against its own interval; rows silent for {@link #PRUNE_AFTER} are
 * pruned.
 */
public interface DeploymentStore {
    /** How often {@code kiln serve} beats unless told otherwise. */
    Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(5);
    /** A deployment whose last heartbeat is older than this many of its intervals is {@link Deployment#LOST}. */
    int LOST_AFTER_HEARTBEATS = 3;
    /** Rows whose last heartbeat is older than this are removed by {@link #prune()}. */
    Duration PRUNE_AFTER = Duration.ofDays(1);

    /**
     * What a starting server says about itself; host and process id are the registering process's own.
     *
     * @param logDir null when the server keeps no prediction log
     */
    record Registration(String url, String kilnVersion, String logDir, Duration heartbeatInterval) {
    }

    /**
     * Registers this process as a deployment started at {@code startedAt}, with its first status, under a new random
     * id. INVALID_ARGUMENT for a blank or over-long url or version, or an interval that is not positive.
     */
    Deployment register(Registration registration, Map<String, Object> status, Instant startedAt);

    /**
     * Records a heartbeat of deployment {@code id} at {@code at} with its status now; false when there is no such row
     * (it deregistered, or was pruned while the process could not reach the store: register again).
     */
    boolean heartbeat(String id, Map<String, Object> status, Instant at);

    /** Removes deployment {@code id} (a clean shutdown); whether it was there. */
    boolean deregister(String id);

    /** Every registered deployment, live ones first, then by url; each with its age and state as of now. */
    List<Deployment> list();

    /** One deployment with its age and state as of now. */
    Optional<Deployment> get(String id);

    /** Removes the deployments whose last heartbeat is older than {@link #PRUNE_AFTER}; how many. */
    int prune();
}
