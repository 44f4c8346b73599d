package dev.kiln.serve;

import static dev.kiln.serve.CanaryServerTest.delete;
import static dev.kiln.serve.CanaryServerTest.put;
import static dev.kiln.serve.Fixtures.bundle;
import static dev.kiln.serve.Fixtures.postText;
import static dev.kiln.serve.TokensAndRepositoryTest.ADMIN;
import static dev.kiln.serve.TokensAndRepositoryTest.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.KilnModel;
import dev.kiln.serve.Fixtures.Reply;
import dev.kiln.serve.traffic.Bandit;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bandit on a real server: traffic moves to the version that earns rewards through the feedback route. */
class BanditServerTest {
    @TempDir
    Path dir;

    static String feedback(String requestId, Object reward) {
        return "{\"request_id\": \"" + requestId + "\", \"reward\": " + reward + "}";
    }

    @Test
    void feedbackRewardsMoveTrafficToTheVersionThatEarnsThem() throws Exception {
        ModelHost host = new ModelHost();
        KilnModel linear = host.load("credit", bundle("credit-linear"), "1").model();
        Map<String, KilnModel> arms = new LinkedHashMap<>();
        arms.put("1", linear);
        arms.put("2", KilnModel.load(bundle("credit-gbdt")));
        host.putBandit("credit", arms);
        Map<String, Object> row = Fixtures.rows(linear).get(0);
        String body = InferenceServerTest.json(Map.of("instances", List.of(row)));
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, new PredictionLog(dir.resolve("log")))) {
            String base = "http://127.0.0.1:" + server.port();
            long fast = server.fastPathAnswered();
            int n = 300;
            int lateTwo = 0;
            for (int i = 0; i < n; i++) {
                Reply r = postText(base, "/v1/models/credit:predict", body, Map.of());
                assertThat(r.status()).as(r.text()).isEqualTo(200);
                String version = r.header(InferenceServer.VERSION_HEADER);
                assertThat(r.body().get("model_version").asText()).isEqualTo(version);
                Reply f = postText(base, "/v1/models/credit:feedback", feedback(r.body().get("request_id").asText(),
                        version.equals("2") ? 1 : 0), Map.of());
                assertThat(f.status()).as(f.text()).isEqualTo(202);
                if (i >= n - 100 && version.equals("2")) {
                    lateTwo++;
                }
            }
            assertThat(server.fastPathAnswered() - fast).as("routed on the fast path").isEqualTo(n);
            assertThat(lateTwo).as("the last 100 requests mostly go to the version rewarded").isGreaterThanOrEqualTo(80);
            Bandit bandit = host.bandit("credit").orElseThrow();
            assertThat(bandit.posteriors().get(0).rewards() + bandit.posteriors().get(1).rewards()).isEqualTo(n);
            assertThat(bandit.posteriors().get(1).mean()).isGreaterThan(0.95);

            // The Javalin and OIP routes go through the bandit too.
            server.fastPath(false);
            Reply tree = postText(base, "/v1/models/credit:predict", body, Map.of());
            server.fastPath(true);
            assertThat(tree.status()).isEqualTo(200);
            Reply oip = postText(base, "/v2/models/credit/infer", InferenceServerTest.json(Fixtures.oipRequest(linear, List.of(row), null)),
                    Map.of());
            assertThat(oip.status()).as(oip.text()).isEqualTo(200);
            long credited = bandit.posteriors().get(0).rewards() + bandit.posteriors().get(1).rewards();
            assertThat(postText(base, "/v1/models/credit:feedback", feedback(tree.body().get("request_id").asText(), 1), Map.of())
                    .status()).isEqualTo(202);
            assertThat(postText(base, "/v1/models/credit:feedback", feedback(oip.header(InferenceServer.REQUEST_ID_HEADER), 1), Map.of())
                    .status()).isEqualTo(202);
            assertThat(bandit.posteriors().get(0).rewards() + bandit.posteriors().get(1).rewards()).as("both credited")
                    .isEqualTo(credited + 2);

            // Rewards are 0 to 1 for a bandit; an unknown request is accepted and counted as unattributed.
            Reply bad = postText(base, "/v1/models/credit:feedback", feedback("whatever", 1.5), Map.of());
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.body().get("error").get("message").asText()).contains("reward").contains("0 to 1");
            long twoBefore = bandit.posteriors().get(1).rewards();
            assertThat(postText(base, "/v1/models/credit:feedback", "{\"request_id\": \"long-ago\", \"reward\": 1, \"model_version\": \"2\"}",
                    Map.of()).status()).isEqualTo(202);
            assertThat(bandit.posteriors().get(1).rewards()).as("credited to the version the feedback names").isEqualTo(twoBefore + 1);
            long before = bandit.unattributed();
            assertThat(postText(base, "/v1/models/credit:feedback", feedback("never-seen", 1), Map.of()).status()).isEqualTo(202);
            assertThat(bandit.unattributed()).isEqualTo(before + 1);

            Metrics m = Metrics.scrape(base);
            assertThat(m.sample("kiln_bandit_rewards_total", "model=\"credit\"", "version=\"1\"")
                    + m.sample("kiln_bandit_rewards_total", "model=\"credit\"", "version=\"2\"")).isEqualTo(n + 3);
            assertThat(m.sample("kiln_bandit_mean_reward", "model=\"credit\"", "version=\"2\"")).isGreaterThan(0.95);
            assertThat(m.requests("credit", "2", "success")).isGreaterThan(m.requests("credit", "1", "success"));
            JsonNode meta = Fixtures.get(base, "/v2/models/credit").body();
            assertThat(meta.get("versions").toString()).isEqualTo("[\"1\",\"2\"]");
        }
    }

    /** Three arms, none of them the model's version: each is counted under its own version (no meters thrash). */
    @Test
    void everyArmIsCountedUnderItsOwnVersion() throws Exception {
        ModelHost host = new ModelHost();
        KilnModel linear = host.load("credit", bundle("credit-linear"), "1").model();
        Map<String, KilnModel> arms = new LinkedHashMap<>();
        for (String v : List.of("2", "3", "4")) {
            arms.put(v, linear);
        }
        host.putBandit("credit", arms);
        String body = InferenceServerTest.json(Map.of("instances", List.of(Fixtures.rows(linear).get(0))));
        Map<String, Integer> answered = new java.util.HashMap<>();
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, new PredictionLog(dir.resolve("log")))) {
            String base = "http://127.0.0.1:" + server.port();
            for (int i = 0; i < 90; i++) {
                Reply r = postText(base, "/v1/models/credit:predict", body, Map.of());
                assertThat(r.status()).isEqualTo(200);
                answered.merge(r.header(InferenceServer.VERSION_HEADER), 1, Integer::sum);
            }
            Metrics m = Metrics.scrape(base);
            for (String v : List.of("2", "3", "4")) {
                assertThat(m.requests("credit", v, "success")).as("version " + v).isEqualTo((double) answered.getOrDefault(v, 0));
            }
            assertThat(answered.keySet()).as("no feedback: every arm keeps being tried").containsExactlyInAnyOrder("2", "3", "4");
            assertThat(m.requests("credit", "1", "success")).isZero();
        }
    }

    @Test
    void adminRoutesSetAndRemoveTheBandit() throws Exception {
        RepositoryFixture fixture = RepositoryFixture.of(dir);
        Path roots = fixture.roots();
        ModelHost host = fixture.host();
        ModelRepository repo = fixture.repo();
        String path = "/v2/repository/models/credit/bandit";
        String linear = InferenceServerTest.json(roots.resolve("linear").toString());
        String gbdt = InferenceServerTest.json(roots.resolve("gbdt").toString());
        String body = "{\"refs\": [" + linear + ", " + gbdt + "]}";
        InferenceServer.Options options = InferenceServer.Options.defaults().withAdminToken(ADMIN).withRepository(repo);
        try (InferenceServer noLog = InferenceServer.start(host, "127.0.0.1", 0, null, options)) {
            Reply r = put("http://127.0.0.1:" + noLog.port(), path, body, bearer(ADMIN));
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body().get("error").asText()).contains("no prediction log");
        }
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, new PredictionLog(dir.resolve("log")), options)) {
            String base = "http://127.0.0.1:" + server.port();
            assertThat(put(base, path, body, Map.of()).status()).isEqualTo(401);
            Reply set = put(base, path, body, bearer(ADMIN));
            assertThat(set.status()).as(set.text()).isEqualTo(200);
            assertThat(set.body().get("arms").size()).isEqualTo(2);
            assertThat(set.body().get("arms").get(0).get("mean_reward").asDouble()).isEqualTo(0.5);
            JsonNode index = TokensAndRepositoryTest.getWith(base, "/v2/repository/index", bearer(ADMIN)).body();
            assertThat(index.get(0).get("bandit").get("arms").size()).isEqualTo(2);
            for (String[] bad : new String[][] {{"{}", "refs"}, {"{\"refs\": " + linear + "}", "refs"}, {"{\"refs\": [" + linear + "]}", "two"},
                    {"{\"refs\": [" + linear + ", " + linear + "]}", "another version"}, {"{\"refs\": [3, 4]}", "strings"},
                    {"{\"arms\": []}", "arms"}}) {
                Reply r = put(base, path, bad[0], bearer(ADMIN));
                assertThat(r.status()).as(bad[0] + " " + r.text()).isEqualTo(400);
                assertThat(r.body().get("error").asText()).as(bad[0]).contains(bad[1]);
            }
            Reply canary = put(base, "/v2/repository/models/credit/canary", "{\"ref\": " + gbdt + "}", bearer(ADMIN));
            assertThat(canary.status()).as("a bandit and a canary exclude each other").isEqualTo(409);
            Reply removed = delete(base, path, bearer(ADMIN));
            assertThat(removed.status()).as(removed.text()).isEqualTo(200);
            assertThat(host.bandit("credit")).isEmpty();
            assertThat(delete(base, path, bearer(ADMIN)).status()).isEqualTo(404);
            assertThat(put(base, "/v2/repository/models/credit/canary", "{\"ref\": " + gbdt + "}", bearer(ADMIN)).status()).isEqualTo(200);
            Reply noBandit = put(base, path, body, bearer(ADMIN));
            assertThat(noBandit.status()).isEqualTo(409);
            assertThat(noBandit.body().get("error").asText()).contains("has a canary");
        }
    }
}
