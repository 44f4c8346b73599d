package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static dev.kiln.serve.Fixtures.postText;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnModel;
import dev.kiln.serve.Fixtures.Reply;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A client's mistakes are the client's: a body cut short, broken chunked framing and trailing garbage after the JSON
 * document answer 400 (never a 500 with a stack trace), log one line, and count as client errors, on the fast path
 * and on the Javalin routes alike.
 */
class ClientMistakesTest {
    private static final String PREDICT = "/v1/models/credit:predict";

    @Test
    void aBodyCutShortIsAClientErrorLoggedInOneLine() throws Exception {
        ModelHost host = new ModelHost();
        host.load("credit", bundle("credit-gbdt"), "1");
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0); LogCapture log = new LogCapture()) {
            for (boolean fast : new boolean[] {true, false}) {
                server.fastPath(fast);
                for (String path : List.of(PREDICT, "/v2/models/credit/infer", "/v1/models/credit:feedback")) {
                    try (Socket s = new Socket("127.0.0.1", server.port())) {
                        s.setSoTimeout(10_000);
                        OutputStream out = s.getOutputStream();
                        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n"
                                + "{\"instances\": [").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        s.shutdownOutput(); // the client is done: the body ends 485 bytes early
                        RawHttp.Answer a = RawHttp.read(s.getInputStream());
                        if (a.status() != 0) { // the answer may be lost with the connection; when it comes, it is this
                            assertThat(a.status()).as(path + ": " + a).isEqualTo(400);
                            assertThat(a.header(InferenceServer.ERROR_CODE_HEADER)).isEqualTo("invalid_argument");
                        }
                    }
                }
            }
            RegistryFollowerTest.await(() -> server.meters().errors(ErrorCode.INVALID_ARGUMENT) >= 6, "six client errors counted");
            assertThat(server.meters().errors(ErrorCode.INTERNAL)).as("no server error").isZero();
            assertThat(log.containing("unreadable request body")).hasSize(6);
            assertThat(log.withStackTraces()).as("no stack trace for a client's mistake").isEmpty();
            Metrics m = Metrics.scrape("http://127.0.0.1:" + server.port());
            assertThat(m.sample("kiln_requests_total", "outcome=\"server_error\"")).isZero();
            assertThat(m.sample("kiln_http_errors_total", "outcome=\"server_error\"")).isZero();
        }
    }

    @Test
    void brokenChunkedFramingIsA400() throws Exception {
        ModelHost host = new ModelHost();
        host.load("credit", bundle("credit-gbdt"), "1");
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0); LogCapture log = new LogCapture()) {
            for (String size : List.of("FFFFFFFFFFFFFFFFFFFF", "zz")) {
                RawHttp.Answer a = RawHttp.exchange(server.port(), "POST " + PREDICT + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + size + "\r\n{\"instances\"", 10_000);
                assertThat(a.status()).as(size + ": " + a).isEqualTo(400);
                assertThat(a.header(InferenceServer.ERROR_CODE_HEADER)).isEqualTo("invalid_argument");
                assertThat(InferenceServer.MAPPER.readTree(a.body()).get("error").get("code").asText()).isEqualTo("invalid_argument");
            }
            assertThat(server.meters().errors(ErrorCode.INTERNAL)).isZero();
            assertThat(log.withStackTraces()).isEmpty();
        }
    }

    @Test
    void trailingContentAfterTheJsonDocumentIsRefusedOnEveryRoute() {
        ModelHost host = new ModelHost();
        KilnModel gbdt = host.load("credit", bundle("credit-gbdt"), "1").model();
        String row = InferenceServerTest.json(Map.of("instances", List.of(Fixtures.rows(gbdt).get(0))));
        String infer = InferenceServerTest.json(Fixtures.oipRequest(gbdt, Fixtures.rows(gbdt).subList(0, 1), null));
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0)) {
            String base = "http://127.0.0.1:" + server.port();
            for (boolean fast : new boolean[] {true, false}) {
                server.fastPath(fast);
                assertThat(postText(base, PREDICT, row, Map.of()).status()).as("the document alone").isEqualTo(200);
                for (String tail : List.of(" xyz", " {}", "]", " 1")) {
                    Reply r = postText(base, PREDICT, row + tail, Map.of());
                    assertThat(r.status()).as(fast + " " + tail + ": " + r.text()).isEqualTo(400);
                    assertThat(r.header(InferenceServer.ERROR_CODE_HEADER)).isEqualTo("data_malformed");
                }
            }
            assertThat(postText(base, "/v2/models/credit/infer", infer + " xyz", Map.of()).status()).isEqualTo(400);
            assertThat(postText(base, "/v1/models/credit:explain", row + " xyz", Map.of()).status()).isEqualTo(400);
            assertThat(postText(base, "/v2/models/credit/infer", infer + "  \n", Map.of()).status()).as("trailing space is fine").isEqualTo(200);
        }
    }
}
