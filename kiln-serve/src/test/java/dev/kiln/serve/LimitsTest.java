package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static dev.kiln.serve.Fixtures.get;
import static dev.kiln.serve.Fixtures.postText;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.KilnModel;
import dev.kiln.serve.Fixtures.Reply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Request limits: JSON nesting depth, and a client that stalls halfway through its body. */
class LimitsTest {

    private static String nested(int depth) {
        return "{\"instances\": " + "[".repeat(depth - 1) + "]".repeat(depth - 1) + "}";
    }

    @Test
    void jsonNestedDeeperThan64IsRefusedWith400() {
        ModelHost host = new ModelHost();
        host.load("credit", bundle("credit-gbdt"), "gbdt-1");
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0)) {
            String base = "http://127.0.0.1:" + server.port();
            Reply deep = postText(base, "/v1/models/credit:predict", nested(InferenceServer.MAX_JSON_DEPTH + 1), Map.of());
            assertThat(deep.status()).as(deep.text()).isEqualTo(400);
            assertThat(deep.header(InferenceServer.ERROR_CODE_HEADER)).isEqualTo("data_malformed");
            assertThat(deep.text()).contains("nesting depth");
            Reply veryDeep = postText(base, "/v2/models/credit/infer", "[".repeat(100_000), Map.of());
            assertThat(veryDeep.status()).as(veryDeep.text()).isEqualTo(400);
            // At the limit: parsed, then refused for its content (not as malformed JSON).
            Reply atLimit = postText(base, "/v1/models/credit:predict", nested(InferenceServer.MAX_JSON_DEPTH), Map.of());
            assertThat(atLimit.status()).isEqualTo(400);
            assertThat(atLimit.header(InferenceServer.ERROR_CODE_HEADER)).isNotEqualTo("data_malformed");
            // The mapper's limit is the server's own, not Jackson's global default.
            assertThat(new com.fasterxml.jackson.databind.ObjectMapper().getFactory().streamReadConstraints().getMaxNestingDepth())
                    .isGreaterThan(InferenceServer.MAX_JSON_DEPTH);
        }
    }

    @Test
    void aStalledBodyTimesOutAndTheServerKeepsServing() throws Exception {
        ModelHost host = new ModelHost();
        KilnModel gbdt = host.load("credit", bundle("credit-gbdt"), "gbdt-1").model();
        String good = InferenceServerTest.json(Map.of("instances", List.of(Fixtures.rows(gbdt).get(0))));
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, null, Duration.ofMillis(500))) {
            String base = "http://127.0.0.1:" + server.port();
            long start = System.nanoTime();
            String answer;
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(15_000);
                byte[] half = good.substring(0, good.length() / 2).getBytes(StandardCharsets.UTF_8);
                OutputStream out = s.getOutputStream();
                out.write(("POST /v1/models/credit:predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + good.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(half);
                out.flush();
                // ... and never the rest. While it stalls, others are served.
                Reply meanwhile = postOnNewConnection(base, good);
                assertThat(meanwhile.status()).isEqualTo(200);
                answer = readUntilClosed(s.getInputStream());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(seconds).as("timed out after %.2f s", seconds).isLessThan(10);
            if (!answer.isEmpty()) {
                assertThat(answer).startsWith("HTTP/1.1 408");
                assertThat(answer).contains("request_timeout");
            }
            // A new connection: with a 500 ms idle timeout the server may close a pooled one just as it is reused,
            // and an HTTP client does not retry a POST (this failed once on a loaded CI machine).
            Reply after = postOnNewConnection(base, good);
            assertThat(after.status()).isEqualTo(200);
            assertThat(get(base, "/v2/health/ready").status()).isEqualTo(200);
            System.out.printf("LimitsTest: stalled body answered after %.2f s: %s%n", seconds,
                    answer.isEmpty() ? "(closed)" : answer.lines().findFirst().orElse(""));
        }
    }

    /** Everything the server sends until it closes the connection (a read timeout fails the test). */
    private static String readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                got.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server neither answered nor closed a stalled connection: " + got, e);
        } catch (IOException reset) {
            // connection reset: closed
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    private static Reply postOnNewConnection(String base, String body) throws Exception {
        java.net.http.HttpClient fresh = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        java.net.http.HttpResponse<String> r = fresh.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/v1/models/credit:predict"))
                .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(30)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), InferenceServer.MAPPER.readTree(r.body()), r.body(), r);
    }
}
