package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static dev.kiln.serve.Fixtures.oipRequest;
import static dev.kiln.serve.Fixtures.postText;
import static dev.kiln.serve.PredictionLogTest.await;
import static dev.kiln.serve.PredictionLogTest.records;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.schema.Field;
import dev.kiln.serve.Fixtures.Reply;
import dev.kiln.runtime.log.LogSink;
import dev.kiln.runtime.log.TimeText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prediction log's rows ({@link PredictionLog.Row}, written by the writer thread with a generator) against the
 * format the server used to write: the map it offered per row, serialized by the mapper.
 */
class PredictionLogFormatTest {
    private static final ObjectMapper MAPPER = InferenceServer.MAPPER;

    @TempDir
    Path dir;

    /** The record as the server built it before rows were offered compactly (the old {@code logPredictions}). */
    static Map<String, Object> oldRecord(String requestId, String id, String time, String model, String version, int row,
                                         Object inputs, Object prediction, Map<String, Double> probabilities,
                                         List<InputChecks.Flag> flags, double latencyMs) {
        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put("prediction", prediction);
        outputs.put("probabilities", probabilities);
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("request_id", requestId);
        if (id != null && !id.equals(requestId)) {
            rec.put("id", id);
        }
        rec.put("time", time);
        rec.put("model", model);
        rec.put("version", version);
        rec.put("row", row);
        rec.put("inputs", inputs);
        rec.put("outputs", outputs);
        if (!flags.isEmpty()) {
            List<Object> maps = new ArrayList<>();
            for (InputChecks.Flag f : flags) {
                maps.add(f.toMap());
            }
            rec.put("flags", maps);
        }
        rec.put("latency_ms", latencyMs);
        return rec;
    }

    /** Keeps every line appended. */
    static final class Capture implements LogSink {
        final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public void append(String model, String kind, byte[] line) {
            lines.add(new String(line, StandardCharsets.UTF_8));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void timeTextIsInstantToString() {
        TimeText times = new TimeText();
        Random random = new Random(7);
        List<Instant> instants = new ArrayList<>(List.of(Instant.EPOCH, Instant.parse("2026-11-23T17:00:00Z"),
                Instant.parse("2026-11-23T17:00:00.100Z"), Instant.parse("2026-11-23T17:00:00.000100Z"),
                Instant.parse("2026-11-23T17:00:00.000000100Z"), Instant.parse("2026-11-23T17:00:59.999999999Z"),
                Instant.parse("1969-12-31T23:59:59.5Z"), Instant.now()));
        long base = Instant.parse("2026-11-23T17:00:00Z").getEpochSecond();
        for (int i = 0; i < 5000; i++) {
            long second = base + random.nextInt(200);  // many repeats of one second: the cached prefix
            int nano = switch (i % 4) {
                case 0 -> random.nextInt(1000) * 1_000_000;
                case 1 -> random.nextInt(1_000_000) * 1_000;
                case 2 -> random.nextInt(1_000_000_000);
                default -> 0;
            };
            instants.add(Instant.ofEpochSecond(second, nano));
        }
        for (Instant t : instants) {
            assertThat(times.text(t)).isEqualTo(t.toString());
        }
    }

    @Test
    void aRowIsWrittenByteForByteAsTheOldMap() throws IOException {
        KilnModel model = KilnModel.load(bundle("credit-gbdt"));
        List<Field> fields = model.requiredFields();
        Map<String, Object> first = Fixtures.rows(model).get(0);
        Object[] columns = new Object[fields.size()];
        Map<String, Object> asSent = new LinkedHashMap<>();
        for (int c = 0; c < fields.size(); c++) {
            columns[c] = first.get(fields.get(c).name());
            asSent.put(fields.get(c).name(), columns[c]);
        }
        Map<String, Double> probabilities = new LinkedHashMap<>();
        probabilities.put("good", 0.8123456789012345);
        probabilities.put("bad", 0.18765432109876548);
        Instant time = Instant.parse("2026-11-23T17:01:02.123456Z");
        List<InputChecks.Flag> flags = List.of(new InputChecks.Flag("duration", 400L, InputChecks.ABOVE_MAX),
                new InputChecks.Flag("credit_amount", -0.5, InputChecks.BELOW_MIN),
                new InputChecks.Flag("checking_status", "martian", InputChecks.UNSEEN));

        // An instance with an extra field first, the columns reversed and one sent twice (first place, last value).
        int n = fields.size();
        int[] order = new int[n + 2];
        order[0] = -1;
        for (int i = 0; i < n; i++) {
            order[1 + i] = n - 1 - i;
        }
        order[n + 1] = -2;
        Map<String, Object> reordered = new LinkedHashMap<>();
        reordered.put("date", "2026-11-01");
        for (int i = n - 1; i >= 0; i--) {
            reordered.put(fields.get(i).name(), columns[i]);
        }
        reordered.put("tags", MAPPER.readTree("{\"a\": [1, 2.5, null], \"b\": true}"));
        PredictionLog.Sent sent = new PredictionLog.Sent(columns, order, new String[] {"date", "tags"},
                new Object[] {"2026-11-01", MAPPER.readTree("{\"a\": [1, 2.5, null], \"b\": true}")});

        Map<String, Object> v2Inputs = new HashMap<>();  // the /v2 infer route's row
        for (Field f : fields) {
            v2Inputs.put(f.name(), first.get(f.name()));
        }
        JsonNode treeInputs = MAPPER.readTree("{\"duration\": 12, \"big\": 123456789012345678901234567890, \"x\": \"é\\\"\\n\"}");

        List<PredictionLog.Row> rows = List.of(
                // binary with probabilities, the instance as the model's columns in order
                new PredictionLog.Row("r-1", null, time, "credit", "gbdt-1", 0, fields, columns, "good", probabilities, List.of(), 0.123),
                // regression: a number, no probabilities
                new PredictionLog.Row("r-2", null, Instant.parse("2026-11-23T17:01:02Z"), "price", "v7", 3, fields, columns, 1234.5,
                        Map.of(), List.of(), 12.0),
                // with flags
                new PredictionLog.Row("r-3", null, time, "credit", "gbdt-1", 1, fields, columns, "bad", probabilities, flags, 1e-4),
                // an extra field, another order, a key sent twice
                new PredictionLog.Row("r-4", null, time, "credit", "gbdt-1", 0, fields, sent, "good", probabilities, List.of(), 0.5),
                // /v2 infer with the client's id
                new PredictionLog.Row("r-5", "client-9", Instant.parse("2026-11-23T17:01:02.000000001Z"), "credit", "gbdt-1", 2,
                        fields, v2Inputs, "good", probabilities, flags.subList(0, 1), 3.25),
                // the tree route: the instance as a JSON object
                new PredictionLog.Row("r-6", null, time, "credit", "gbdt-1", 0, fields, treeInputs, "bad", probabilities, List.of(),
                        Double.MIN_VALUE));
        List<Object> oldInputs = List.of(asSent, asSent, asSent, reordered, v2Inputs, treeInputs);

        Capture capture = new Capture();
        PredictionLog log = new PredictionLog(dir, 100, capture, Duration.ofSeconds(10));
        for (int i = 0; i < rows.size(); i++) {
            PredictionLog.Row r = rows.get(i);
            assertThat(log.offer(r)).isTrue();
            assertThat(log.offer(r.model(), PredictionLog.PREDICTIONS, oldRecord(r.requestId(), r.id(), r.time().toString(), r.model(),
                    r.version(), r.row(), oldInputs.get(i), r.prediction(), r.probabilities(), r.flags(), r.latencyMs()))).isTrue();
        }
        log.close();
        assertThat(capture.lines).hasSize(2 * rows.size());
        for (int i = 0; i < rows.size(); i++) {
            String fresh = capture.lines.get(2 * i);
            String old = capture.lines.get(2 * i + 1);
            assertThat(fresh).as("row " + i).endsWith("\n").isEqualTo(old);
            assertThat(MAPPER.readTree(fresh)).isEqualTo(MAPPER.readTree(old));
        }
        assertThat(capture.lines.get(3)).contains("\"probabilities\":{}");
        assertThat(MAPPER.readTree(capture.lines.get(6)).get("inputs").get("date").asText()).isEqualTo("2026-11-01");
    }

    /**
     * End to end, every scoring path: each log line parses to the tree of the old record rebuilt from what was sent
     * and what the server answered (time and latency taken from the line, checked for their form).
     */
    @Test
    void logLinesMatchTheOldFormatOnEveryRoute() throws IOException {
        ModelHost host = new ModelHost();
        KilnModel gbdt = host.load("credit", bundle("credit-gbdt"), "gbdt-1").model();
        List<Field> fields = gbdt.requiredFields();
        ColumnProfile duration = gbdt.bundle().referenceProfile().column("duration").orElseThrow();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, Object> r : Fixtures.rows(gbdt).subList(0, 3)) {
            rows.add(new LinkedHashMap<>(r));
        }
        rows.get(1).put("duration", Math.round(duration.max()) + 100);  // flagged
        // Another order, with an extra field (monitoring reads the event date from the log).
        Map<String, Object> withDate = new LinkedHashMap<>();
        withDate.put("date", "2026-11-01");
        List<String> names = new ArrayList<>(rows.get(2).keySet());
        java.util.Collections.reverse(names);
        for (String name : names) {
            withDate.put(name, rows.get(2).get(name));
        }
        withDate.put("note", Map.of("k", List.of(1, 2)));
        rows.set(2, withDate);

        PredictionLog log = new PredictionLog(dir);
        List<String> bodies = new ArrayList<>();
        List<Reply> replies = new ArrayList<>();
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, log)) {
            String base = "http://127.0.0.1:" + server.port();
            // the fast path, the Javalin route, the tree route (a number beyond 64 bits in an extra field), /v2 infer
            bodies.add(InferenceServerTest.json(Map.of("instances", rows)));
            bodies.add(InferenceServerTest.json(Map.of("instances", rows.subList(0, 1))));
            bodies.add("{\"instances\": [{\"big\": 123456789012345678901234567890, "
                    + InferenceServerTest.json(rows.get(0)).substring(1) + "]}");
            bodies.add(InferenceServerTest.json(oipRequest(gbdt, Fixtures.rows(gbdt).subList(3, 5), "client-7")));
            for (int i = 0; i < bodies.size(); i++) {
                server.fastPath(i != 1);
                String path = i == 3 ? "/v2/models/credit/infer" : "/v1/models/credit:predict";
                Reply reply = postText(base, path, bodies.get(i), Map.of(InferenceServer.REQUEST_ID_HEADER, "req-" + i));
                assertThat(reply.status()).as(reply.text()).isEqualTo(200);
                replies.add(reply);
            }
            assertThat(await(10, () -> log.written() == 7)).as("written " + log.written()).isTrue();
        }
        List<JsonNode> lines = records(dir, "credit", PredictionLog.PREDICTIONS);
        assertThat(lines).hasSize(7);
        int line = 0;
        for (int i = 0; i < bodies.size(); i++) {
            JsonNode reply = replies.get(i).body();
            if (i < 3) {
                List<Map<String, Object>> sent = MAPPER.convertValue(MAPPER.readTree(bodies.get(i)).get("instances"),
                        new TypeReference<List<Map<String, Object>>>() { });
                for (int r = 0; r < sent.size(); r++) {
                    JsonNode answer = reply.get("predictions").get(r);
                    Map<String, Double> probabilities = new LinkedHashMap<>();
                    for (String cls : gbdt.classes()) {
                        probabilities.put(cls, answer.get("probability_" + cls).doubleValue());
                    }
                    Object inputs = i == 2 ? MAPPER.readTree(bodies.get(i)).get("instances").get(r) : sent.get(r);
                    check(lines.get(line++), "req-" + i, null, r, inputs, answer.get("prediction").asText(), probabilities,
                            flags(answer.get("flags")));
                }
            } else {
                JsonNode data = null;
                Map<String, JsonNode> probs = new LinkedHashMap<>();
                for (JsonNode t : reply.get("outputs")) {
                    if (t.get("name").asText().equals("prediction")) {
                        data = t.get("data");
                    } else {
                        probs.put(t.get("name").asText().substring("probability_".length()), t.get("data"));
                    }
                }
                for (int r = 0; r < 2; r++) {
                    Map<String, Object> inputs = new HashMap<>();
                    for (Field f : fields) {
                        inputs.put(f.name(), Fixtures.rows(gbdt).get(3 + r).get(f.name()));
                    }
                    Map<String, Double> probabilities = new LinkedHashMap<>();
                    for (String cls : gbdt.classes()) {
                        probabilities.put(cls, probs.get(cls).get(r).doubleValue());
                    }
                    List<InputChecks.Flag> rowFlags = new ArrayList<>();
                    JsonNode kiln = reply.path("parameters").path("kiln_flags");
                    for (JsonNode f : kiln) {
                        if (f.get("row").asInt() == r) {
                            rowFlags.addAll(flags(MAPPER.createArrayNode().add(f)));
                        }
                    }
                    check(lines.get(line++), "req-" + i, "client-7", r, inputs, data.get(r).asText(), probabilities, rowFlags);
                }
            }
        }
        assertThat(lines.get(1).get("flags")).isNotNull();
        assertThat(lines.get(2).get("inputs").get("date").asText()).isEqualTo("2026-11-01");
    }

    private static List<InputChecks.Flag> flags(JsonNode flags) {
        List<InputChecks.Flag> out = new ArrayList<>();
        if (flags != null) {
            for (JsonNode f : flags) {
                JsonNode v = f.get("value");
                out.add(new InputChecks.Flag(f.get("column").asText(), v.isTextual() ? v.asText() : v.numberValue(), f.get("reason").asText()));
            }
        }
        return out;
    }

    private static void check(JsonNode line, String requestId, String id, int row, Object inputs, Object prediction,
                              Map<String, Double> probabilities, List<InputChecks.Flag> flags) throws IOException {
        String time = line.get("time").asText();
        assertThat(Instant.parse(time).toString()).isEqualTo(time);
        assertThat(line.get("latency_ms").isDouble()).isTrue();
        Map<String, Object> old = oldRecord(requestId, id, time, "credit", "gbdt-1", row, inputs, prediction, probabilities, flags,
                line.get("latency_ms").doubleValue());
        JsonNode expected = MAPPER.readTree(MAPPER.writeValueAsBytes(old));
        assertThat(line).as(line.toString()).isEqualTo(expected);
    }
}
