package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static dev.kiln.serve.Fixtures.get;
import static dev.kiln.serve.Fixtures.postText;
import static dev.kiln.serve.Fixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.KilnModel;
import dev.kiln.serve.Fixtures.Reply;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bearer tokens on model routes, and the admin-only model repository extension (load, unload, index). */
class TokensAndRepositoryTest {
    static final String TOKEN = "inference-token-0123456789";
    static final String ADMIN = "admin-token-abcdefghijklmnop";

    @TempDir
    Path root;

    static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    static Reply getWith(String base, String path, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
        headers.forEach(b::header);
        return Fixtures.send(b);
    }

    static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    @Test
    void modelRoutesNeedTheTokenProbesAndMetricsDoNot() {
        ModelHost host = new ModelHost();
        KilnModel gbdt = host.load("credit", bundle("credit-gbdt"), "gbdt-1").model();
        String body = InferenceServerTest.json(Map.of("instances", List.of(rows(gbdt).get(0))));
        String infer = InferenceServerTest.json(Fixtures.oipRequest(gbdt, rows(gbdt).subList(0, 2), null));
        InferenceServer.Options options = InferenceServer.Options.defaults().withInferenceToken(TOKEN).withAdminToken(ADMIN);
        assertThat(options.toString()).doesNotContain(TOKEN).doesNotContain(ADMIN);
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, null, options)) {
            String base = "http://127.0.0.1:" + server.port();
            // Open: probes, server metadata, metrics.
            for (String open : List.of("/v2/health/live", "/v2/health/ready", "/v2", "/metrics")) {
                assertThat(get(base, open).status()).as(open).isEqualTo(200);
            }
            // OIP routes: {"error": "..."} and the code in the header.
            Reply missing = postText(base, "/v2/models/credit/infer", infer, Map.of());
            assertThat(missing.status()).isEqualTo(401);
            assertThat(missing.body().get("error").isTextual()).isTrue();
            assertThat(missing.body().get("error").asText()).contains("Authorization: Bearer");
            assertThat(missing.header(InferenceServer.ERROR_CODE_HEADER)).isEqualTo("unauthenticated");
            assertThat(missing.header("WWW-Authenticate")).startsWith("Bearer");
            for (String path : List.of("/v2/models/credit", "/v2/models/credit/ready", "/v2/models/credit/versions/gbdt-1")) {
                assertThat(get(base, path).status()).as(path).isEqualTo(401);
                assertThat(getWith(base, path, bearer(TOKEN)).status()).as(path).isEqualTo(200);
            }
            assertThat(postText(base, "/v2/models/credit/infer", infer, bearer(TOKEN)).status()).isEqualTo(200);
            // Records route: Kiln's error shape.
            Reply wrong = postText(base, "/v1/models/credit:predict", body, bearer(TOKEN + "x"));
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(wrong.body().get("error").get("code").asText()).isEqualTo("unauthenticated");
            assertThat(wrong.body().get("error").get("message").asText()).isNotBlank();
            assertThat(postText(base, "/v1/models/credit:predict", body, Map.of("Authorization", "Basic " + TOKEN)).status())
                    .isEqualTo(401);
            assertThat(postText(base, "/v1/models/credit:predict", body, bearer(TOKEN)).status()).isEqualTo(200);
            assertThat(postText(base, "/v1/models/credit:predict", body, Map.of("Authorization", "bearer " + TOKEN)).status())
                    .as("the scheme is case-insensitive").isEqualTo(200);
            assertThat(postText(base, "/v1/models/credit:predict", body, bearer(ADMIN)).status())
                    .as("the admin token opens model routes too").isEqualTo(200);
            assertThat(postText(base, "/v1/models/credit:feedback", "{\"request_id\":\"r1\",\"label\":\"good\"}", Map.of()).status())
                    .isEqualTo(401);
            // Refused requests do not count as scoring requests.
            Metrics m = Metrics.scrape(base);
            assertThat(m.requests("credit", "gbdt-1", "success")).isEqualTo(4);
            assertThat(m.requests("credit", "gbdt-1", "client_error")).isZero();
            // The inference token is not the admin token.
            Reply notAdmin = getWith(base, "/v2/repository/index", bearer(TOKEN));
            assertThat(notAdmin.status()).isEqualTo(401);
            assertThat(notAdmin.body().get("error").asText()).contains("admin token");
        }
    }

    @Test
    void withoutAnAdminTokenTheRepositoryIsForbiddenAndNotAdvertised() {
        ModelHost host = new ModelHost();
        host.load("credit", bundle("credit-gbdt"), "gbdt-1");
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0)) {
            String base = "http://127.0.0.1:" + server.port();
            assertThat(get(base, "/v2").body().get("extensions")).isEmpty();
            for (String path : List.of("/v2/repository/models/credit/load", "/v2/repository/models/credit/unload", "/v2/repository/index")) {
                Reply r = postText(base, path, "", bearer(ADMIN));
                assertThat(r.status()).as(path).isEqualTo(403);
                assertThat(r.header(InferenceServer.ERROR_CODE_HEADER)).isEqualTo("forbidden");
                assertThat(r.body().get("error").asText()).contains("--admin-token-file").contains("KILN_SERVE_ADMIN_TOKEN");
            }
            assertThat(get(base, "/v2/repository/index").status()).isEqualTo(403);
            assertThat(host.get("credit")).isPresent();
            // Without an inference token, model routes stay open.
            assertThat(get(base, "/v2/models/credit").status()).isEqualTo(200);
        }
    }

    @Test
    void loadUnloadAndIndex() throws Exception {
        Path roots = root.resolve("bundles");
        copy(bundle("credit-gbdt"), roots.resolve("gbdt"));
        copy(bundle("credit-linear"), roots.resolve("linear"));
        Path outside = root.resolve("outside");
        copy(bundle("credit-linear"), outside);
        ModelHost host = new ModelHost();
        KilnModel gbdt = host.load("credit", roots.resolve("gbdt"), "gbdt-1").model();
        ModelRepository repo = new ModelRepository(host, null, null, List.of(roots));
        repo.remember("credit", roots.resolve("gbdt").toString());
        String body = InferenceServerTest.json(Map.of("instances", List.of(rows(gbdt).get(0))));
        InferenceServer.Options options = InferenceServer.Options.defaults().withAdminToken(ADMIN).withRepository(repo);
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, null, options)) {
            String base = "http://127.0.0.1:" + server.port();
            assertThat(get(base, "/v2").body().get("extensions").toString()).isEqualTo("[\"model_repository\"]");
            assertThat(postText(base, "/v2/repository/index", "", Map.of()).status()).isEqualTo(401);
            assertThat(postText(base, "/v1/models/credit:predict", body, Map.of()).status()).isEqualTo(200);
            assertThat(Metrics.scrape(base).requests("credit")).isEqualTo(1);

            // A new name from a bundle directory under the root: verified, warmed, then visible.
            String linearDir = roots.resolve("linear").toString();
            Reply load = postText(base, "/v2/repository/models/second/load",
                    "{\"parameters\": {\"ref\": " + InferenceServerTest.json(linearDir) + "}}", bearer(ADMIN));
            assertThat(load.status()).as(load.text()).isEqualTo(200);
            assertThat(load.body().get("state").asText()).isEqualTo("READY");
            assertThat(load.body().get("version").asText()).startsWith("sha256:");
            assertThat(postText(base, "/v1/models/second:predict", body, Map.of()).status()).isEqualTo(200);

            // Paths are checked in canonical form: outside the root, '..' out of it, a link out of it, relative.
            Path link = roots.resolve("link");
            Files.createSymbolicLink(link, outside);
            for (String bad : List.of(outside.toString(), roots + "/gbdt/../../outside", link.toString(), "bundles/gbdt")) {
                Reply r = postText(base, "/v2/repository/models/third/load",
                        "{\"parameters\": {\"ref\": " + InferenceServerTest.json(bad) + "}}", bearer(ADMIN));
                assertThat(r.status()).as(bad + ": " + r.text()).isEqualTo(400);
                assertThat(r.body().get("error").isTextual()).isTrue();
            }
            Reply nowhere = postText(base, "/v2/repository/models/third/load",
                    "{\"parameters\": {\"ref\": " + InferenceServerTest.json(roots + "/nope") + "}}", bearer(ADMIN));
            assertThat(nowhere.status()).isEqualTo(404);
            assertThat(host.get("third")).isEmpty();
            Reply noRef = postText(base, "/v2/repository/models/fourth/load", "", bearer(ADMIN));
            assertThat(noRef.status()).isEqualTo(400);
            assertThat(noRef.body().get("error").asText()).contains("parameters");
            assertThat(postText(base, "/v2/repository/models/fourth/load", "{\"parameters\": {\"ref\": 3}}", bearer(ADMIN)).status())
                    .isEqualTo(400);
            Reply noRegistry = postText(base, "/v2/repository/models/fourth/load", "{\"parameters\": {\"ref\": \"credit@staging\"}}",
                    bearer(ADMIN));
            assertThat(noRegistry.status()).isEqualTo(400);
            assertThat(noRegistry.body().get("error").asText()).contains("no registry");

            // A corrupted bundle fails its checksums; the version serving stays.
            Path corrupt = roots.resolve("corrupt");
            copy(bundle("credit-linear"), corrupt);
            Files.writeString(corrupt.resolve("estimator.json"), Files.readString(corrupt.resolve("estimator.json")) + " ");
            Reply bad = postText(base, "/v2/repository/models/second/load",
                    "{\"parameters\": {\"ref\": " + InferenceServerTest.json(corrupt.toString()) + "}}", bearer(ADMIN));
            assertThat(bad.status()).as(bad.text()).isEqualTo(400);
            assertThat(bad.header(InferenceServer.ERROR_CODE_HEADER)).contains("checksum");
            assertThat(host.get("second").orElseThrow().version()).isEqualTo(load.body().get("version").asText());

            // Unload while requests are in flight: each is answered by the model or refused with 404, never a 5xx.
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                Thread th = new Thread(() -> {
                    while (!stop.get()) {
                        statuses.add(postText(base, "/v1/models/credit:predict", body, Map.of()).status());
                    }
                });
                th.start();
                threads.add(th);
            }
            RegistryFollowerTest.await(() -> statuses.contains(200), "requests answered by the model before the unload");
            Reply unload = postText(base, "/v2/repository/models/credit/unload", "", bearer(ADMIN));
            RegistryFollowerTest.await(() -> statuses.contains(404), "requests refused after the unload");
            stop.set(true);
            for (Thread th : threads) {
                th.join();
            }
            assertThat(unload.status()).as(unload.text()).isEqualTo(200);
            assertThat(unload.body().get("state").asText()).isEqualTo("UNAVAILABLE");
            assertThat(statuses).contains(200, 404).allMatch(s -> s == 200 || s == 404);
            assertThat(postText(base, "/v1/models/credit:predict", body, Map.of()).status()).isEqualTo(404);
            assertThat(postText(base, "/v2/repository/models/credit/unload", "", bearer(ADMIN)).status()).isEqualTo(404);
            Metrics after = Metrics.scrape(base);
            assertThat(after.text()).doesNotContain("model=\"credit\"");
            assertThat(after.requests("second")).isEqualTo(1);

            JsonNode index = getWith(base, "/v2/repository/index", bearer(ADMIN)).body();
            assertThat(index.toString()).contains("\"name\":\"credit\",\"version\":\"\",\"state\":\"UNAVAILABLE\",\"reason\":\"unloaded\"");
            assertThat(index.toString()).contains("\"name\":\"second\"").contains("\"state\":\"READY\"");
            assertThat(index.toString()).contains("\"name\":\"third\"");

            // Loading again without a body reloads the reference it was loaded from.
            Reply reload = postText(base, "/v2/repository/models/credit/load", "", bearer(ADMIN));
            assertThat(reload.status()).as(reload.text()).isEqualTo(200);
            assertThat(postText(base, "/v1/models/credit:predict", body, Map.of()).status()).isEqualTo(200);
            assertThat(Metrics.scrape(base).requests("credit")).as("the series start again from the reload").isEqualTo(1);
            assertThat(getWith(base, "/v2/repository/index", bearer(ADMIN)).body().get(0).get("state").asText()).isEqualTo("READY");
        }
    }
}
