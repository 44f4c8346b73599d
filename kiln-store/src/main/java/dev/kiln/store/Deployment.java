package dev.kiln.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * One registered {@code kiln serve} process as a reader sees it at a moment: where it answers, which process it is,
 * when it started and last beat, and the status it wrote with that beat (what it serves, its traffic).
 *
 * @param heartbeatInterval how often the process said it would beat
 * @param age               how long ago its last heartbeat was, at the moment of reading (never negative)
 * @param state             {@link #LIVE}, or {@link #LOST} when the last heartbeat is older than
 *                          {@link DeploymentStore#LOST_AFTER_HEARTBEATS} intervals
 * @param logDir            its prediction log directory, or null when it logs nothing
 */
public record Deployment(String id, String url, String host, long pid, Instant startedAt, Instant heartbeatAt,
                         Duration heartbeatInterval, String kilnVersion, String logDir, Map<String, Object> status,
                         Duration age, String state) {
    public static final String LIVE = "live";
    public static final String LOST = "lost";

    public boolean live() {
        return LIVE.equals(state);
    }
}
