package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static dev.kiln.serve.Fixtures.get;
import static dev.kiln.serve.Fixtures.postText;
import static dev.kiln.serve.PredictionLogTest.records;
import static dev.kiln.serve.TokensAndRepositoryTest.ADMIN;
import static dev.kiln.serve.TokensAndRepositoryTest.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.KilnModel;
import dev.kiln.serve.Fixtures.Reply;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A canary on a real server: the split, sticky keys, answers, metrics and log by version, and the admin routes. */
class CanaryServerTest {
    static final Offset<Double> EXACT = Offset.offset(1e-12);

    @TempDir
    Path dir;

    /** Every scoring answer of a test by the version that gave it (Kiln-Model-Version). */
    final Map<String, Integer> answered = new HashMap<>();

    /** A scoring request that must succeed, tallied by the version that answered. */
    Reply score(String base, String path, String body, Map<String, String> headers) {
        Reply r = postText(base, path, body, headers);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        answered.merge(r.header(InferenceServer.VERSION_HEADER), 1, Integer::sum);
        return r;
    }

    /** Sends {@code n} single-row requests keyed customer-0..n-1 and checks each answer against the version that gave it. */
    Map<String, Integer> split(String base, String path, String body, int n, Map<String, Map<String, Object>> expected,
                                      Map<String, String> requestIds) {
        Map<String, Integer> byVersion = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String key = "customer-" + i;
            Reply r = score(base, path, body, Map.of(InferenceServer.ROUTE_KEY_HEADER, key));
            String version = r.header(InferenceServer.VERSION_HEADER);
            assertThat(r.body().get("model_version").asText()).isEqualTo(version);
            assertThat(r.body().get("predictions").get(0).get("probability_bad").asDouble())
                    .as("answered by version " + version).isCloseTo((Double) expected.get(version).get("bad"), Offset.offset(1e-12));
            byVersion.merge(version, 1, Integer::sum);
            requestIds.put(r.body().get("request_id").asText(), version);
        }
        return byVersion;
    }

    static int keysUnder(int n, int basisPoints) {
        int count = 0;
        for (int i = 0; i < n; i++) {
            count += ModelHost.bucket("customer-" + i) < basisPoints ? 1 : 0;
        }
        return count;
    }

    static Reply put(String base, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return Fixtures.send(b);
    }

    static Reply delete(String base, String path, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).DELETE();
        headers.forEach(b::header);
        return Fixtures.send(b);
    }

    @Test
    void theCanaryAnswersItsShareByKeyOnBothPathsAndIsCountedAndLoggedByVersion() throws Exception {
        ModelHost host = new ModelHost();
        KilnModel linear = host.load("credit", bundle("credit-linear"), "1").model();
        KilnModel gbdt = KilnModel.load(bundle("credit-gbdt"));
        host.putCanary("credit", gbdt, "2", 1_000);
        Map<String, Object> row = Fixtures.rows(gbdt).get(3);
        Map<String, Map<String, Object>> expected = Map.of(
                "1", Map.of("bad", linear.predict(row).probabilities().get("bad")),
                "2", Map.of("bad", gbdt.predict(row).probabilities().get("bad")));
        assertThat((Double) expected.get("1").get("bad")).as("the two versions answer differently")
                .isNotCloseTo((Double) expected.get("2").get("bad"), Offset.offset(1e-6));
        String body = InferenceServerTest.json(Map.of("instances", List.of(row)));
        Path logDir = dir.resolve("log");
        PredictionLog log = new PredictionLog(logDir);
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, log)) {
            String base = "http://127.0.0.1:" + server.port();
            Map<String, String> requestIds = new LinkedHashMap<>();

            // 10% on the fast path: exactly the keys whose bucket is under 1,000 go to the canary.
            int n = 1_000;
            long fastBefore = server.fastPathAnswered();
            Map<String, Integer> tenth = split(base, "/v1/models/credit:predict", body, n, expected, requestIds);
            assertThat(server.fastPathAnswered() - fastBefore).as("answered on the fast path").isEqualTo(n);
            assertThat(tenth.getOrDefault("2", 0)).isEqualTo(keysUnder(n, 1_000));
            assertThat(tenth.getOrDefault("2", 0) / (double) n).isCloseTo(0.10, Offset.offset(0.03));

            // 50% on the Javalin route: the same keys that went to the canary at 10% still do (a key stays on its side
            // when the share grows).
            host.setCanaryShare("credit", 5_000);
            server.fastPath(false);
            Map<String, String> half = new LinkedHashMap<>();
            Map<String, Integer> halfSplit = split(base, "/v1/models/credit:predict", body, n, expected, half);
            server.fastPath(true);
            assertThat(halfSplit.getOrDefault("2", 0)).isEqualTo(keysUnder(n, 5_000));
            assertThat(halfSplit.getOrDefault("2", 0) / (double) n).isCloseTo(0.50, Offset.offset(0.05));
            requestIds.putAll(half);
            for (int i = 0; i < n; i++) {
                if (ModelHost.bucket("customer-" + i) < 1_000) {
                    Reply r = score(base, "/v1/models/credit:predict", body, Map.of(InferenceServer.ROUTE_KEY_HEADER, "customer-" + i));
                    assertThat(r.header(InferenceServer.VERSION_HEADER)).isEqualTo("2");
                }
            }

            // Sticky: one key, twenty requests, one version. Without a key the request id decides.
            String sticky = ModelHost.bucket("customer-7") < 5_000 ? "2" : "1";
            for (int i = 0; i < 20; i++) {
                assertThat(score(base, "/v1/models/credit:predict", body, Map.of(InferenceServer.ROUTE_KEY_HEADER, "customer-7"))
                        .header(InferenceServer.VERSION_HEADER)).isEqualTo(sticky);
                String id = "req-" + i;
                Reply byId = score(base, "/v1/models/credit:predict", body, Map.of(InferenceServer.REQUEST_ID_HEADER, id));
                assertThat(byId.header(InferenceServer.VERSION_HEADER)).as(id).isEqualTo(ModelHost.bucket(id) < 5_000 ? "2" : "1");
                requestIds.put(id, byId.header(InferenceServer.VERSION_HEADER));
            }

            // OIP: routed like records; an explicit version picks either; metadata lists both.
            String infer = InferenceServerTest.json(Fixtures.oipRequest(gbdt, List.of(row), null));
            String oipKey = ModelHost.bucket("customer-3") < 5_000 ? "2" : "1";
            Reply routed = score(base, "/v2/models/credit/infer", infer, Map.of(InferenceServer.ROUTE_KEY_HEADER, "customer-3"));
            assertThat(routed.status()).as(routed.text()).isEqualTo(200);
            assertThat(routed.body().get("model_version").asText()).isEqualTo(oipKey);
            for (String v : List.of("1", "2")) {
                Reply pinned = score(base, "/v2/models/credit/versions/" + v + "/infer", infer,
                        Map.of(InferenceServer.ROUTE_KEY_HEADER, "customer-3"));
                assertThat(pinned.status()).as(pinned.text()).isEqualTo(200);
                assertThat(pinned.body().get("model_version").asText()).isEqualTo(v);
                assertThat(get(base, "/v2/models/credit/versions/" + v + "/ready").status()).isEqualTo(200);
            }
            Reply absent = postText(base, "/v2/models/credit/versions/9/infer", infer, Map.of());
            assertThat(absent.status()).isEqualTo(404);
            assertThat(absent.body().get("error").asText()).contains("versions 1 and 2 (canary, 50.0%)");
            assertThat(get(base, "/v2/models/credit").body().get("versions").toString()).isEqualTo("[\"1\",\"2\"]");

            // Metrics by version: every answer counted under the version that gave it.
            Metrics m = Metrics.scrape(base);
            assertThat(m.requests("credit", "1", "success")).isEqualTo((double) answered.getOrDefault("1", 0));
            assertThat(m.requests("credit", "2", "success")).isEqualTo((double) answered.getOrDefault("2", 0));
            assertThat(answered.get("1") + answered.get("2")).isEqualTo(2 * n + keysUnder(n, 1_000) + 40 + 3);

            // The log: each record under the version that answered, so the versions can be compared on feedback.
            BooleanSupplier drained = () -> log.written() == m.requests("credit");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!drained.getAsBoolean() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(log.written()).isEqualTo((long) m.requests("credit"));
            Map<String, String> logged = new HashMap<>();
            for (JsonNode r : records(logDir, "credit", PredictionLog.PREDICTIONS)) {
                logged.put(r.get("request_id").asText(), r.get("version").asText());
                    if (r.get("version").asText().equals("2")) {
                    assertThat(r.get("outputs").get("probabilities").get("bad").asDouble()).isCloseTo((Double) expected.get("2").get("bad"), EXACT);
                }
            }
            requestIds.forEach((id, version) -> assertThat(logged.get(id)).as(id).isEqualTo(version));
        }
    }

    @Test
    void adminRoutesSetChangeAndRemoveTheCanary() throws Exception {
        RepositoryFixture fixture = RepositoryFixture.of(dir);
        Path roots = fixture.roots();
        ModelHost host = fixture.host();
        ModelRepository repo = fixture.repo();
        String path = "/v2/repository/models/credit/canary";
        String gbdt = roots.resolve("gbdt").toString();
        String setBody = "{\"ref\": " + InferenceServerTest.json(gbdt) + ", \"percent\": 50}";

        try (InferenceServer closed = InferenceServer.start(host, "127.0.0.1", 0)) {
            Reply forbidden = put("http://127.0.0.1:" + closed.port(), path, setBody, bearer(ADMIN));
            assertThat(forbidden.status()).isEqualTo(403);
            assertThat(forbidden.body().get("error").asText()).contains("canary");
        }
        InferenceServer.Options options = InferenceServer.Options.defaults().withAdminToken(ADMIN).withRepository(repo);
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, null, options)) {
            String base = "http://127.0.0.1:" + server.port();
            assertThat(put(base, path, setBody, Map.of()).status()).isEqualTo(401);
            assertThat(delete(base, path, Map.of()).status()).isEqualTo(401);
            assertThat(host.canary("credit")).isEmpty();

            Reply set = put(base, path, setBody, bearer(ADMIN));
            assertThat(set.status()).as(set.text()).isEqualTo(200);
            String canaryVersion = ModelRepository.bundleVersion(roots.resolve("gbdt"));
            assertThat(set.body().get("version").asText()).isEqualTo("1");
            assertThat(set.body().get("canary_version").asText()).isEqualTo(canaryVersion);
            assertThat(set.body().get("percent").asDouble()).isEqualTo(50.0);
            assertThat(host.canary("credit").orElseThrow().basisPoints()).isEqualTo(5_000);
            assertThat(TokensAndRepositoryTest.getWith(base, "/v2/repository/index", bearer(ADMIN)).body().get(0).get("canary").toString())
                    .isEqualTo("{\"version\":\"" + canaryVersion + "\",\"percent\":50.0,\"ref\":" + InferenceServerTest.json(gbdt) + "}");

            // The share alone; bad bodies name the field; nothing changes on a refusal.
            Reply share = put(base, path, "{\"percent\": 0.5}", bearer(ADMIN));
            assertThat(share.status()).as(share.text()).isEqualTo(200);
            assertThat(host.canary("credit").orElseThrow().basisPoints()).isEqualTo(50);
            Map<String, String> bad = new LinkedHashMap<>();
            bad.put("{\"percent\": 150}", "percent");
            bad.put("{\"percent\": \"ten\"}", "percent");
            bad.put("{\"ref\": 3}", "ref");
            bad.put("{\"share\": 3}", "share");
            bad.put("{}", "ref");
            bad.put("[1]", "object");
            bad.put("{\"ref\": " + InferenceServerTest.json(dir.toString()) + "}", "root");
            for (Map.Entry<String, String> b : bad.entrySet()) {
                Reply r = put(base, path, b.getKey(), bearer(ADMIN));
                assertThat(r.status()).as(b.getKey() + " -> " + r.text()).isEqualTo(400);
                assertThat(r.body().get("error").asText()).as(b.getKey()).contains(b.getValue());
            }
            assertThat(host.canary("credit").orElseThrow().basisPoints()).isEqualTo(50);
            Reply unknown = put(base, "/v2/repository/models/nobody/canary", setBody, bearer(ADMIN));
            assertThat(unknown.status()).isEqualTo(404);

            // The reference alone: the share stays (it was a bug to answer 500 here).
            Reply refOnly = put(base, path, "{\"ref\": " + InferenceServerTest.json(roots.resolve("linear").toString()) + "}", bearer(ADMIN));
            assertThat(refOnly.status()).as(refOnly.text()).isEqualTo(200);
            assertThat(refOnly.body().get("percent").asDouble()).isEqualTo(0.5);
            put(base, path, setBody, bearer(ADMIN));

            Reply removed = delete(base, path, bearer(ADMIN));
            assertThat(removed.status()).as(removed.text()).isEqualTo(200);
            assertThat(removed.body().get("removed_version").asText()).isEqualTo(canaryVersion);
            assertThat(host.canary("credit")).isEmpty();
            assertThat(delete(base, path, bearer(ADMIN)).status()).isEqualTo(404);
            Reply noCanary = put(base, path, "{\"percent\": 20}", bearer(ADMIN));
            assertThat(noCanary.status()).isEqualTo(400);
            assertThat(noCanary.body().get("error").asText()).contains("has no canary");
        }
    }
}
