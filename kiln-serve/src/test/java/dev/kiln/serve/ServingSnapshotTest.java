package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static dev.kiln.serve.Fixtures.postText;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.KilnModel;
import dev.kiln.serve.metrics.LatencyHistogram;
import dev.kiln.serve.traffic.Bandit;
import dev.kiln.serve.traffic.CanaryRollout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** A server's snapshot: what each name serves (canary, shadow, bandit) and its counts by version, read while it serves. */
class ServingSnapshotTest {

    @Test
    void aSnapshotShowsTheCanaryAndShadowAndCountsEachVersionsRequests() {
        ModelHost host = new ModelHost();
        KilnModel linear = host.load("credit", bundle("credit-linear"), "1").model();
        KilnModel gbdt = KilnModel.load(bundle("credit-gbdt"));
        host.putCanary("credit", gbdt, "2", 2_500);
        host.load("other", bundle("credit-linear"), "7");
        host.putShadow("other", gbdt, "8");
        String body = InferenceServerTest.json(Map.of("instances", List.of(Fixtures.rows(linear).get(0))));
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0)) {
            ServingSnapshot before = server.snapshot();
            assertThat(before.shuttingDown()).isFalse();
            assertThat(before.models()).extracting(ServingSnapshot.Model::name).containsExactly("credit", "other");
            ServingSnapshot.Model idle = before.models().get(0);
            assertThat(idle.version()).isEqualTo("1");
            assertThat(idle.versions()).as("no requests yet").isEmpty();
            assertThat(idle.latency().count()).isZero();
            assertThat(idle.latency().quantileSeconds(0.99)).isNaN();

            String base = "http://127.0.0.1:" + server.port();
            int n = 400;
            for (int i = 0; i < n; i++) {
                assertThat(postText(base, "/v1/models/credit:predict", body, Map.of(InferenceServer.ROUTE_KEY_HEADER, "k" + i))
                        .status()).isEqualTo(200);
            }
            assertThat(postText(base, "/v1/models/credit:predict", "{\"instances\": [{\"x\": 1}]}", Map.of()).status())
                    .as("a client error").isEqualTo(400);

            ServingSnapshot after = server.snapshot();
            assertThat(after.at()).isAfterOrEqualTo(before.at());
            ServingSnapshot.Model credit = after.models().get(0);
            assertThat(credit.canary()).isNotNull();
            assertThat(credit.canary().version()).isEqualTo("2");
            assertThat(credit.canary().percent()).isEqualTo(25.0);
            assertThat(credit.shadow()).isNull();
            assertThat(credit.bandit()).isEmpty();
            long one = credit.versions().get("1").requests();
            long two = credit.versions().get("2").requests();
            assertThat(one + two).isEqualTo(n + 1);
            assertThat(two / (double) n).isCloseTo(0.25, Offset.offset(0.06));
            assertThat(credit.versions().get("1").clientErrors() + credit.versions().get("2").clientErrors()).isEqualTo(1);
            assertThat(credit.latency().count()).isEqualTo(n + 1);
            double p50 = credit.latency().quantileSeconds(0.5);
            double p99 = credit.latency().quantileSeconds(0.99);
            assertThat(p50).isGreaterThan(0).isLessThanOrEqualTo(p99);
            assertThat(p99).isLessThan(5);

            ServingSnapshot.Model other = after.models().get(1);
            assertThat(other.version()).isEqualTo("7");
            assertThat(other.shadow()).isEqualTo(new ServingSnapshot.Shadow("8", null));
            assertThat(other.canary()).isNull();
            assertThat(other.versions()).isEmpty();

            LatencyHistogram interval = after.models().get(0).latency().minus(before.models().get(0).latency());
            assertThat(interval.count()).isEqualTo(n + 1);
            server.beginShutdown();
            assertThat(server.snapshot().shuttingDown()).isTrue();
        }
    }

    @Test
    void aRolloutShowsWithItsCanary() {
        ModelHost host = new ModelHost();
        host.load("credit", bundle("credit-linear"), "1");
        host.putCanary("credit", KilnModel.load(bundle("credit-gbdt")), "2", 100);
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0)) {
            server.rollouts().start("credit", CanaryRollout.Plan.of(List.of(5.0, 50.0, 100.0), java.time.Duration.ofHours(1)));
            ServingSnapshot.Canary canary = server.snapshot().models().get(0).canary();
            assertThat(canary.percent()).isEqualTo(5.0);
            assertThat(canary.rollout()).isNotNull();
            assertThat(canary.rollout().state()).isEqualTo("running");
            assertThat(canary.rollout().steps()).containsExactly(5.0, 50.0, 100.0);
        }
    }

    @Test
    void aBanditsSharesFollowItsPosteriorsAndSumToOne() {
        ModelHost host = new ModelHost();
        KilnModel linear = host.load("credit", bundle("credit-linear"), "1").model();
        Map<String, KilnModel> arms = new LinkedHashMap<>();
        arms.put("1", linear);
        arms.put("2", KilnModel.load(bundle("credit-gbdt")));
        Bandit bandit = host.putBandit("credit", arms);
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0)) {
            List<ServingSnapshot.Arm> even = server.snapshot().models().get(0).bandit();
            assertThat(even).extracting(ServingSnapshot.Arm::version).containsExactly("1", "2");
            assertThat(even.get(0).pickShare()).isCloseTo(0.5, Offset.offset(0.05));
            assertThat(even.get(0).pickShare() + even.get(1).pickShare()).isCloseTo(1.0, Offset.offset(1e-9));

            bandit.restore("2", 90, 100);
            bandit.restore("1", 10, 100);
            List<ServingSnapshot.Arm> skewed = server.snapshot().models().get(0).bandit();
            assertThat(skewed.get(1).pickShare()).isGreaterThan(0.99);
            assertThat(skewed.get(1).meanReward()).isCloseTo(91 / 102.0, Offset.offset(1e-9));
            assertThat(skewed.get(1).rewards()).isEqualTo(100);
            assertThat(server.snapshot().models().get(0).bandit()).as("the same posteriors, the same shares").isEqualTo(skewed);
        }
    }

    @Test
    void quantilesInterpolateWithinTheirBucketAsPrometheusDoes() {
        // Buckets at 1, 2 and 4 ms with 10, 30 and 40 requests at or under each.
        LatencyHistogram h = LatencyHistogram.of(new double[] {0.001, 0.002, 0.004}, new double[] {10, 30, 40}, 40, 0.08);
        assertThat(h.quantileSeconds(0.25)).as("the 10th request: the top of the first bucket").isCloseTo(0.001, Offset.offset(1e-12));
        assertThat(h.quantileSeconds(0.5)).as("the 20th: half way through the second").isCloseTo(0.0015, Offset.offset(1e-12));
        assertThat(h.quantileSeconds(0.125)).as("the 5th: half way from 0 to 1 ms").isCloseTo(0.0005, Offset.offset(1e-12));
        assertThat(h.quantileSeconds(1.0)).isCloseTo(0.004, Offset.offset(1e-12));

        LatencyHistogram earlier = LatencyHistogram.of(new double[] {0.001, 0.002, 0.004}, new double[] {10, 10, 10}, 10, 0.005);
        LatencyHistogram since = h.minus(earlier);
        assertThat(since.count()).isEqualTo(30);
        assertThat(since.totalSeconds()).isCloseTo(0.075, Offset.offset(1e-12));
        assertThat(since.quantileSeconds(0.5)).as("the 15th of 30: in the second bucket").isCloseTo(0.00175, Offset.offset(1e-12));
        assertThat(h.minus(LatencyHistogram.EMPTY)).isSameAs(h);
        LatencyHistogram restarted = LatencyHistogram.of(new double[] {0.001, 0.002, 0.004}, new double[] {1, 1, 1}, 1, 0.001);
        assertThat(restarted.minus(h)).as("fewer requests than before: a new histogram, taken whole").isSameAs(restarted);
    }
}
