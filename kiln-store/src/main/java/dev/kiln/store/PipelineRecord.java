package dev.kiln.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One pipeline run as recorded: what triggered it, its stages in order (each a map with at least {@code stage},
 * {@code status}, {@code key}, {@code seconds}, {@code message}), and how it ended.
 *
 * @param status {@code running}, {@code succeeded}, {@code refused} (a gate, validation or rollout said no) or
 *               {@code failed}; a {@code running} run whose process is gone was killed
 */
public record PipelineRecord(String id, String pipeline, String triggerKind, String triggerReason, String status,
                             String outcome, List<Map<String, Object>> stages, String host, long pid, Instant startedAt,
                             Instant endedAt) {
    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String REFUSED = "refused";
    public static final String FAILED = "failed";

    /** Whether this run was left running by a process on this host that is gone. */
    public boolean killed() {
        return RUNNING.equals(status) && JdbcTrackingStore.HOST.equals(host)
                && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }
}
