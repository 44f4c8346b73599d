package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static dev.kiln.serve.Fixtures.postText;
import static dev.kiln.serve.PredictionLogTest.await;
import static dev.kiln.serve.PredictionLogTest.records;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.KilnModel;
import dev.kiln.serve.Fixtures.Reply;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The records route's Jetty fast path ({@link FastPredict}) answers exactly as the Javalin route does
 * (status, body, headers but Date), hands every other request to it, and records what the Javalin route records.
 */
class FastPathTest {
    private static final String TOKEN = "fast-path-token";

    @TempDir
    Path dir;

    /** One request: path, body, headers; whether the fast path answers it itself. */
    record Call(String what, String path, String body, Map<String, String> headers, boolean fast) {
    }

    private static List<Call> calls(KilnModel model, String token) {
        List<Map<String, Object>> rows = Fixtures.rows(model);
        Map<String, String> auth = token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
        List<Call> calls = new ArrayList<>();
        String one = InferenceServerTest.json(Map.of("instances", rows.subList(0, 1)));
        String three = InferenceServerTest.json(Map.of("instances", rows.subList(1, 4)));
        Map<String, Object> odd = new LinkedHashMap<>(rows.get(4));
        odd.put("credit_amount", 10_000_000L); // outside the training range
        odd.put("purpose", "spaceship");       // never seen in training
        String flagged = InferenceServerTest.json(Map.of("instances", List.of(odd)));
        Map<String, Object> noAge = new LinkedHashMap<>(rows.get(5));
        noAge.remove("age");
        Map<String, Object> badDuration = new LinkedHashMap<>(rows.get(6));
        badDuration.put("duration", "long");
        calls.add(new Call("one row", "/v1/models/credit:predict", one, with(auth, "X-Request-Id", "fast-1"), true));
        calls.add(new Call("three rows", "/v1/models/credit:predict", three, with(auth, "X-Request-Id", "fast-3"), true));
        List<Map<String, Object>> many = new ArrayList<>();
        while (many.size() < 80) {
            many.addAll(rows);
        }
        String large = InferenceServerTest.json(Map.of("instances", many.subList(0, 80)));
        assertThat(large.length()).as("scored on a pool thread, not the selector").isGreaterThan(FastPredict.INLINE_BODY_BYTES);
        calls.add(new Call("many rows", "/v1/models/credit:predict", large, with(auth, "X-Request-Id", "fast-80"), true));
        calls.add(new Call("flagged row", "/v1/models/credit:predict", flagged, with(auth, "X-Request-Id", "fast-flags"), true));
        calls.add(new Call("no request id", "/v1/models/credit:predict", one, auth, true));
        calls.add(new Call("invalid request id", "/v1/models/credit:predict", one, with(auth, "X-Request-Id", "has space"), true));
        calls.add(new Call("malformed JSON", "/v1/models/credit:predict", "{\"instances\": [", with(auth, "X-Request-Id", "e1"), false));
        calls.add(new Call("no instances", "/v1/models/credit:predict", "{}", with(auth, "X-Request-Id", "e2"), false));
        calls.add(new Call("missing column", "/v1/models/credit:predict", InferenceServerTest.json(Map.of("instances", List.of(noAge))),
                with(auth, "X-Request-Id", "e3"), false));
        calls.add(new Call("bad value", "/v1/models/credit:predict", InferenceServerTest.json(Map.of("instances", List.of(badDuration))),
                with(auth, "X-Request-Id", "e4"), false));
        calls.add(new Call("unknown model", "/v1/models/nope:predict", one, with(auth, "X-Request-Id", "e5"), false));
        calls.add(new Call("trailing slash", "/v1/models/credit:predict/", one, with(auth, "X-Request-Id", "t1"), false));
        if (token != null) {
            calls.add(new Call("no token", "/v1/models/credit:predict", one, Map.of("X-Request-Id", "e6"), false));
            calls.add(new Call("wrong token", "/v1/models/credit:predict", one, Map.of("X-Request-Id", "e7", "Authorization", "Bearer x"),
                    false));
        }
        return calls;
    }

    private static Map<String, String> with(Map<String, String> headers, String name, String value) {
        Map<String, String> out = new HashMap<>(headers);
        out.put(name, value);
        return out;
    }

    /**
     * Every response header but Date, Connection (Jetty adds {@code Connection: close} when a route answers without
     * reading a body that has not fully arrived yet: a matter of timing, on either path) and, where the server drew one,
     * the request id; names lower-cased.
     */
    private static Map<String, List<String>> headers(Reply r, boolean drawnId) {
        Map<String, List<String>> out = new TreeMap<>();
        r.raw().headers().map().forEach((k, v) -> {
            String name = k.toLowerCase(java.util.Locale.ROOT);
            if (!name.equals("date") && !name.equals("connection") && !(drawnId && name.equals("x-request-id"))) {
                out.put(name, v);
            }
        });
        return out;
    }

    private static String body(Reply r, boolean drawnId) {
        return drawnId ? r.text().replaceAll("\"request_id\":\"[0-9a-f-]{36}\"", "\"request_id\":\"*\"") : r.text();
    }

    @Test
    void fastAndJavalinRoutesAnswerByteForByteTheSame() {
        for (String token : new String[] {null, TOKEN}) {
            ModelHost host = new ModelHost();
            KilnModel model = host.load("credit", bundle("credit-gbdt"), "gbdt-1").model();
            InferenceServer.Options options = InferenceServer.Options.defaults().withInferenceToken(token);
            try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, null, options)) {
                String base = "http://127.0.0.1:" + server.port();
                for (Call c : calls(model, token)) {
                    String what = c.what() + (token == null ? "" : " (token)");
                    boolean drawnId = !c.headers().containsKey("X-Request-Id") || c.headers().get("X-Request-Id").contains(" ");
                    server.fastPath(true);
                    long before = server.fastPathAnswered();
                    Reply fast = postText(base, c.path(), c.body(), c.headers());
                    assertThat(server.fastPathAnswered() - before).as(what + ": answered by the fast path").isEqualTo(c.fast() ? 1 : 0);
                    server.fastPath(false);
                    Reply javalin = postText(base, c.path(), c.body(), c.headers());
                    assertThat(server.fastPathAnswered() - before).as(what + ": fast path off").isEqualTo(c.fast() ? 1 : 0);

                    assertThat(fast.status()).as(what + ": status").isEqualTo(javalin.status());
                    assertThat(body(fast, drawnId)).as(what + ": body").isEqualTo(body(javalin, drawnId));
                    assertThat(headers(fast, drawnId)).as(what + ": headers").isEqualTo(headers(javalin, drawnId));
                    if (c.fast()) {
                        assertThat(fast.status()).as(what).isEqualTo(200);
                        assertThat(fast.header("Connection")).as(what).isNull();
                        assertThat(javalin.header("Connection")).as(what).isNull();
                        assertThat(fast.header("X-Request-Id")).as(what).isEqualTo(fast.body().get("request_id").asText());
                        assertThat(fast.header("Content-Type")).isEqualTo("application/json");
                    }
                }
            }
        }
    }

    /** The bytes on the wire, status line and header order included, are the same on both paths (but the Date line). */
    @Test
    void onTheWireTheAnswersAreTheSameBytes() throws Exception {
        for (String token : new String[] {null, TOKEN}) {
            ModelHost host = new ModelHost();
            KilnModel model = host.load("credit", bundle("credit-gbdt"), "gbdt-1").model();
            byte[] body = InferenceServerTest.json(Map.of("instances", Fixtures.rows(model).subList(0, 1))).getBytes(StandardCharsets.UTF_8);
            String head = "POST /v1/models/credit:predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "X-Request-Id: wire-1\r\n" + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
            InferenceServer.Options options = InferenceServer.Options.defaults().withInferenceToken(token);
            try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, null, options)) {
                String[] answers = new String[2];
                for (int i = 0; i < 2; i++) {
                    server.fastPath(i == 0);
                    try (Socket socket = new Socket("127.0.0.1", server.port())) {
                        socket.setSoTimeout(30_000);
                        OutputStream out = socket.getOutputStream();
                        out.write(head.getBytes(StandardCharsets.US_ASCII));
                        out.write(body);
                        out.flush();
                        answers[i] = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                                .replaceFirst("\r\nDate: [^\r]*", "");
                    }
                }
                assertThat(server.fastPathAnswered()).isEqualTo(1);
                assertThat(answers[0]).startsWith("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: wire-1\r\n")
                        .isEqualTo(answers[1]);
            }
        }
    }

    @Test
    void fastPathRequestsAreCountedTimedFlaggedAndLogged() {
        ModelHost host = new ModelHost();
        KilnModel model = host.load("credit", bundle("credit-gbdt"), "gbdt-1").model();
        List<Map<String, Object>> rows = Fixtures.rows(model);
        PredictionLog log = new PredictionLog(dir);
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, log)) {
            String base = "http://127.0.0.1:" + server.port();
            for (int i = 0; i < 4; i++) {
                Reply r = postText(base, "/v1/models/credit:predict", InferenceServerTest.json(Map.of("instances", List.of(rows.get(i)))),
                        Map.of("X-Request-Id", "fast-" + i));
                assertThat(r.status()).as(r.text()).isEqualTo(200);
            }
            Map<String, Object> odd = new LinkedHashMap<>(rows.get(4));
            odd.put("credit_amount", 10_000_000L);
            Reply flagged = postText(base, "/v1/models/credit:predict", InferenceServerTest.json(Map.of("instances", List.of(odd))),
                    Map.of("X-Request-Id", "fast-flagged"));
            assertThat(flagged.status()).isEqualTo(200);
            assertThat(flagged.body().get("predictions").get(0).get("flags")).isNotNull();
            Reply bad = postText(base, "/v1/models/credit:predict", "{}", Map.of("X-Request-Id", "bad"));
            assertThat(bad.status()).isEqualTo(400);
            assertThat(server.fastPathAnswered()).isEqualTo(5);

            Metrics m = Metrics.scrape(base);
            assertThat(m.requests("credit", "gbdt-1", "success")).isEqualTo(5);
            assertThat(m.requests("credit", "gbdt-1", "client_error")).isEqualTo(1);
            assertThat(m.latencyCount("credit")).isEqualTo(6);
            assertThat(m.sample("kiln_input_flags_total", "model=\"credit\"", "column=\"credit_amount\"")).isEqualTo(1);

            assertThat(await(10, () -> log.written() == 5)).as("written " + log.written()).isTrue();
            List<JsonNode> recs = records(dir, "credit", PredictionLog.PREDICTIONS);
            assertThat(recs.stream().map(r -> r.get("request_id").asText()).toList())
                    .containsExactly("fast-0", "fast-1", "fast-2", "fast-3", "fast-flagged");
            assertThat(recs.get(4).get("flags")).isNotNull();
            assertThat(recs.get(0).get("inputs").get("checking_status").asText()).isEqualTo(rows.get(0).get("checking_status"));
            assertThat(recs.get(0).get("latency_ms").asDouble()).isPositive();
            assertThat(server.inFlight()).isZero();
        }
    }

    /**
     * Jetty runs the handlers on the selector thread that read the request (no hand-off to a pool thread: what makes
     * the fast path fast), and the fast path hands everything else to the pool, where Javalin's blocking routes run:
     * a feedback call, health, metadata and metrics are answered while fast-path requests keep coming.
     */
    @Test
    void theFastPathRunsOnSelectorThreadsAndTheOtherRoutesOnThePool() {
        ModelHost host = new ModelHost();
        KilnModel model = host.load("credit", bundle("credit-gbdt"), "gbdt-1").model();
        PredictionLog log = new PredictionLog(dir);
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, log)) {
            assertThat(server.invocationType()).isEqualTo(org.eclipse.jetty.util.thread.Invocable.InvocationType.NON_BLOCKING);
            assertThat(server.selectors()).isEqualTo(InferenceServer.SELECTORS).isGreaterThanOrEqualTo(2);
            String base = "http://127.0.0.1:" + server.port();
            String one = InferenceServerTest.json(Map.of("instances", Fixtures.rows(model).subList(0, 1)));
            for (int i = 0; i < 20; i++) {
                assertThat(postText(base, "/v1/models/credit:predict", one, Map.of("X-Request-Id", "mix-" + i)).status()).isEqualTo(200);
                Reply feedback = postText(base, "/v1/models/credit:feedback", "{\"request_id\":\"mix-" + i + "\",\"label\":\"good\"}",
                        Map.of());
                assertThat(feedback.status()).as(feedback.text()).isBetween(200, 299);
                assertThat(Fixtures.get(base, "/v2/health/ready").status()).isEqualTo(200);
                assertThat(Fixtures.get(base, "/v2/models/credit").status()).isEqualTo(200);
            }
            assertThat(server.fastPathAnswered()).isEqualTo(20);
            assertThat(Metrics.scrape(base).requests("credit", "gbdt-1", "success")).isGreaterThanOrEqualTo(20);
            assertThat(server.inFlight()).isZero();
        }
    }

    /** A body sent in two parts (the fast path waits for the rest), then one cut short: the Javalin route answers that. */
    @Test
    void aBodyInPartsIsAnsweredAndOneCutShortGoesToJavalin() throws Exception {
        ModelHost host = new ModelHost();
        KilnModel model = host.load("credit", bundle("credit-gbdt"), "gbdt-1").model();
        byte[] body = InferenceServerTest.json(Map.of("instances", Fixtures.rows(model).subList(0, 2))).getBytes(StandardCharsets.UTF_8);
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, null, java.time.Duration.ofMillis(800))) {
            String head = "POST /v1/models/credit:predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.write(body, 0, body.length / 2);
                out.flush();
                Thread.sleep(200);
                out.write(body, body.length / 2, body.length - body.length / 2);
                out.flush();
                InputStream in = socket.getInputStream();
                String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertThat(response).startsWith("HTTP/1.1 200").contains("\"predictions\"");
            }
            assertThat(server.fastPathAnswered()).isEqualTo(1);
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.write(body, 0, body.length / 2);
                out.flush(); // ... and never the rest: the idle timeout ends it, as on the Javalin route
                String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(response).startsWith("HTTP/1.1 408").contains("request_timeout");
            }
            assertThat(server.fastPathAnswered()).isEqualTo(1);
            assertThat(server.inFlight()).isZero();
        }
    }
}
