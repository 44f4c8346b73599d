package dev.kiln.serve;

import static dev.kiln.serve.CanaryServerTest.delete;
import static dev.kiln.serve.CanaryServerTest.put;
import static dev.kiln.serve.Fixtures.bundle;
import static dev.kiln.serve.Fixtures.postText;
import static dev.kiln.serve.PredictionLogTest.records;
import static dev.kiln.serve.TokensAndRepositoryTest.ADMIN;
import static dev.kiln.serve.TokensAndRepositoryTest.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.runtime.schema.Field;
import dev.kiln.serve.Fixtures.Reply;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A shadow scores a copy of every request off the response path, into the log beside the predictions. */
class ShadowTest {
    @TempDir
    Path dir;

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        RegistryFollowerTest.await(condition, what);
    }

    @Test
    void everyRouteIsShadowedNoAnswerChangesAndTheLogPairsBothVersions() throws Exception {
        ModelHost host = new ModelHost();
        KilnModel linear = host.load("credit", bundle("credit-linear"), "1").model();
        KilnModel gbdt = KilnModel.load(bundle("credit-gbdt"));
        host.putShadow("credit", gbdt, "2");
        List<Map<String, Object>> rows = Fixtures.rows(gbdt);
        Path logDir = dir.resolve("log");
        PredictionLog log = new PredictionLog(logDir);
        int requests = 0;
        int shadowed = 0;
        long beforeRemoved;
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, log)) {
            String base = "http://127.0.0.1:" + server.port();
            long fast = server.fastPathAnswered();
            for (int i = 0; i < 20; i++) {
                Reply r = postText(base, "/v1/models/credit:predict", InferenceServerTest.json(Map.of("instances", List.of(rows.get(i)))),
                        Map.of(InferenceServer.REQUEST_ID_HEADER, "fast-" + i));
                assertThat(r.status()).as(r.text()).isEqualTo(200);
                assertThat(r.header(InferenceServer.VERSION_HEADER)).as("the shadow never answers").isEqualTo("1");
                assertThat(r.body().get("predictions").get(0).get("probability_bad").asDouble())
                        .isCloseTo(linear.predict(rows.get(i)).probabilities().get("bad"), Offset.offset(1e-12));
                requests++;
                shadowed++;
            }
            assertThat(server.fastPathAnswered() - fast).isEqualTo(20);
            // The tree route (keys in another order) and OIP, several rows each.
            List<Map<String, Object>> reversed = new ArrayList<>();
            for (Map<String, Object> row : rows.subList(0, 3)) {
                Map<String, Object> r = new LinkedHashMap<>();
                List<String> keys = new ArrayList<>(row.keySet());
                java.util.Collections.reverse(keys);
                keys.forEach(k -> r.put(k, row.get(k)));
                reversed.add(r);
            }
            Reply tree = postText(base, "/v1/models/credit:predict", InferenceServerTest.json(Map.of("instances", reversed)),
                    Map.of(InferenceServer.REQUEST_ID_HEADER, "tree"));
            assertThat(tree.status()).as(tree.text()).isEqualTo(200);
            Reply oip = postText(base, "/v2/models/credit/infer", InferenceServerTest.json(Fixtures.oipRequest(gbdt, rows.subList(5, 9), null)),
                    Map.of(InferenceServer.REQUEST_ID_HEADER, "oip"));
            assertThat(oip.status()).as(oip.text()).isEqualTo(200);
            assertThat(oip.body().get("model_version").asText()).isEqualTo("1");
            shadowed += 3 + 4;
            requests += 2;

            final int expected = shadowed;
            await(() -> log.written() >= 2L * expected, "predictions and shadow rows written");
            Metrics m = Metrics.scrape(base);
            double agree = m.sample("kiln_shadow_rows_total", "model=\"credit\"", "version=\"2\"", "outcome=\"agree\"");
            double disagree = m.sample("kiln_shadow_rows_total", "model=\"credit\"", "version=\"2\"", "outcome=\"disagree\"");
            assertThat(agree + disagree).isEqualTo(shadowed);
            assertThat(m.sample("kiln_shadow_rows_total", "outcome=\"error\"")).isZero();
            assertThat(m.requests("credit", "1", "success")).isEqualTo(requests);
            assertThat(m.requests("credit", "2", "success")).as("the shadow is not a served version").isZero();
            assertThat(m.text()).contains("kiln_shadow_queue_size");

            // The log: each shadow row pairs with its served prediction (request id and row) and holds the shadow's answer.
            Map<String, JsonNode> served = new HashMap<>();
            for (JsonNode r : records(logDir, "credit", PredictionLog.PREDICTIONS)) {
                served.put(r.get("request_id").asText() + "#" + r.get("row").asInt(), r);
            }
            List<JsonNode> shadow = records(logDir, "credit", PredictionLog.SHADOW);
            assertThat(shadow).hasSize(shadowed);
            assertThat(served).hasSize(shadowed);
            int agreeing = 0;
            for (JsonNode r : shadow) {
                JsonNode s = served.get(r.get("request_id").asText() + "#" + r.get("row").asInt());
                assertThat(s).as("served prediction of " + r).isNotNull();
                assertThat(r.get("version").asText()).isEqualTo("2");
                assertThat(r.get("served_version").asText()).isEqualTo("1");
                assertThat(r.get("served_prediction").asText()).isEqualTo(s.get("outputs").get("prediction").asText());
                Map<String, Object> row = new HashMap<>();
                r.get("inputs").fields().forEachRemaining(e -> row.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText()
                        : e.getValue().isIntegralNumber() ? (Object) e.getValue().asLong() : e.getValue().isNull() ? null : e.getValue().asDouble()));
                Prediction expectedShadow = gbdt.predict(row);
                assertThat(r.get("outputs").get("probabilities").get("bad").asDouble())
                        .isCloseTo(expectedShadow.probabilities().get("bad"), Offset.offset(1e-12));
                assertThat(s.get("outputs").get("probabilities").get("bad").asDouble())
                        .isCloseTo(linear.predict(row).probabilities().get("bad"), Offset.offset(1e-12));
                agreeing += expectedShadow.prediction().equals(s.get("outputs").get("prediction").asText()) ? 1 : 0;
            }
            assertThat(agree).isEqualTo(agreeing);

            // Removed: requests are no longer copied.
            assertThat(host.removeShadow("credit")).isPresent();
            beforeRemoved = log.enqueued();
            assertThat(postText(base, "/v1/models/credit:predict", InferenceServerTest.json(Map.of("instances", List.of(rows.get(0)))),
                    Map.of()).status()).isEqualTo(200);
        }
        // Closed: the shadow queue was scored to its end before the log closed, so a copy offered would be counted by now.
        assertThat(log.enqueued() - beforeRemoved).as("the prediction only").isEqualTo(1);
    }

    /** A shadow line is its row's line with the served version and prediction appended, escaped where they must be. */
    @Test
    void shadowLinesAreRowsWithTheServedAnswer() throws Exception {
        List<Field> fields = KilnModel.load(bundle("credit-gbdt")).requiredFields().subList(0, 2);
        Instant time = Instant.parse("2026-11-24T07:00:00Z");
        Path logDir = dir.resolve("format");
        try (PredictionLog log = new PredictionLog(logDir)) {
            log.offer(new PredictionLog.ShadowRow(new PredictionLog.Row("r1", null, time, "credit", "2", 0, fields,
                    new Object[] {"x", 12L}, "bad", Map.of("bad", 0.75), List.of(), 0.5), "1", "good"));
            log.offer(new PredictionLog.ShadowRow(new PredictionLog.Row("r2", null, time, "credit", "2", 1, fields,
                    Map.of(fields.get(0).name(), "é"), "bad", Map.of("bad", 0.75), List.of(), 0.5), "1", "say \"no\""));
            await(() -> log.written() == 2, "two lines");
        }
        List<JsonNode> lines = records(logDir, "credit", PredictionLog.SHADOW);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).toString()).isEqualTo("{\"request_id\":\"r1\",\"time\":\"2026-11-24T07:00:00Z\",\"model\":\"credit\","
                + "\"version\":\"2\",\"row\":0,\"inputs\":{\"" + fields.get(0).name() + "\":\"x\",\"" + fields.get(1).name() + "\":12},"
                + "\"outputs\":{\"prediction\":\"bad\",\"probabilities\":{\"bad\":0.75}},\"latency_ms\":0.5,\"served_version\":\"1\","
                + "\"served_prediction\":\"good\"}");
        assertThat(lines.get(1).get("inputs").get(fields.get(0).name()).asText()).isEqualTo("é");
        assertThat(lines.get(1).get("served_prediction").asText()).isEqualTo("say \"no\"");
    }

    @Test
    void adminRoutesSetAndRemoveTheShadow() throws Exception {
        RepositoryFixture fixture = RepositoryFixture.of(dir);
        Path roots = fixture.roots();
        ModelHost host = fixture.host();
        ModelRepository repo = fixture.repo();
        String path = "/v2/repository/models/credit/shadow";
        String body = "{\"ref\": " + InferenceServerTest.json(roots.resolve("gbdt").toString()) + "}";
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
            String version = ModelRepository.bundleVersion(roots.resolve("gbdt"));
            assertThat(set.body().get("shadow_version").asText()).isEqualTo(version);
            assertThat(host.shadow("credit")).map(ModelHost.Served::version).contains(version);
            JsonNode index = TokensAndRepositoryTest.getWith(base, "/v2/repository/index", bearer(ADMIN)).body();
            assertThat(index.get(0).get("shadow").get("version").asText()).isEqualTo(version);
            for (String[] bad : new String[][] {{"{\"ref\": 3}", "ref"}, {"{}", "ref"}, {"{\"percent\": 3}", "percent"}, {"[]", "object"}}) {
                Reply r = put(base, path, bad[0], bearer(ADMIN));
                assertThat(r.status()).as(bad[0]).isEqualTo(400);
                assertThat(r.body().get("error").asText()).as(bad[0]).contains(bad[1]);
            }
            Reply removed = delete(base, path, bearer(ADMIN));
            assertThat(removed.status()).as(removed.text()).isEqualTo(200);
            assertThat(removed.body().get("removed_version").asText()).isEqualTo(version);
            assertThat(host.shadow("credit")).isEmpty();
            assertThat(delete(base, path, bearer(ADMIN)).status()).isEqualTo(404);
        }
    }
}
