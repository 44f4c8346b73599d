package dev.kiln.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One error shape everywhere: domain errors, bad bodies, unknown routes, traversal attempts, oversized bodies. */
class ErrorShapeTest {
    @TempDir
    static Path home;
    static TestServer s;

    @BeforeAll
    static void start() {
        s = TestServer.start(home);
        s.store.registry().register("credit", Bundles.good(), null, "seed", "seed");
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    private static void assertError(TestServer.Res r, int status, String code) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.raw().headers().firstValue("Content-Type").orElse("")).as(r.toString()).startsWith("application/json");
        assertThat(r.json()).as(r.toString()).isNotNull();
        assertThat(r.json().path("error").path("code").asText()).as(r.toString()).isEqualTo(code);
        assertThat(r.json().path("error").path("message").asText()).as(r.toString()).isNotBlank();
        assertThat(r.json().path("error").path("details").isObject()).as(r.toString()).isTrue();
        assertThat(r.body()).doesNotContain("\tat ", "Exception");
    }

    @Test
    void notFoundIsModelNotFound() {
        TestServer.Res r = s.get("/api/models/nope", null);
        assertError(r, 404, "model_not_found");
        assertThat(r.json().path("error").path("details").path("model").asText()).isEqualTo("nope");
        assertError(s.get("/api/models/credit/versions/9", null), 404, "model_not_found");
        assertError(s.get("/api/models/credit/aliases/staging", null), 404, "model_not_found");
        assertError(s.get("/api/runs/00000000-0000-0000-0000-000000000000", null), 404, "run_not_found");
        assertError(s.get("/api/lineage/nope%40production", null), 404, "model_not_found");
    }

    @Test
    void badJsonAndWrongTypesAreInvalidArgumentNamingTheField() {
        assertError(s.post("/api/runs", null, "{\"experiment\": "), 400, "invalid_argument");
        assertError(s.post("/api/runs", null, "[1, 2]"), 400, "invalid_argument");
        assertError(s.post("/api/runs", null, "{\"experiment\": \"e\"} trailing"), 400, "invalid_argument");
        TestServer.Res wrongType = s.post("/api/runs", null, "{\"experiment\": 42}");
        assertError(wrongType, 400, "invalid_argument");
        assertThat(wrongType.json().path("error").path("details").path("field").asText()).isEqualTo("experiment");
        TestServer.Res missing = s.put("/api/models/credit/aliases/staging", null, "{\"reason\": \"x\"}");
        assertError(missing, 400, "invalid_argument");
        assertThat(missing.json().path("error").path("details").path("field").asText()).isEqualTo("version");
        TestServer.Res version = s.put("/api/models/credit/aliases/staging", null, "{\"version\": \"one\"}");
        assertThat(version.json().path("error").path("message").asText()).contains("'version'", "integer");
        TestServer.Res unknown = s.put("/api/models/credit/aliases/staging", null, "{\"version\": 1, \"verison\": 2}");
        assertError(unknown, 400, "invalid_argument");
        assertThat(unknown.json().path("error").path("details").path("field").asText()).isEqualTo("verison");
        assertError(s.get("/api/runs?limit=lots", null), 400, "invalid_argument");
        assertError(s.get("/api/models/credit/versions/0", null), 400, "invalid_argument");
    }

    @Test
    void unknownRouteIsNotFoundInTheSameShape() {
        assertError(s.get("/api/nothing-here", null), 404, "route_not_found");
        // "/" is the web UI now (UiServingTest); a UI file that does not exist is a 404 in the same shape.
        assertError(s.get("/ui/nothing-here.js", null), 404, "route_not_found");
        assertError(s.send("PATCH", "/api/models/credit", null, "{}"), 404, "route_not_found");
    }

    @Test
    void bodiesNeedJsonContentTypeAndAtMostOneMegabyte() {
        TestServer.Res plain = TestServer.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(s.server.url() + "/api/runs"))
                .header("Content-Type", "text/plain").POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"experiment\": \"e\"}")).build());
        assertError(plain, 415, "unsupported_media_type");
        String big = "{\"experiment\": \"e\", \"name\": \"" + "x".repeat(1_100_000) + "\"}";
        assertError(s.post("/api/runs", null, big), 413, "payload_too_large");
    }

    @Test
    void traversalAttemptsAreRefusedWithoutTouchingFiles() throws IOException {
        List<String> before = listing(home);
        // Encoded separators and dots reach the router; the parameters are judged after decoding.
        for (String path : List.of(
                "/api/models/..%2F..%2Fetc",
                "/api/models/%2e%2e",
                "/api/models/%2E%2E/versions",
                "/api/models/..",
                "/api/models/%2Fetc%2Fpasswd",
                "/api/models/..%5C..%5Cwindows",
                "/api/models/a%5Cb",
                "/api/models/credit/aliases/..%2Fproduction",
                "/api/models/credit/versions/..%2F1",
                "/api/runs/..%2F..%2Fkiln.db",
                "/api/runs/%2e%2e/metrics/x",
                "/api/runs/00000000-0000-0000-0000-000000000000/metrics/..%2F..%2Fx",
                "/api/experiments/..%2Fx/runs",
                "/api/lineage/..%2F..%2Fetc%40production")) {
            TestServer.Res r = s.get(path, null);
            assertError(r, 400, "invalid_argument");
        }
        // Literal dot segments match no route.
        for (String path : List.of("/api/models/../../etc/passwd", "/api/../kiln.db")) {
            TestServer.Res r = s.get(path, null);
            assertThat(r.status()).as(path + " -> " + r).isIn(400, 404);
            assertThat(r.errorCode()).as(path + " -> " + r).isIn("invalid_argument", "route_not_found");
        }
        assertError(s.put("/api/models/credit/tags/..%2F..%2Fx", null, "{\"value\": \"v\"}"), 400, "invalid_argument");
        assertError(s.post("/api/runs/..%2F..%2Fx/params", null, "{\"a\": 1}"), 400, "invalid_argument");
        assertThat(listing(home)).isEqualTo(before);
    }

    @Test
    void rawBackslashAndMalformedRequestsGetTheSameShape() throws IOException {
        for (String line : List.of("GET /api/models/..\\..\\etc HTTP/1.1", "GET /api/models/a\\b HTTP/1.1",
                "GET /api/models/%2 HTTP/1.1", "GET /api/models/a b HTTP/1.1")) {
            String response = TestServer.raw(s.server.port(), line + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            assertThat(response).as(line).startsWith("HTTP/1.1 40");
            assertThat(response).as(line).contains("Content-Type: application/json", "{\"error\":{\"code\":\"invalid_argument\"")
                    .doesNotContain("<html");
        }
        String version = TestServer.raw(s.server.port(), "GET /api/models HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n");
        // The code of Jetty's status (ErrorCode.forHttpStatus), was http_505 before the HTTP layer's codes joined ErrorCode.
        assertThat(version).startsWith("HTTP/1.1 505").contains("{\"error\":{\"code\":\"http_version_unsupported\"")
                .contains("Kiln-Error-Code: http_version_unsupported");
        String noRoute = TestServer.raw(s.server.port(), "GET /api/nothing-here HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        assertThat(noRoute).startsWith("HTTP/1.1 404").contains("Kiln-Error-Code: route_not_found",
                "{\"error\":{\"code\":\"route_not_found\"");
    }

    @Test
    void anInternalFailureIs500WithoutItsInsides(@TempDir Path other) {
        TestServer t = TestServer.start(other);
        try {
            t.store.close(); // the database goes away under a running server
            TestServer.Res r = t.get("/api/models", null);
            assertError(r, 500, "internal");
            assertThat(r.body()).doesNotContain("jdbc", "sqlite", "Hikari", other.toString());
        } finally {
            t.server.close();
        }
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.map(p -> dir.relativize(p) + " " + p.toFile().length()).sorted().toList();
        }
    }
}
