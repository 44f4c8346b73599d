package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static dev.kiln.serve.TokensAndRepositoryTest.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.KilnModel;
import dev.kiln.serve.Fixtures.Reply;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a page elsewhere can make a browser send is refused: a POST body that is not JSON (a form's {@code text/plain}
 * needs no CORS preflight) answers 415, and a request addressed to a name the server does not go by (DNS rebinding)
 * answers 403 naming the host, on the fast path and the Javalin routes alike.
 */
class CrossSiteTest {
    private static Reply post(String base, String path, String body, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return Fixtures.send(b);
    }

    @Test
    void onlyJsonBodiesAreTaken() throws Exception {
        RepositoryFixture fixture = RepositoryFixture.of(java.nio.file.Files.createTempDirectory("kiln-cross-site"));
        KilnModel model = fixture.host().get("credit").orElseThrow().model();
        String row = InferenceServerTest.json(Map.of("instances", List.of(Fixtures.rows(model).get(0))));
        String feedback = "{\"request_id\": \"r-1\", \"label\": \"good\"}";
        InferenceServer.Options options = InferenceServer.Options.defaults().withAdminToken(ADMIN).withRepository(fixture.repo());
        try (InferenceServer server = InferenceServer.start(fixture.host(), "127.0.0.1", 0, null, options)) {
            String base = "http://127.0.0.1:" + server.port();
            for (boolean fast : new boolean[] {true, false}) {
                server.fastPath(fast);
                long answeredFast = server.fastPathAnswered();
                for (String refused : new String[] {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                        "application/jsonx", "text/json", null}) {
                    for (String[] call : new String[][] {{"/v1/models/credit:predict", row}, {"/v1/models/credit:feedback", feedback},
                            {"/v2/models/credit/infer", row}}) {
                        Reply r = post(base, call[0], call[1], refused);
                        assertThat(r.status()).as(call[0] + " as " + refused + ": " + r.text()).isEqualTo(415);
                        assertThat(r.header(InferenceServer.ERROR_CODE_HEADER)).isEqualTo("unsupported_media_type");
                    }
                }
                for (String json : List.of("application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8",
                        "application/vnd.kiln+json")) {
                    Reply r = post(base, "/v1/models/credit:predict", row, json);
                    assertThat(r.status()).as(json + ": " + r.text()).isEqualTo(200);
                }
                assertThat(server.fastPathAnswered() - answeredFast).as("JSON types answered on the fast path").isEqualTo(fast ? 4 : 0);
            }
            Reply admin = post(base, "/v2/repository/models/credit/load", "{}", "text/plain");
            assertThat(admin.status()).isEqualTo(401); // who asks comes first
            HttpRequest.Builder empty = HttpRequest.newBuilder(URI.create(base + "/v2/repository/index"))
                    .POST(HttpRequest.BodyPublishers.noBody()).header("Authorization", "Bearer " + ADMIN);
            assertThat(Fixtures.send(empty).status()).as("an empty body needs no type").isEqualTo(200);
            HttpRequest.Builder plain = HttpRequest.newBuilder(URI.create(base + "/v2/repository/index"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "text/plain").header("Authorization", "Bearer " + ADMIN);
            assertThat(Fixtures.send(plain).status()).isEqualTo(415);
        }
    }

    private static RawHttp.Answer getAs(int port, String path, String host) {
        return RawHttp.exchange(port, "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n", 10_000);
    }

    private static RawHttp.Answer predictAs(int port, String body, String host) {
        return RawHttp.exchange(port, "POST /v1/models/credit:predict HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body, 10_000);
    }

    @Test
    void aLoopbackServerAnswersOnlyItsLoopbackNames() {
        ModelHost host = new ModelHost();
        KilnModel model = host.load("credit", bundle("credit-gbdt"), "1").model();
        String row = InferenceServerTest.json(Map.of("instances", List.of(Fixtures.rows(model).get(0))));
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0)) {
            int port = server.port();
            for (String ok : List.of("localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port, "LOCALHOST:" + port, "127.0.0.1")) {
                assertThat(getAs(port, "/v2/health/live", ok).status()).as(ok).isEqualTo(200);
                assertThat(predictAs(port, row, ok).status()).as(ok).isEqualTo(200);
            }
            long fast = server.fastPathAnswered();
            for (String bad : List.of("evil.example:" + port, "evil.example", "127.0.0.1:" + (port + 1), "localhost.evil.example:" + port,
                    "10.0.0.7:" + port)) {
                for (String path : List.of("/v2/health/live", "/metrics", "/v2/models/credit")) {
                    RawHttp.Answer a = getAs(port, path, bad);
                    assertThat(a.status()).as(bad + " " + path + ": " + a).isEqualTo(403);
                    assertThat(a.header(InferenceServer.ERROR_CODE_HEADER)).isEqualTo("forbidden");
                    assertThat(a.body()).contains(bad);
                }
                RawHttp.Answer a = predictAs(port, row, bad);
                assertThat(a.status()).as(bad + " :predict").isEqualTo(403);
                assertThat(a.body()).contains("DNS rebinding");
            }
            assertThat(server.fastPathAnswered()).as("refused on the Javalin route, never scored").isEqualTo(fast);
        }
    }

    @Test
    void aServerOnEveryInterfaceAnswersItsConfiguredNamesAndAddresses() {
        ModelHost host = new ModelHost();
        host.load("credit", bundle("credit-gbdt"), "1");
        InferenceServer.Options options = InferenceServer.Options.defaults().withAllowedHosts(List.of("kiln.internal", "Models.Example.com"));
        assertThat(options.toString()).contains("kiln.internal");
        try (InferenceServer server = InferenceServer.start(host, "0.0.0.0", 0, null, options)) {
            int port = server.port();
            for (String ok : List.of("kiln.internal:" + port, "models.example.com:" + port, "10.1.2.3:" + port, "localhost:" + port)) {
                assertThat(getAs(port, "/v2/health/ready", ok).status()).as(ok).isEqualTo(200);
            }
            RawHttp.Answer a = getAs(port, "/v2/health/ready", "rebound.attacker.example:" + port);
            assertThat(a.status()).isEqualTo(403);
            assertThat(a.body()).contains("rebound.attacker.example");
        }
    }
}
