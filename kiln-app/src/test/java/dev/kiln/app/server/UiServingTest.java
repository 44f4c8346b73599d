package dev.kiln.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI over HTTP: its files from the jar behind a strict Content-Security-Policy, deep links answered with
 * the one HTML page, and the session: an HttpOnly SameSite=Strict cookie for a token, a CSRF token on every change,
 * cross-site changes refused, a revoked token ending its sessions.
 */
class UiServingTest {
    @TempDir
    Path home;

    private static HttpRequest.Builder request(TestServer s, String path) {
        return HttpRequest.newBuilder(URI.create(s.server.url() + path)).timeout(Duration.ofSeconds(20));
    }

    @Test
    void pagesAndFilesComeFromTheJarUnderACspThatForbidsInlineScript() throws Exception {
        try (TestServer s = TestServer.start(home)) {
            for (String page : new String[] {"/", "/runs", "/runs/0b7c1a52-2f7e-4b59-9e57-0c1f0c3c8a11", "/models/credit/monitoring", "/compare?runs=a,b"}) {
                TestServer.Res r = s.get(page, null);
                assertThat(r.status()).as(page).isEqualTo(200);
                assertThat(r.raw().headers().firstValue("Content-Type").orElse("")).as(page).startsWith("text/html");
                assertThat(r.body()).contains("<script type=\"module\" src=\"/ui/app.js\"></script>").doesNotContain("<script>");
                String csp = r.raw().headers().firstValue("Content-Security-Policy").orElse("");
                assertThat(csp).contains("script-src 'self'").contains("frame-ancestors 'none'").doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
                assertThat(r.raw().headers().firstValue("X-Content-Type-Options")).contains("nosniff");
            }
            TestServer.Res app = s.get("/ui/app.js", null);
            assertThat(app.status()).isEqualTo(200);
            assertThat(app.raw().headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
            String etag = app.raw().headers().firstValue("ETag").orElseThrow();
            TestServer.Res again = TestServer.send(request(s, "/ui/app.js").header("If-None-Match", etag).GET().build());
            assertThat(again.status()).isEqualTo(304);
            assertThat(s.get("/ui/vendor/uplot.js", null).body()).contains("uPlot");
            assertThat(s.get("/ui/vendor/uplot-LICENSE.txt", null).body()).contains("MIT");
            // The API's own answers stay JSON, also for a route that does not exist.
            TestServer.Res missing = s.get("/api/nothing-here", null);
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.errorCode()).isEqualTo("route_not_found");
        }
    }

    @Test
    void nothingOutsideTheUiFolderIsServed() throws Exception {
        try (TestServer s = TestServer.start(home)) {
            for (String path : new String[] {"/ui/../server-tokens.json", "/ui/%2e%2e/%2e%2e/dev/kiln/app/server/Api.class",
                    "/ui/dev/kiln/app/server/Api.class", "/ui/app.js%00.png", "/ui/missing.js", "/ui/App.JS", "/ui/..%2fkiln.css"}) {
                TestServer.Res r = s.get(path, null);
                assertThat(r.status()).as(path + ": " + r).isIn(400, 404);
                assertThat(r.body()).as(path).doesNotContain("sha256").doesNotContain("CAFEBABE");
            }
            String raw = TestServer.raw(s.server.port(), "GET /ui/../../etc/passwd HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            assertThat(raw).doesNotContain("root:");
        }
    }

    @Test
    void aTokenBecomesAnHttpOnlyStrictCookieAndEveryChangeNeedsTheCsrfToken() throws Exception {
        String editor = ApiTokens.add(home, "erin", Role.EDITOR).token();
        try (TestServer s = TestServer.start(home)) {
            assertThat(s.get("/api/session", null).json().path("signed_in").asBoolean()).isFalse();
            assertThat(s.post("/api/session", null, "{\"token\": \"wrong\"}").status()).isEqualTo(401);
            assertThat(s.post("/api/session", null, "{}").errorCode()).isEqualTo("invalid_argument");

            TestServer.Res signIn = s.post("/api/session", null, "{\"token\": \"" + editor + "\"}");
            assertThat(signIn.status()).isEqualTo(200);
            assertThat(signIn.json().path("role").asText()).isEqualTo("editor");
            assertThat(signIn.body()).doesNotContain(editor);
            String setCookie = signIn.raw().headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(setCookie).startsWith(UiSessions.COOKIE + "=").contains("HttpOnly").contains("SameSite=Strict").contains("Path=/")
                    .doesNotContain("Secure");
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));
            String csrf = signIn.json().path("csrf").asText();

            TestServer.Res me = TestServer.send(request(s, "/api/session").header("Cookie", cookie).GET().build());
            assertThat(me.json().path("name").asText()).isEqualTo("erin");
            assertThat(me.json().path("csrf").asText()).isEqualTo(csrf);
            assertThat(TestServer.send(request(s, "/api/runs").header("Cookie", cookie).GET().build()).status()).isEqualTo(200);

            String body = "{\"experiment\": \"ui\", \"name\": \"from the browser\"}";
            TestServer.Res noCsrf = TestServer.send(request(s, "/api/runs").header("Cookie", cookie)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
            assertThat(noCsrf.status()).isEqualTo(403);
            assertThat(noCsrf.body()).contains("CSRF");
            TestServer.Res wrongCsrf = TestServer.send(request(s, "/api/runs").header("Cookie", cookie).header(UiSessions.CSRF_HEADER, csrf + "x")
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
            assertThat(wrongCsrf.status()).isEqualTo(403);
            TestServer.Res ok = TestServer.send(request(s, "/api/runs").header("Cookie", cookie).header(UiSessions.CSRF_HEADER, csrf)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
            assertThat(ok.status()).as(ok.toString()).isIn(200, 201);

            TestServer.Res crossSite = TestServer.send(request(s, "/api/runs").header("Cookie", cookie).header(UiSessions.CSRF_HEADER, csrf)
                    .header("Origin", "https://evil.example").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build());
            assertThat(crossSite.status()).isEqualTo(403);
            assertThat(crossSite.body()).contains("evil.example");

            TestServer.Res out = TestServer.send(request(s, "/api/session").header("Cookie", cookie).DELETE().build());
            assertThat(out.raw().headers().firstValue("Set-Cookie").orElse("")).contains("Max-Age=0");
            assertThat(TestServer.send(request(s, "/api/runs").header("Cookie", cookie).GET().build()).status()).isEqualTo(401);
        }
    }

    @Test
    void revokingTheTokenEndsItsSessionsAndTlsMakesTheCookieSecure() throws Exception {
        String viewer = ApiTokens.add(home, "vic", Role.VIEWER).token();
        try (TestServer s = TestServer.start(home)) {
            TestServer.Res signIn = TestServer.send(request(s, "/api/session").header("X-Forwarded-Proto", "https")
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"token\": \"" + viewer + "\"}")).build());
            String setCookie = signIn.raw().headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(setCookie).contains("; Secure");
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));
            String csrf = signIn.json().path("csrf").asText();
            TestServer.Res viewerWrites = TestServer.send(request(s, "/api/runs").header("Cookie", cookie).header(UiSessions.CSRF_HEADER, csrf)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"experiment\": \"x\"}")).build());
            assertThat(viewerWrites.status()).as("a viewer's session may not change anything").isEqualTo(403);

            ApiTokens.revoke(home, "vic");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int status = 200;
            while (System.nanoTime() < deadline && status == 200) {
                status = TestServer.send(request(s, "/api/runs").header("Cookie", cookie).GET().build()).status();
                if (status == 200) {
                    Thread.onSpinWait(); // the server re-reads the tokens file at most once a second
                }
            }
            assertThat(status).isEqualTo(401);
        }
    }

    @Test
    void anOpenServersSessionIsForLoopbackHostsOnly() throws Exception {
        try (TestServer s = TestServer.start(home)) {
            TestServer.Res local = s.post("/api/session", null, "{}");
            assertThat(local.json()).isNotNull();
            assertThat(local.json().path("role").asText()).isEqualTo("admin");
            assertThat(local.json().path("auth").asText()).isEqualTo("none");
            String rebound = TestServer.raw(s.server.port(), "POST /api/session HTTP/1.1\r\nHost: evil.example:" + s.server.port()
                    + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
            assertThat(rebound).startsWith("HTTP/1.1 403");
            assertThat(rebound).doesNotContain("Set-Cookie");
            // Requests without a cookie (the CLI, scripts) work as before: the local admin, no CSRF token needed.
            assertThat(s.post("/api/runs", null, "{\"experiment\": \"cli\"}").status()).isIn(200, 201);
        }
    }
}
