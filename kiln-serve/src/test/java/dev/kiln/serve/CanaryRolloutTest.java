package dev.kiln.serve;

import static dev.kiln.serve.CanaryServerTest.put;
import static dev.kiln.serve.Fixtures.bundle;
import static dev.kiln.serve.Fixtures.postText;
import static dev.kiln.serve.TokensAndRepositoryTest.ADMIN;
import static dev.kiln.serve.TokensAndRepositoryTest.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.KilnModel;
import dev.kiln.serve.Fixtures.Reply;
import dev.kiln.serve.traffic.CanaryRollout;
import dev.kiln.serve.traffic.CanaryRollout.Plan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A canary's share goes up its steps while it keeps up with the model, and it is rolled back when it does not (the
 * decision itself: {@code dev.kiln.serve.traffic.CanaryDecisionTest}).
 */
class CanaryRolloutTest {
    @TempDir
    Path dir;

    /** Clients keep sending requests until {@code stop}; failures (non-200) are collected. */
    static List<Thread> clients(String base, String body, AtomicBoolean stop, List<String> failures) {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Thread th = new Thread(() -> {
                while (!stop.get()) {
                    Reply r = postText(base, "/v1/models/credit:predict", body, Map.of());
                    if (r.status() != 200) {
                        failures.add(r.status() + " " + r.text());
                    }
                }
            });
            th.start();
            threads.add(th);
        }
        return threads;
    }

    @Test
    void aHealthyCanaryIsRolledOutStepByStep() throws Exception {
        ModelHost host = new ModelHost();
        KilnModel linear = host.load("credit", bundle("credit-linear"), "1").model();
        host.putCanary("credit", KilnModel.load(bundle("credit-gbdt")), "2", 0);
        String body = InferenceServerTest.json(Map.of("instances", List.of(Fixtures.rows(linear).get(1))));
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0)) {
            String base = "http://127.0.0.1:" + server.port();
            AtomicBoolean stop = new AtomicBoolean();
            List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<Thread> threads = clients(base, body, stop, failures);
            // Latency is not what this test is about: a lax ratio keeps a slower tree model from failing it.
            CanaryRollout.Status started = server.rollouts().start("credit",
                    new Plan(List.of(1_000, 5_000, 10_000), Duration.ofMillis(300), 20, 0.01, 100));
            assertThat(started.state()).isEqualTo("running");
            assertThat(host.canary("credit").orElseThrow().basisPoints()).isEqualTo(1_000);
            RegistryFollowerTest.await(() -> server.rollouts().status("credit").orElseThrow().state().equals("complete"), "rolled out");
            stop.set(true);
            for (Thread t : threads) {
                t.join(10_000);
            }
            assertThat(failures).isEmpty();
            CanaryRollout.Status done = server.rollouts().status("credit").orElseThrow();
            assertThat(done.step()).isEqualTo(2);
            assertThat(done.percent()).isEqualTo(100.0);
            assertThat(host.canary("credit").orElseThrow().basisPoints()).isEqualTo(10_000);
            assertThat(Metrics.scrape(base).requests("credit", "2", "success")).isGreaterThanOrEqualTo(40);
        }
    }

    @Test
    void aCanaryFailingItsRequestsIsRolledBack() throws Exception {
        ModelHost host = new ModelHost();
        KilnModel linear = host.load("credit", bundle("credit-linear"), "1").model();
        KilnModel gbdt = KilnModel.load(bundle("credit-gbdt"));
        host.putCanary("credit", gbdt, "2", 0);
        String body = InferenceServerTest.json(Map.of("instances", List.of(Fixtures.rows(linear).get(1))));
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0)) {
            String base = "http://127.0.0.1:" + server.port();
            AtomicBoolean stop = new AtomicBoolean();
            List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<Thread> threads = clients(base, body, stop, failures);
            server.rollouts().start("credit", new Plan(List.of(5_000, 10_000), Duration.ofMillis(300), 20, 0.01, 100));
            // Requests pinned to the canary's version that it refuses (an integer column sent as BYTES): its error rate climbs.
            String badInfer = InferenceServerTest.json(Fixtures.oipRequest(gbdt, List.of(Fixtures.rows(gbdt).get(0)), null))
                    .replaceFirst("\"datatype\":\"INT64\"", "\"datatype\":\"BYTES\"");
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (!server.rollouts().status("credit").orElseThrow().state().equals("rolled_back") && System.nanoTime() < deadline) {
                Reply r = postText(base, "/v2/models/credit/versions/2/infer", badInfer, Map.of());
                if (r.status() == 404) {
                    break; // rolled back meanwhile: version 2 is no longer served
                }
                assertThat(r.status()).as(r.text()).isEqualTo(400);
            }
            RegistryFollowerTest.await(() -> server.rollouts().status("credit").orElseThrow().state().equals("rolled_back"), "rolled back");
            stop.set(true);
            for (Thread t : threads) {
                t.join(10_000);
            }
            assertThat(failures).as("the model's own requests never failed").isEmpty();
            assertThat(host.canary("credit")).isEmpty();
            assertThat(host.lastError("credit").orElseThrow()).contains("canary version 2 rolled back at 50.0%").contains("error rate");
            assertThat(server.rollouts().status("credit").orElseThrow().reason()).contains("error rate");
            assertThat(Metrics.scrape(base).sample("kiln_canary_rollbacks_total", "model=\"credit\"")).isEqualTo(1);
            Reply after = postText(base, "/v1/models/credit:predict", body, Map.of());
            assertThat(after.header(InferenceServer.VERSION_HEADER)).isEqualTo("1");
        }
    }

    @Test
    void theAdminRouteStartsARolloutAndTheIndexShowsIt() throws Exception {
        RepositoryFixture fixture = RepositoryFixture.of(dir);
        Path roots = fixture.roots();
        ModelHost host = fixture.host();
        ModelRepository repo = fixture.repo();
        String gbdt = InferenceServerTest.json(roots.resolve("gbdt").toString());
        String path = "/v2/repository/models/credit/canary";
        InferenceServer.Options options = InferenceServer.Options.defaults().withAdminToken(ADMIN).withRepository(repo);
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, null, options)) {
            String base = "http://127.0.0.1:" + server.port();
            for (String[] bad : new String[][] {
                    {"{\"ref\": " + gbdt + ", \"steps\": [50, 10]}", "increase"},
                    {"{\"ref\": " + gbdt + ", \"steps\": []}", "steps"},
                    {"{\"ref\": " + gbdt + ", \"steps\": [\"5\"]}", "steps"},
                    {"{\"ref\": " + gbdt + ", \"steps\": [5], \"percent\": 5}", "percent"},
                    {"{\"ref\": " + gbdt + ", \"interval_seconds\": 5}", "interval_seconds"},
                    {"{\"ref\": " + gbdt + ", \"steps\": [5], \"interval_seconds\": 0}", "interval_seconds"}}) {
                Reply r = put(base, path, bad[0], bearer(ADMIN));
                assertThat(r.status()).as(bad[0] + " " + r.text()).isEqualTo(400);
                assertThat(r.body().get("error").asText()).as(bad[0]).contains(bad[1]);
            }
            Reply set = put(base, path, "{\"ref\": " + gbdt + ", \"steps\": [5, 50, 100], \"interval_seconds\": 3600}", bearer(ADMIN));
            assertThat(set.status()).as(set.text()).isEqualTo(200);
            assertThat(set.body().get("percent").asDouble()).isEqualTo(5.0);
            assertThat(set.body().get("rollout").get("state").asText()).isEqualTo("running");
            JsonNode index = TokensAndRepositoryTest.getWith(base, "/v2/repository/index", bearer(ADMIN)).body();
            JsonNode rollout = index.get(0).get("canary").get("rollout");
            assertThat(rollout.get("steps").toString()).isEqualTo("[5.0,50.0,100.0]");
            assertThat(rollout.get("step").asInt()).isZero();
            // A share set by hand ends the rollout.
            assertThat(put(base, path, "{\"percent\": 20}", bearer(ADMIN)).status()).isEqualTo(200);
            assertThat(server.rollouts().status("credit")).isEmpty();
            assertThat(host.canary("credit").orElseThrow().basisPoints()).isEqualTo(2_000);
        }
    }
    @Test
    void aRolledBackRolloutStaysInTheIndexWithItsReasonAfterItsCanaryIsGone() throws Exception {
        RepositoryFixture fixture = RepositoryFixture.of(dir);
        ModelHost host = fixture.host();
        KilnModel linear = host.get("credit").orElseThrow().model();
        String body = InferenceServerTest.json(Map.of("instances", List.of(Fixtures.rows(linear).get(1))));
        String path = "/v2/repository/models/credit/canary";
        InferenceServer.Options options = InferenceServer.Options.defaults().withAdminToken(ADMIN).withRepository(fixture.repo());
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, null, options)) {
            String base = "http://127.0.0.1:" + server.port();
            String gbdt = InferenceServerTest.json(fixture.roots().resolve("gbdt").toString());
            Reply set = put(base, path, "{\"ref\": " + gbdt + ", \"steps\": [50, 100], \"interval_seconds\": 0.3}", bearer(ADMIN));
            assertThat(set.status()).as(set.text()).isEqualTo(200);
            String canaryVersion = set.body().get("canary_version").asText();
            KilnModel gbdtModel = host.canary("credit").orElseThrow().served().model();
            String badInfer = InferenceServerTest.json(Fixtures.oipRequest(gbdtModel, List.of(Fixtures.rows(gbdtModel).get(0)), null))
                    .replaceFirst("\"datatype\":\"INT64\"", "\"datatype\":\"BYTES\"");
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (host.canary("credit").isPresent() && System.nanoTime() < deadline) {
                postText(base, "/v1/models/credit:predict", body, Map.of());
                postText(base, "/v2/models/credit/versions/" + canaryVersion + "/infer", badInfer, Map.of());
            }
            assertThat(host.canary("credit")).as("rolled back").isEmpty();
            // The canary goes first, then the rollout records why: poll the index until it says.
            JsonNode entry = null;
            while (System.nanoTime() < deadline) {
                entry = TokensAndRepositoryTest.getWith(base, "/v2/repository/index", bearer(ADMIN)).body().get(0);
                if (entry.has("canary_rollout") && !entry.get("canary_rollout").get("state").asText().equals("running")) {
                    break;
                }
            }
            assertThat(entry.has("canary")).isFalse();
            assertThat(entry.get("canary_rollout").get("state").asText()).isEqualTo("rolled_back");
            assertThat(entry.get("canary_rollout").get("canary_version").asText()).isEqualTo(canaryVersion);
            assertThat(entry.get("canary_rollout").get("reason").asText()).contains("error rate");
        }
    }
}
