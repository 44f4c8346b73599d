package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every error kiln serve answers is JSON with the {@code Kiln-Error-Code} header, whoever raises it: the routes, the
 * router, or Jetty itself before any route runs (a malformed request line, an unknown HTTP version, headers over the
 * limit) — never Jetty's HTML page — and is counted in {@code kiln_http_errors_total{code,outcome}}.
 */
class ErrorModelTest {
    record Case(String what, String request, int status, ErrorCode code) {
    }

    @Test
    void whatJettyRefusesIsAnsweredInKilnsShapeAndCounted() throws Exception {
        ModelHost host = new ModelHost();
        host.load("credit", bundle("credit-linear"), "1");
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0)) {
            List<Case> cases = List.of(
                    new Case("a malformed request line", "GARBAGE\r\n\r\n", 400, ErrorCode.INVALID_ARGUMENT),
                    new Case("an unknown HTTP version", "GET /metrics HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n", 505, ErrorCode.HTTP_VERSION_UNSUPPORTED),
                    new Case("headers over the limit", "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a".repeat(64 * 1024) + "\r\n\r\n",
                            431, ErrorCode.HEADERS_TOO_LARGE),
                    new Case("a bad Content-Length", "POST /v1/models/credit:predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: x\r\n\r\n",
                            400, ErrorCode.INVALID_ARGUMENT),
                    new Case("no route", "GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 404, ErrorCode.ROUTE_NOT_FOUND));
            for (Case c : cases) {
                RawHttp.Answer a = RawHttp.exchange(server.port(), c.request(), 5_000);
                assertThat(a.status()).as(c.what() + ": " + a).isEqualTo(c.status());
                assertThat(a.header("Content-Type")).as(c.what()).startsWith("application/json");
                assertThat(a.header(InferenceServer.ERROR_CODE_HEADER)).as(c.what() + ": " + a).isEqualTo(c.code().wireName());
                JsonNode body = InferenceServer.MAPPER.readTree(a.body());
                assertThat(body.path("error").path("code").asText()).as(c.what() + ": " + a).isEqualTo(c.code().wireName());
                assertThat(body.get("error").get("message").asText()).as(c.what()).isNotBlank();
                assertThat(a.body()).as(c.what()).doesNotContain("<html");
                assertThat(server.meters().errors(c.code())).as(c.what() + " counted").isGreaterThanOrEqualTo(1);
            }
            // On /v2/... the protocol's shape, the code in the header.
            RawHttp.Answer oip = RawHttp.exchange(server.port(), "GET /v2/nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 5_000);
            assertThat(oip.status()).isEqualTo(404);
            assertThat(InferenceServer.MAPPER.readTree(oip.body()).get("error").isTextual()).isTrue();
            assertThat(oip.header(InferenceServer.ERROR_CODE_HEADER)).isEqualTo("route_not_found");
            Metrics m = Metrics.scrape("http://127.0.0.1:" + server.port());
            assertThat(m.sample("kiln_http_errors_total", "code=\"route_not_found\"", "outcome=\"client_error\"")).isEqualTo(2);
        }
    }
}
