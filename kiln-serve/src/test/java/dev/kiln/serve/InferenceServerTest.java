package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static dev.kiln.serve.Fixtures.get;
import static dev.kiln.serve.Fixtures.oipRequest;
import static dev.kiln.serve.Fixtures.post;
import static dev.kiln.serve.Fixtures.postText;
import static dev.kiln.serve.Fixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.serve.Fixtures.Reply;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class InferenceServerTest {
    static ModelHost host;
    static InferenceServer server;
    static String base;
    static KilnModel gbdt;
    static KilnModel linear;
    static List<Map<String, Object>> rows;

    @BeforeAll
    static void start() {
        host = new ModelHost();
        gbdt = host.load("credit", bundle("credit-gbdt"), "gbdt-1").model();
        linear = host.load("linear", bundle("credit-linear"), "lin-1").model();
        rows = rows(gbdt);
        server = InferenceServer.start(host, "127.0.0.1", 0);
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void serverMetadataAndHealth() {
        Reply meta = get(base, "/v2");
        assertThat(meta.status()).isEqualTo(200);
        assertThat(meta.body().get("name").asText()).isEqualTo("kiln");
        assertThat(meta.body().get("version").asText()).isNotBlank();
        assertThat(meta.body().get("extensions").isArray()).isTrue();
        assertThat(meta.body().get("extensions")).isEmpty();
        assertThat(meta.header(InferenceServer.VERSION_HEADER)).isEqualTo("credit=gbdt-1,linear=lin-1");
        assertThat(get(base, "/v2/health/live").status()).isEqualTo(200);
        Reply ready = get(base, "/v2/health/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.body().get("ready").asBoolean()).isTrue();
        Reply modelReady = get(base, "/v2/models/credit/ready");
        assertThat(modelReady.status()).isEqualTo(200);
        assertThat(modelReady.header(InferenceServer.VERSION_HEADER)).isEqualTo("gbdt-1");
        assertThat(get(base, "/v2/models/credit/versions/gbdt-1/ready").status()).isEqualTo(200);
        assertThat(get(base, "/v2/models/credit/versions/nope/ready").status()).isEqualTo(404);
        assertThat(get(base, "/v2/models/nope/ready").status()).isEqualTo(404);
    }

    @Test
    void modelMetadataCarriesTheTrainingRangeOfEachInput() {
        for (String path : List.of("/v2/models/credit", "/v2/models/credit/versions/gbdt-1", "/v2/models/linear")) {
            Reply r = get(base, path);
            assertThat(r.status()).as(path).isEqualTo(200);
            Map<String, JsonNode> byName = new LinkedHashMap<>();
            for (JsonNode in : r.body().get("inputs")) {
                byName.put(in.get("name").asText(), in.get("parameters"));
            }
            // From the bundle's reference profile (credit-g): integers as integers, categories most frequent first.
            JsonNode duration = byName.get("duration");
            assertThat(duration.get("training_min").isIntegralNumber()).isTrue();
            assertThat(duration.get("training_min").asLong()).isEqualTo(4);
            assertThat(duration.get("training_max").asLong()).isEqualTo(72);
            assertThat(duration.get("training_missing_fraction").asDouble()).isZero();
            assertThat(byName.get("credit_amount").get("training_max").asLong()).isEqualTo(18424);
            JsonNode checking = byName.get("checking_status");
            assertThat(checking.get("training_categories").toString()).isEqualTo("[\"no checking\",\"<0\",\"0<=X<200\",\">=200\"]");
            assertThat(checking.get("training_categories_truncated").asBoolean()).isFalse();
            assertThat(byName.get("purpose").get("training_categories")).hasSize(10);
            assertThat(byName.values()).allMatch(p -> p != null && !p.isEmpty());
        }
    }

    @Test
    void modelMetadataListsOneInputPerColumnAndTheOutputs() {
        for (String path : List.of("/v2/models/credit", "/v2/models/credit/versions/gbdt-1")) {
            Reply r = get(base, path);
            assertThat(r.status()).as(path).isEqualTo(200);
            JsonNode b = r.body();
            assertThat(b.get("name").asText()).isEqualTo("credit");
            assertThat(b.get("versions").toString()).isEqualTo("[\"gbdt-1\"]");
            assertThat(b.get("platform").asText()).isEqualTo("kiln");
            assertThat(b.get("inputs")).hasSize(gbdt.requiredFields().size());
            Map<String, String> types = new LinkedHashMap<>();
            for (JsonNode in : b.get("inputs")) {
                types.put(in.get("name").asText(), in.get("datatype").asText());
                assertThat(in.get("shape").toString()).isEqualTo("[-1]");
            }
            assertThat(types).containsEntry("checking_status", "BYTES").containsEntry("duration", "INT64")
                    .containsEntry("foreign_worker", "BOOL");
            List<String> outputs = new ArrayList<>();
            b.get("outputs").forEach(o -> outputs.add(o.get("name").asText() + ":" + o.get("datatype").asText()));
            assertThat(outputs).containsExactly("prediction:BYTES", "probability_good:FP64", "probability_bad:FP64");
        }
        Reply wrong = get(base, "/v2/models/credit/versions/gbdt-9");
        assertThat(wrong.status()).isEqualTo(404);
        assertThat(wrong.body().get("error").isTextual()).isTrue();
        assertThat(wrong.header(InferenceServer.ERROR_CODE_HEADER)).isEqualTo("model_version_not_found");
    }

    @Test
    void oipInferEqualsKilnModelPredict() {
        for (String name : List.of("credit", "linear")) {
            KilnModel model = name.equals("credit") ? gbdt : linear;
            List<Prediction> expected = rows.stream().map(model::predict).toList();
            for (String path : List.of("/v2/models/" + name + "/infer",
                    "/v2/models/" + name + "/versions/" + host.get(name).orElseThrow().version() + "/infer")) {
                Reply r = post(base, path, oipRequest(model, rows, "req-" + name));
                assertThat(r.status()).as(r.text()).isEqualTo(200);
                JsonNode b = r.body();
                assertThat(b.get("model_name").asText()).isEqualTo(name);
                assertThat(b.get("model_version").asText()).isEqualTo(host.get(name).orElseThrow().version());
                assertThat(r.header(InferenceServer.VERSION_HEADER)).isEqualTo(b.get("model_version").asText());
                assertThat(b.get("id").asText()).isEqualTo("req-" + name);
                JsonNode outputs = b.get("outputs");
                assertThat(outputs).hasSize(1 + model.classes().size());
                JsonNode labels = outputs.get(0);
                assertThat(labels.get("name").asText()).isEqualTo("prediction");
                assertThat(labels.get("datatype").asText()).isEqualTo("BYTES");
                assertThat(labels.get("shape").toString()).isEqualTo("[" + rows.size() + "]");
                for (int i = 0; i < rows.size(); i++) {
                    assertThat(labels.get("data").get(i).asText()).isEqualTo(expected.get(i).prediction());
                    for (int c = 0; c < model.classes().size(); c++) {
                        JsonNode probs = outputs.get(1 + c);
                        String cls = model.classes().get(c);
                        assertThat(probs.get("name").asText()).isEqualTo("probability_" + cls);
                        assertThat(probs.get("datatype").asText()).isEqualTo("FP64");
                        assertThat(probs.get("data").get(i).asDouble()).isEqualTo(expected.get(i).probabilities().get(cls));
                    }
                }
            }
        }
    }

    @Test
    void recordsPredictEqualsKilnModelPredict() {
        for (String name : List.of("credit", "linear")) {
            KilnModel model = name.equals("credit") ? gbdt : linear;
            Reply r = post(base, "/v1/models/" + name + ":predict", Map.of("instances", rows));
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            JsonNode b = r.body();
            assertThat(b.get("model_name").asText()).isEqualTo(name);
            assertThat(b.get("model_version").asText()).isEqualTo(r.header(InferenceServer.VERSION_HEADER));
            assertThat(b.get("request_id").asText()).isEqualTo(r.header(InferenceServer.REQUEST_ID_HEADER)).isNotBlank();
            assertThat(b.get("predictions")).hasSize(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                Prediction p = model.predict(rows.get(i));
                JsonNode got = b.get("predictions").get(i);
                assertThat(got.get("prediction").asText()).isEqualTo(p.prediction());
                p.probabilities().forEach((cls, prob) -> assertThat(got.get("probability_" + cls).asDouble()).isEqualTo(prob));
            }
        }
    }

    @Test
    void recordsStreamedAndTreeParsedAnswerAlike() {
        // Streamed: extra top-level keys and extra (nested) instance fields are skipped; one row is scored alone.
        String one = json(rows.get(0));
        Reply single = postText(base, "/v1/models/credit:predict", "{\"meta\": {\"a\": [1, {\"b\": 2}]}, \"instances\": ["
                + one.substring(0, one.length() - 1) + ", \"extra\": {\"x\": [1, 2]}}], \"after\": null}", Map.of());
        assertThat(single.status()).as(single.text()).isEqualTo(200);
        Prediction p0 = gbdt.predict(rows.get(0));
        assertThat(single.body().get("predictions").get(0).get("probability_bad").asDouble()).isEqualTo(p0.probabilities().get("bad"));
        // A number beyond 64 bits takes the tree path (as a double); 1e20 the streamed one: same answer, same flags.
        String big = json(Map.of("instances", List.of(rows.get(0), rows.get(1))));
        String viaTree = big.replaceFirst("\"credit_amount\":\\d+", "\"credit_amount\":100000000000000000000");
        String viaStream = big.replaceFirst("\"credit_amount\":\\d+", "\"credit_amount\":1e20");
        assertThat(viaTree).isNotEqualTo(big);
        Reply tree = postText(base, "/v1/models/credit:predict", viaTree, Map.of());
        Reply stream = postText(base, "/v1/models/credit:predict", viaStream, Map.of());
        assertThat(tree.status()).as(tree.text()).isEqualTo(200);
        assertThat(stream.body().get("predictions")).isEqualTo(tree.body().get("predictions"));
        assertThat(stream.body().get("predictions").get(0).get("flags").toString()).contains("above_training_max");
        // Errors are the tree path's, whichever path found them.
        Reply missing = postText(base, "/v1/models/credit:predict", "{\"instances\": [" + one + ", {\"age\": 30}]}", Map.of());
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body().get("error").get("message").asText()).startsWith("instance 1: column '");
        assertThat(missing.body().get("error").get("details").get("instance").asInt()).isEqualTo(1);
    }

    @Test
    void requestIdIsEchoedOrGenerated() {
        Reply given = postText(base, "/v1/models/credit:predict", json(Map.of("instances", rows.subList(0, 1))),
                Map.of("X-Request-Id", "abc-123"));
        assertThat(given.header("X-Request-Id")).isEqualTo("abc-123");
        assertThat(given.body().get("request_id").asText()).isEqualTo("abc-123");
        Reply oip = postText(base, "/v2/models/credit/infer", json(oipRequest(gbdt, rows.subList(0, 1), null)),
                Map.of("X-Request-Id", "oip-7"));
        assertThat(oip.body().get("id").asText()).isEqualTo("oip-7");
        Reply generated = post(base, "/v1/models/credit:predict", Map.of("instances", rows.subList(0, 1)));
        assertThat(generated.header("X-Request-Id")).matches("[0-9a-f-]{36}");
        assertThat(get(base, "/v2/health/live").header("X-Request-Id")).isNotBlank();
    }

    @Test
    void oipErrorsAre400NamingTheField() {
        // missing column
        Map<String, Object> req = oipRequest(gbdt, rows.subList(0, 2), null);
        inputs(req).removeIf(t -> t.get("name").equals("age"));
        assertOipError(post(base, "/v2/models/credit/infer", req), 400, "column_missing", "age");
        // wrong datatype
        req = oipRequest(gbdt, rows.subList(0, 2), null);
        tensor(req, "duration").put("datatype", "BYTES");
        assertOipError(post(base, "/v2/models/credit/infer", req), 400, "value_invalid", "duration");
        req = oipRequest(gbdt, rows.subList(0, 2), null);
        tensor(req, "purpose").put("data", List.of(1, 2));
        assertOipError(post(base, "/v2/models/credit/infer", req), 400, "value_invalid", "purpose");
        // shape disagrees with data, and inputs disagree on rows
        req = oipRequest(gbdt, rows.subList(0, 2), null);
        tensor(req, "age").put("shape", List.of(3));
        assertOipError(post(base, "/v2/models/credit/infer", req), 400, "value_invalid", "age");
        req = oipRequest(gbdt, rows.subList(0, 2), null);
        tensor(req, "job").put("shape", List.of(1));
        tensor(req, "job").put("data", List.of("skilled"));
        assertOipError(post(base, "/v2/models/credit/infer", req), 400, "value_invalid", "job");
        req = oipRequest(gbdt, rows.subList(0, 2), null);
        tensor(req, "age").put("shape", List.of(2, 3));
        assertOipError(post(base, "/v2/models/credit/infer", req), 400, "value_invalid", "age");
        // non-finite numbers, written as JSON tokens and as an overflowing literal
        req = oipRequest(gbdt, rows.subList(0, 2), null);
        tensor(req, "age").put("data", List.of(30, 40));
        String text = json(req).replace("[30,40]", "[30,NaN]");
        assertOipError(postText(base, "/v2/models/credit/infer", text, Map.of()), 400, "value_invalid", "age");
        assertOipError(postText(base, "/v2/models/credit/infer", json(req).replace("[30,40]", "[1e400,40]"), Map.of()),
                400, "value_invalid", "age");
        // a category value the model never saw is scored, not refused (the pipeline handles unknowns)
        req = oipRequest(gbdt, rows.subList(0, 2), null);
        tensor(req, "purpose").put("data", List.of("spaceship", "radio/tv"));
        assertThat(post(base, "/v2/models/credit/infer", req).status()).isEqualTo(200);
        // request level
        assertOipError(postText(base, "/v2/models/credit/infer", "{\"inputs\": [", Map.of()), 400, "data_malformed", "JSON");
        assertOipError(postText(base, "/v2/models/credit/infer", "{}", Map.of()), 400, "invalid_argument", "inputs");
        assertOipError(post(base, "/v2/models/nope/infer", oipRequest(gbdt, rows.subList(0, 1), null)), 404, "model_not_found", "nope");
    }

    @Test
    void recordErrorsNameTheFieldAndTheInstance() {
        List<Map<String, Object>> instances = new ArrayList<>();
        instances.add(new LinkedHashMap<>(rows.get(0)));
        instances.add(new LinkedHashMap<>(rows.get(1)));
        instances.get(1).remove("age");
        Reply r = post(base, "/v1/models/credit:predict", Map.of("instances", instances));
        JsonNode e = assertKilnError(r, 400, "column_missing");
        assertThat(e.get("message").asText()).contains("age").contains("instance 1");
        assertThat(e.get("details").get("column").asText()).isEqualTo("age");
        assertThat(e.get("details").get("instance").asInt()).isEqualTo(1);

        instances.get(1).put("age", "old");
        e = assertKilnError(post(base, "/v1/models/credit:predict", Map.of("instances", instances)), 400, "value_invalid");
        assertThat(e.get("details").get("column").asText()).isEqualTo("age");
        assertThat(e.get("details").get("instance").asInt()).isEqualTo(1);

        instances.get(1).put("age", 33);
        String text = json(Map.of("instances", instances)).replace("\"age\":33", "\"age\":Infinity");
        e = assertKilnError(postText(base, "/v1/models/credit:predict", text, Map.of()), 400, "value_invalid");
        assertThat(e.get("details").get("column").asText()).isEqualTo("age");
        assertThat(e.get("details").get("instance").asInt()).isEqualTo(1);

        instances.get(0).put("job", List.of("a"));
        e = assertKilnError(post(base, "/v1/models/credit:predict", Map.of("instances", instances)), 400, "value_invalid");
        assertThat(e.get("details").get("instance").asInt()).isEqualTo(0);

        assertKilnError(postText(base, "/v1/models/credit:predict", "{\"instances\": [1]}", Map.of()), 400, "invalid_argument");
        assertKilnError(postText(base, "/v1/models/credit:predict", "not json", Map.of()), 400, "data_malformed");
        assertKilnError(post(base, "/v1/models/nope:predict", Map.of("instances", rows)), 404, "model_not_found");
    }

    @Test
    void bodiesOverOneMebibyteAre413() {
        String big = "{\"instances\": [], \"pad\": \"" + "x".repeat((int) InferenceServer.MAX_BODY_BYTES) + "\"}";
        assertKilnError(postText(base, "/v1/models/credit:predict", big, Map.of()), 413, "payload_too_large");
        assertOipError(postText(base, "/v2/models/credit/infer", big, Map.of()), 413, "payload_too_large", "bytes");
        // the server still answers afterwards
        assertThat(get(base, "/v2/health/live").status()).isEqualTo(200);
    }

    @Test
    void metricsCountRequestsByModelVersionAndOutcome() {
        Metrics before = Metrics.scrape(base);
        for (int i = 0; i < 3; i++) {
            assertThat(post(base, "/v1/models/linear:predict", Map.of("instances", rows.subList(0, 2))).status()).isEqualTo(200);
        }
        assertThat(post(base, "/v2/models/linear/infer", oipRequest(linear, rows.subList(0, 2), null)).status()).isEqualTo(200);
        assertThat(postText(base, "/v1/models/linear:predict", "{", Map.of()).status()).isEqualTo(400);
        assertThat(postText(base, "/v2/models/linear/infer", "{}", Map.of()).status()).isEqualTo(400);
        Metrics after = Metrics.scrape(base);
        assertThat(after.requests("linear", "lin-1", "success") - before.requests("linear", "lin-1", "success")).isEqualTo(4.0);
        assertThat(after.requests("linear", "lin-1", "client_error") - before.requests("linear", "lin-1", "client_error")).isEqualTo(2.0);
        assertThat(after.latencyCount("linear") - before.latencyCount("linear")).isEqualTo(6.0);
        assertThat(after.text()).contains("kiln_request_seconds_bucket{");
    }

    // ---------------------------------------------------------------- helpers

    static String json(Object o) {
        try {
            return InferenceServer.MAPPER.writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> inputs(Map<String, Object> request) {
        return (List<Map<String, Object>>) (List<?>) request.get("inputs");
    }

    static Map<String, Object> tensor(Map<String, Object> request, String name) {
        return inputs(request).stream().filter(t -> t.get("name").equals(name)).findFirst().orElseThrow();
    }

    static void assertOipError(Reply r, int status, String code, String mentioned) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.header(InferenceServer.ERROR_CODE_HEADER)).as(r.text()).isEqualTo(code);
        assertThat(r.body().get("error").isTextual()).as(r.text()).isTrue();
        assertThat(r.body().get("error").asText()).contains(mentioned);
        assertThat(r.header(InferenceServer.VERSION_HEADER)).isNotNull();
    }

    static JsonNode assertKilnError(Reply r, int status, String code) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.header(InferenceServer.ERROR_CODE_HEADER)).as(r.text()).isEqualTo(code);
        JsonNode e = r.body().get("error");
        assertThat(e.get("code").asText()).isEqualTo(code);
        assertThat(e.get("message").asText()).isNotBlank();
        assertThat(e.get("details").isObject()).isTrue();
        assertThat(r.header(InferenceServer.VERSION_HEADER)).isNotNull();
        return e;
    }
}
