package dev.kiln.app.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.serve.ServingSnapshot;
import dev.kiln.serve.metrics.LatencyHistogram;
import dev.kiln.serve.traffic.CanaryRollout;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The status a heartbeat writes: what each name serves, and its traffic over the interval between two snapshots. */
class DeploymentStatusTest {
    private static final Instant T0 = Instant.parse("2026-12-06T08:00:00Z");
    private static final double[] BOUNDS = {0.001, 0.002, 0.004};

    private static ServingSnapshot.Model credit(Map<String, CanaryRollout.Stats> versions, LatencyHistogram latency,
                                                ServingSnapshot.Canary canary) {
        return new ServingSnapshot.Model("credit", "3", null, canary, new ServingSnapshot.Shadow("5", "credit@challenger"), List.of(),
                versions, latency, null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> first(Map<String, Object> status) {
        return ((List<Map<String, Object>>) status.get("models")).get(0);
    }

    @Test
    void ratesErrorRatesAndLatencyAreOverTheIntervalBetweenSnapshots() {
        ServingSnapshot.Canary canary = new ServingSnapshot.Canary("4", 10.0, "credit@staging",
                new CanaryRollout.Status("credit", "4", List.of(10.0, 50.0, 100.0), 0, 10.0, "running", "started at 10.0%", T0));
        ServingSnapshot before = new ServingSnapshot(T0, false, List.of(credit(
                Map.of("3", new CanaryRollout.Stats(100, 0, 0, 100_000_000L)),
                LatencyHistogram.of(BOUNDS, new double[] {100, 100, 100}, 100, 0.05), canary)));
        // 5 s later: version 3 answered 90 more (1 client error, 1 server error), the canary 10 (0 errors).
        ServingSnapshot after = new ServingSnapshot(T0.plusSeconds(5), false, List.of(credit(
                Map.of("3", new CanaryRollout.Stats(188, 1, 1, 190_000_000L), "4", new CanaryRollout.Stats(10, 0, 0, 20_000_000L)),
                LatencyHistogram.of(BOUNDS, new double[] {150, 190, 200}, 200, 0.2), canary)));

        Map<String, Object> status = DeploymentStatus.of(before, after, Map.of("credit", "credit"));
        assertThat(status.get("state")).isEqualTo("serving");
        assertThat(status.get("interval_seconds")).isEqualTo(5.0);
        Map<String, Object> m = first(status);
        assertThat(m.get("name")).isEqualTo("credit");
        assertThat(m.get("version")).isEqualTo("3");
        assertThat(m.get("ref")).as("from the command line: the server's repository did not know it").isEqualTo("credit");
        assertThat(m.get("alias")).isEqualTo("production");
        assertThat(m.get("request_rate")).isEqualTo(20.0);
        assertThat(m.get("error_rate")).isEqualTo(0.02);
        assertThat(m.get("server_error_rate")).isEqualTo(0.01);
        assertThat(m.get("requests_total")).isEqualTo(200L);
        assertThat(m.get("mean_ms")).as("110 ms over 100 requests").isEqualTo(1.1);
        // 100 requests in the interval: 50 under 1 ms, 40 in (1, 2], 10 in (2, 4]; the 50th is at 1 ms, the 99th at 3.8 ms.
        assertThat(m.get("p50_ms")).isEqualTo(1.0);
        assertThat(m.get("p99_ms")).isEqualTo(3.8);
        assertThat(m.get("canary")).isEqualTo(Map.of("version", "4", "percent", 10.0, "ref", "credit@staging", "rollout",
                Map.of("state", "running", "steps", List.of(10.0, 50.0, 100.0), "step", 0, "reason", "started at 10.0%")));
        assertThat(m.get("shadow")).isEqualTo(Map.of("version", "5", "ref", "credit@challenger"));
        assertThat(m.get("bandit")).isNull();
        assertThat((List<?>) m.get("versions")).hasSize(2);
        assertThat((Map<String, Object>) ((List<Map<String, Object>>) m.get("versions")).get(1))
                .containsEntry("version", "4").containsEntry("request_rate", 2.0).containsEntry("error_rate", 0.0);
    }

    @Test
    void theFirstReportAndAnIdleIntervalHaveNoRatesOrLatencies() {
        ServingSnapshot idle = new ServingSnapshot(T0, false, List.of(credit(Map.of(), LatencyHistogram.EMPTY, null)));
        Map<String, Object> first = first(DeploymentStatus.of(null, idle, Map.of()));
        assertThat(first.get("request_rate")).isNull();
        assertThat(first.get("p99_ms")).isNull();
        assertThat(first.get("error_rate")).isNull();
        assertThat(first.get("ref")).isNull();
        assertThat(first.get("alias")).isNull();

        ServingSnapshot later = new ServingSnapshot(T0.plusSeconds(5), true, idle.models());
        Map<String, Object> status = DeploymentStatus.of(idle, later, Map.of("credit", "credit:3"));
        assertThat(status.get("state")).isEqualTo("draining");
        Map<String, Object> m = first(status);
        assertThat(m.get("request_rate")).isEqualTo(0.0);
        assertThat(m.get("error_rate")).as("no requests: no rate").isNull();
        assertThat(m.get("p50_ms")).isNull();
        assertThat(m.get("alias")).as("a pinned version follows no alias").isNull();
    }

    @Test
    void aBanditShowsWhatEachArmWouldGetAndWhatItGotAndBundlesFollowNoAlias() {
        ServingSnapshot.Model before = new ServingSnapshot.Model("ab", "1", null, null, null,
                List.of(new ServingSnapshot.Arm("1", 0.25, 0.4, 10), new ServingSnapshot.Arm("2", 0.75, 0.6, 30)),
                Map.of("1", new CanaryRollout.Stats(10, 0, 0, 0), "2", new CanaryRollout.Stats(10, 0, 0, 0)), LatencyHistogram.EMPTY, null);
        ServingSnapshot.Model after = new ServingSnapshot.Model("ab", "1", null, null, null, before.bandit(),
                Map.of("1", new CanaryRollout.Stats(20, 0, 0, 0), "2", new CanaryRollout.Stats(40, 0, 0, 0)), LatencyHistogram.EMPTY,
                "the canary was removed");
        Map<String, Object> m = first(DeploymentStatus.of(new ServingSnapshot(T0, false, List.of(before)),
                new ServingSnapshot(T0.plusSeconds(10), false, List.of(after)), Map.of("ab", "/srv/bundles/ab")));
        assertThat(m.get("bandit")).isEqualTo(List.of(
                Map.of("version", "1", "share", 0.25, "traffic_share", 0.25, "mean_reward", 0.4, "rewards", 10L),
                Map.of("version", "2", "share", 0.75, "traffic_share", 0.75, "mean_reward", 0.6, "rewards", 30L)));
        assertThat(m.get("request_rate")).isEqualTo(4.0);
        assertThat(m.get("alias")).isNull();
        assertThat(m.get("last_error")).isEqualTo("the canary was removed");
    }

    @Test
    void versionsAreListedInNumericOrder() {
        ServingSnapshot now = new ServingSnapshot(T0, false, List.of(credit(Map.of("10", CanaryRollout.Stats.ZERO,
                "9", CanaryRollout.Stats.ZERO, "sha256:abc", CanaryRollout.Stats.ZERO), LatencyHistogram.EMPTY, null)));
        assertThat((List<Map<String, Object>>) first(DeploymentStatus.of(null, now, Map.of())).get("versions"))
                .extracting(v -> v.get("version")).containsExactly("9", "10", "sha256:abc");
    }

    @Test
    void aVersionServedAfreshCountsFromZero() {
        ServingSnapshot before = new ServingSnapshot(T0, false, List.of(credit(Map.of("3", new CanaryRollout.Stats(500, 0, 0, 0)),
                LatencyHistogram.EMPTY, null)));
        ServingSnapshot after = new ServingSnapshot(T0.plusSeconds(2), false, List.of(credit(Map.of("3", new CanaryRollout.Stats(8, 0, 2, 0)),
                LatencyHistogram.EMPTY, null)));
        Map<String, Object> m = first(DeploymentStatus.of(before, after, Map.of()));
        assertThat(m.get("request_rate")).isEqualTo(5.0);
        assertThat(m.get("server_error_rate")).isEqualTo(0.2);
    }
}
