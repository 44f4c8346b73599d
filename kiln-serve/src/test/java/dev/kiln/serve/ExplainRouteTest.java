package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static dev.kiln.serve.Fixtures.postText;
import static dev.kiln.serve.PredictionLogTest.await;
import static dev.kiln.serve.PredictionLogTest.records;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.Explanation;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.serve.Fixtures.Reply;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /v1/models/{name}:explain} on a real server: answers, the log, old bundles, bad input. */
class ExplainRouteTest {
    @TempDir
    Path dir;

    @Test
    void answersEachPredictionWithItsExplanationAndLogsIt() {
        ModelHost host = new ModelHost();
        KilnModel gbdt = host.load("credit", bundle("credit-gbdt-1.2"), "3").model();
        List<Map<String, Object>> rows = Fixtures.rows(gbdt).subList(0, 3);
        PredictionLog log = new PredictionLog(dir);
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, log)) {
            String base = "http://127.0.0.1:" + server.port();
            Reply r = postText(base, "/v1/models/credit:explain", InferenceServerTest.json(Map.of("instances", rows)),
                    Map.of(InferenceServer.REQUEST_ID_HEADER, "why-1"));
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.body().get("model_version").asText()).isEqualTo("3");
            assertThat(r.body().get("request_id").asText()).isEqualTo("why-1");
            JsonNode predictions = r.body().get("predictions");
            assertThat(predictions).hasSize(3);
            for (int i = 0; i < rows.size(); i++) {
                JsonNode p = predictions.get(i);
                Prediction expected = gbdt.predict(rows.get(i));
                Explanation why = gbdt.explain(rows.get(i));
                assertThat(p.get("prediction").asText()).isEqualTo(expected.prediction());
                assertThat(p.get("probability_bad").asDouble()).isEqualTo(expected.probabilities().get("bad"));
                JsonNode e = p.get("explanation");
                assertThat(e.get("space").asText()).isEqualTo("log_odds");
                assertThat(e.get("output").asText()).isEqualTo("bad");
                assertThat(e.get("base").asDouble()).isEqualTo(why.base());
                assertThat(names(e.get("contributions"))).containsExactlyElementsOf(gbdt.requiredFields().stream()
                        .map(dev.kiln.runtime.schema.Field::name).toList());
                double margin = e.get("base").asDouble();
                for (JsonNode v : (Iterable<JsonNode>) () -> e.get("contributions").elements()) {
                    margin += v.asDouble();
                }
                double p1 = 1 / (1 + Math.exp(-margin));
                assertThat(p1).as("base + contributions through the logistic link").isCloseTo(
                        expected.probabilities().get("bad"), Offset.offset(1e-5));
            }
            // The plain route is unchanged: no explanation.
            Reply plain = postText(base, "/v1/models/credit:predict", InferenceServerTest.json(Map.of("instances", rows.subList(0, 1))),
                    Map.of(InferenceServer.REQUEST_ID_HEADER, "plain-1"));
            assertThat(plain.status()).isEqualTo(200);
            assertThat(plain.body().get("predictions").get(0).has("explanation")).isFalse();

            assertThat(await(10, () -> log.written() == 4)).as("written " + log.written()).isTrue();
            List<JsonNode> logged = records(dir, "credit", PredictionLog.PREDICTIONS);
            assertThat(logged).hasSize(4);
            for (int i = 0; i < 3; i++) {
                JsonNode row = logged.get(i);
                assertThat(row.get("request_id").asText()).isEqualTo("why-1");
                assertThat(row.get("explanation")).isEqualTo(predictions.get(row.get("row").asInt()).get("explanation"));
            }
            assertThat(logged.get(3).has("explanation")).isFalse();
        }
    }

    @Test
    void anOldBundleAnswers409AndBadInputNamesTheColumn() {
        ModelHost host = new ModelHost();
        KilnModel old = host.load("old", bundle("credit-gbdt"), "1").model();
        KilnModel gbdt = host.load("credit", bundle("credit-gbdt-1.2"), "3").model();
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, null)) {
            String base = "http://127.0.0.1:" + server.port();
            Reply refused = postText(base, "/v1/models/old:explain",
                    InferenceServerTest.json(Map.of("instances", Fixtures.rows(old).subList(0, 1))), Map.of());
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.body().get("error").get("code").asText()).isEqualTo("explanation_unavailable");
            assertThat(refused.body().get("error").get("message").asText()).contains("format 1.0").contains("retrain");

            Map<String, Object> row = new LinkedHashMap<>(Fixtures.rows(gbdt).get(0));
            row.remove("duration");
            Reply missing = postText(base, "/v1/models/credit:explain", InferenceServerTest.json(Map.of("instances", List.of(row))), Map.of());
            assertThat(missing.status()).isEqualTo(400);
            assertThat(missing.body().get("error").get("code").asText()).isEqualTo("column_missing");
            assertThat(missing.body().get("error").get("details").get("column").asText()).isEqualTo("duration");

            row.put("duration", "long");
            Reply wrongType = postText(base, "/v1/models/credit:explain", InferenceServerTest.json(Map.of("instances", List.of(row))), Map.of());
            assertThat(wrongType.status()).isEqualTo(400);
            assertThat(wrongType.body().get("error").get("details").get("column").asText()).isEqualTo("duration");

            Reply notJson = postText(base, "/v1/models/credit:explain", "{\"instances\": [", Map.of());
            assertThat(notJson.status()).isEqualTo(400);
            Reply unknown = postText(base, "/v1/models/nope:explain", "{\"instances\": [{}]}", Map.of());
            assertThat(unknown.status()).isEqualTo(404);
        }
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new java.util.ArrayList<>();
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }
}
