package dev.kiln.serve;

import dev.kiln.serve.metrics.LatencyHistogram;
import dev.kiln.serve.traffic.CanaryRollout;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a server serves at one moment, read without touching the scoring path: per model name its version, canary,
 * shadow and bandit, the request counts of each version that has answered and the latency histogram, all cumulative
 * since the server started (two snapshots subtract to an interval). {@link InferenceServer#snapshot()} takes one.
 *
 * @param shuttingDown true once the server is draining (readiness false)
 */
public record ServingSnapshot(Instant at, boolean shuttingDown, List<Model> models) {

    /**
     * One served name.
     *
     * @param version   the version answering by default ("" while its first load has not succeeded)
     * @param ref       the reference it was loaded from, when the server's repository knows it (else null)
     * @param canary    null without a canary
     * @param shadow    null without a shadow
     * @param bandit    the bandit's arms, empty without one
     * @param versions  request counts so far by version (every version that has answered under this name)
     * @param lastError the last failed load of the name, its canary or its shadow; null when none
     */
    public record Model(String name, String version, String ref, Canary canary, Shadow shadow, List<Arm> bandit,
                        Map<String, CanaryRollout.Stats> versions, LatencyHistogram latency, String lastError) {
    }

    /** A canary: its version, the share of requests it answers (percent), its reference and its rollout, if known. */
    public record Canary(String version, double percent, String ref, CanaryRollout.Status rollout) {
    }

    /** A shadow: its version and reference (null when not known). */
    public record Shadow(String version, String ref) {
    }

    /**
     * One bandit arm: its version, the share of requests it would get now ({@link
     * dev.kiln.serve.traffic.Bandit#pickShares}), its posterior mean reward and the rewards credited to it.
     */
    public record Arm(String version, double pickShare, double meanReward, long rewards) {
    }
}
