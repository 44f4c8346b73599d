package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static dev.kiln.serve.Fixtures.oipRequest;
import static dev.kiln.serve.Fixtures.post;
import static dev.kiln.serve.Fixtures.postText;
import static dev.kiln.serve.PredictionLogTest.await;
import static dev.kiln.serve.PredictionLogTest.records;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.serve.Fixtures.Reply;
import dev.kiln.runtime.log.RotatingFileSink;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server with a prediction log: what lands on disk, a slow disk under a burst, feedback. */
class PredictionLogServerTest {
    @TempDir
    Path dir;

    @Test
    void everyRowOfEveryScoringRequestLandsOnDisk() {
        ModelHost host = new ModelHost();
        KilnModel gbdt = host.load("credit", bundle("credit-gbdt"), "gbdt-1").model();
        List<Map<String, Object>> rows = Fixtures.rows(gbdt).subList(0, 3);
        PredictionLog log = new PredictionLog(dir);
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, log)) {
            String base = "http://127.0.0.1:" + server.port();
            Reply records = postText(base, "/v1/models/credit:predict", InferenceServerTest.json(Map.of("instances", rows)),
                    Map.of(InferenceServer.REQUEST_ID_HEADER, "rec-1"));
            assertThat(records.status()).as(records.text()).isEqualTo(200);
            Reply oip = postText(base, "/v2/models/credit/infer", InferenceServerTest.json(oipRequest(gbdt, rows.subList(0, 2), null)),
                    Map.of(InferenceServer.REQUEST_ID_HEADER, "oip-1"));
            assertThat(oip.status()).as(oip.text()).isEqualTo(200);
            assertThat(await(10, () -> log.written() == 5)).as("written " + log.written()).isTrue();

            List<JsonNode> recs = records(dir, "credit", PredictionLog.PREDICTIONS);
            assertThat(recs).hasSize(5);
            assertThat(recs.stream().map(r -> r.get("request_id").asText() + "#" + r.get("row").asInt()).toList())
                    .containsExactly("rec-1#0", "rec-1#1", "rec-1#2", "oip-1#0", "oip-1#1");
            for (JsonNode r : recs) {
                int row = r.get("row").asInt();
                Prediction expected = gbdt.predict(rows.get(row));
                assertThat(r.get("model").asText()).isEqualTo("credit");
                assertThat(r.get("version").asText()).isEqualTo("gbdt-1");
                assertThat(Instant.parse(r.get("time").asText())).isBefore(Instant.now().plusSeconds(1));
                assertThat(r.get("latency_ms").asDouble()).isPositive();
                assertThat(r.get("inputs").get("checking_status").asText()).isEqualTo(rows.get(row).get("checking_status"));
                assertThat(r.get("inputs").get("duration").asLong()).isEqualTo(rows.get(row).get("duration"));
                assertThat(r.get("outputs").get("prediction").asText()).isEqualTo(expected.prediction());
                for (String cls : gbdt.classes()) {
                    assertThat(r.get("outputs").get("probabilities").get(cls).asDouble())
                            .isCloseTo(expected.probabilities().get(cls), org.assertj.core.data.Offset.offset(1e-12));
                }
            }
            Metrics m = Metrics.scrape(base);
            assertThat(m.text()).contains("kiln_prediction_log_queue_size");
            assertThat(value(m, "kiln_prediction_log_written_total")).isEqualTo(5);
            assertThat(value(m, "kiln_prediction_log_dropped_total")).isZero();
        }
    }

    @Test
    void aSlowDiskDropsRecordsButFailsNoRequest() throws Exception {
        ModelHost host = new ModelHost();
        KilnModel gbdt = host.load("credit", bundle("credit-gbdt"), "gbdt-1").model();
        String body = InferenceServerTest.json(Map.of("instances", Fixtures.rows(gbdt).subList(0, 5)));
        PredictionLog log = new PredictionLog(dir, 8, new PredictionLogTest.Slow(new RotatingFileSink(dir, 1 << 20), 200),
                Duration.ofSeconds(2));
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, log)) {
            String base = "http://127.0.0.1:" + server.port();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<Integer>> replies = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < 40; i++) {
                replies.add(pool.submit(() -> post(base, "/v1/models/credit:predict", body).status()));
            }
            for (Future<Integer> f : replies) {
                assertThat(f.get()).isEqualTo(200);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            pool.shutdown();
            // 200 records against a disk that takes 200 ms each: a blocking log would need 40 s.
            assertThat(seconds).as("burst seconds").isLessThan(20);
            assertThat(log.dropped()).isPositive();
            assertThat(log.enqueued() + log.dropped()).isEqualTo(200);
            Metrics m = Metrics.scrape(base);
            assertThat(value(m, "kiln_prediction_log_dropped_total")).isEqualTo(log.dropped()).isPositive();
            assertThat(Metrics.scrape(base).text()).contains("kiln_requests_total");
            assertThat(m.requests("credit", "gbdt-1", "success")).isEqualTo(40);
        }
    }

    @Test
    void feedbackIsValidatedAndWritten() {
        ModelHost host = new ModelHost();
        host.load("credit", bundle("credit-gbdt"), "gbdt-1");
        PredictionLog log = new PredictionLog(dir);
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, log)) {
            String base = "http://127.0.0.1:" + server.port();
            Reply label = post(base, "/v1/models/credit:feedback", Map.of("request_id", "rec-1", "label", "bad", "row", 1));
            assertThat(label.status()).as(label.text()).isEqualTo(202);
            assertThat(label.body().get("accepted").asBoolean()).isTrue();
            Reply reward = post(base, "/v1/models/credit:feedback", Map.of("request_id", "rec-2", "reward", 0.5));
            assertThat(reward.status()).as(reward.text()).isEqualTo(202);

            badFeedback(base, "{\"label\": \"bad\"}", "request_id");
            badFeedback(base, "{\"request_id\": 7, \"label\": \"bad\"}", "request_id");
            badFeedback(base, "{\"request_id\": \"r\"}", "label");
            badFeedback(base, "{\"request_id\": \"r\", \"label\": \"bad\", \"reward\": 1}", "reward");
            badFeedback(base, "{\"request_id\": \"r\", \"reward\": \"high\"}", "reward");
            badFeedback(base, "{\"request_id\": \"r\", \"reward\": NaN}", "reward");
            badFeedback(base, "{\"request_id\": \"r\", \"label\": null}", "label");
            badFeedback(base, "{\"request_id\": \"r\", \"label\": [1]}", "label");
            badFeedback(base, "{\"request_id\": \"r\", \"label\": \"bad\", \"row\": -1}", "row");
            Reply notJson = postText(base, "/v1/models/credit:feedback", "{", Map.of());
            assertThat(notJson.status()).isEqualTo(400);
            Reply unknown = post(base, "/v1/models/nope:feedback", Map.of("request_id", "r", "label", "bad"));
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.body().get("error").get("code").asText()).isEqualTo("model_not_found");

            assertThat(await(10, () -> log.written() == 2)).as("written " + log.written()).isTrue();
            List<JsonNode> recs = records(dir, "credit", PredictionLog.FEEDBACK);
            assertThat(recs).hasSize(2);
            assertThat(recs.get(0).get("request_id").asText()).isEqualTo("rec-1");
            assertThat(recs.get(0).get("label").asText()).isEqualTo("bad");
            assertThat(recs.get(0).get("row").asInt()).isEqualTo(1);
            assertThat(recs.get(0).has("reward")).isFalse();
            assertThat(recs.get(0).get("model").asText()).isEqualTo("credit");
            Instant.parse(recs.get(0).get("time").asText());
            assertThat(recs.get(1).get("request_id").asText()).isEqualTo("rec-2");
            assertThat(recs.get(1).get("reward").asDouble()).isEqualTo(0.5);
            assertThat(recs.get(1).has("label")).isFalse();
            assertThat(records(dir, "credit", PredictionLog.PREDICTIONS)).isEmpty();
        }
    }

    @Test
    void withoutALogFeedbackIsRefusedAndScoringWorks() {
        ModelHost host = new ModelHost();
        host.load("credit", bundle("credit-gbdt"), "gbdt-1");
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0)) {
            String base = "http://127.0.0.1:" + server.port();
            Reply r = post(base, "/v1/models/credit:feedback", Map.of("request_id", "r", "label", "bad"));
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.body().get("error").get("code").asText()).isEqualTo("prediction_log_disabled");
            assertThat(Metrics.scrape(base).text()).doesNotContain("kiln_prediction_log");
        }
    }

    @Test
    void closingTheServerDrainsTheLog() {
        ModelHost host = new ModelHost();
        KilnModel gbdt = host.load("credit", bundle("credit-gbdt"), "gbdt-1").model();
        String body = InferenceServerTest.json(Map.of("instances", Fixtures.rows(gbdt)));
        PredictionLog log = new PredictionLog(dir, 1000, new PredictionLogTest.Slow(new RotatingFileSink(dir, 1 << 20), 10),
                Duration.ofSeconds(30));
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, log)) {
            String base = "http://127.0.0.1:" + server.port();
            for (int i = 0; i < 3; i++) {
                assertThat(post(base, "/v1/models/credit:predict", body).status()).isEqualTo(200);
            }
        }
        assertThat(log.enqueued()).isEqualTo(60);
        assertThat(log.written()).isEqualTo(60);
        assertThat(records(dir, "credit", PredictionLog.PREDICTIONS)).hasSize(60);
    }

    private static void badFeedback(String base, String body, String field) {
        Reply r = postText(base, "/v1/models/credit:feedback", body, Map.of());
        assertThat(r.status()).as(body + " -> " + r.text()).isEqualTo(400);
        JsonNode error = r.body().get("error");
        assertThat(error.get("details").get("field").asText()).as(body).isEqualTo(field);
        assertThat(error.get("message").asText()).as(body).contains(field);
        assertThat(r.header(InferenceServer.ERROR_CODE_HEADER)).isEqualTo(error.get("code").asText());
    }

    /** The value of an unlabelled sample. */
    private static double value(Metrics m, String metric) {
        for (String line : m.text().split("\n")) {
            if (line.startsWith(metric + " ")) {
                return Double.parseDouble(line.substring(metric.length()).trim().split(" ")[0]);
            }
        }
        throw new AssertionError(metric + " not in the scrape");
    }
}
