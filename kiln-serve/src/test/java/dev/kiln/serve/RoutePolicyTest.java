package dev.kiln.serve;

import static dev.kiln.serve.Fixtures.bundle;
import static dev.kiln.serve.TokensAndRepositoryTest.ADMIN;
import static dev.kiln.serve.TokensAndRepositoryTest.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.KilnModel;
import dev.kiln.serve.Fixtures.Reply;
import dev.kiln.serve.http.Access;
import dev.kiln.serve.http.Route;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walks every route of the server's own table with no token, the inference token and the admin token, and checks the
 * answer against that route's policy: open routes answer everyone, model routes need either token (401 without), admin
 * routes the admin token (401 with none or the inference token), and with no admin token configured every admin route
 * answers 403. The expectations come from the table, so a route cannot be added without a policy, nor without a
 * request here.
 */
class RoutePolicyTest {
    @TempDir
    Path dir;

    /** A concrete request for a route: the path with its parameters filled in, and the JSON body (null: none). */
    record Sample(String path, String body) {
    }

    private Map<String, Supplier<Sample>> samples(ModelHost host, ModelRepository repo, Path roots, KilnModel gbdt) {
        String linear = InferenceServerTest.json(roots.resolve("linear").toString());
        String other = InferenceServerTest.json(roots.resolve("gbdt").toString());
        String row = InferenceServerTest.json(Map.of("instances", List.of(Fixtures.rows(gbdt).get(0))));
        String infer = InferenceServerTest.json(Fixtures.oipRequest(gbdt, Fixtures.rows(gbdt).subList(0, 2), null));
        Map<String, Supplier<Sample>> m = new LinkedHashMap<>();
        m.put("GET /v2", () -> new Sample("/v2", null));
        m.put("GET /v2/health/live", () -> new Sample("/v2/health/live", null));
        m.put("GET /v2/health/ready", () -> new Sample("/v2/health/ready", null));
        m.put("GET /metrics", () -> new Sample("/metrics", null));
        m.put("GET /v2/models/{name}", () -> new Sample("/v2/models/credit", null));
        m.put("GET /v2/models/{name}/versions/{version}", () -> new Sample("/v2/models/credit/versions/1", null));
        m.put("GET /v2/models/{name}/ready", () -> new Sample("/v2/models/credit/ready", null));
        m.put("GET /v2/models/{name}/versions/{version}/ready", () -> new Sample("/v2/models/credit/versions/1/ready", null));
        m.put("POST /v2/models/{name}/infer", () -> new Sample("/v2/models/credit/infer", infer));
        m.put("POST /v2/models/{name}/versions/{version}/infer", () -> new Sample("/v2/models/credit/versions/1/infer", infer));
        m.put("POST /v1/models/{name}:predict", () -> new Sample("/v1/models/credit:predict", row));
        m.put("POST /v1/models/{name}:explain", () -> new Sample("/v1/models/credit:explain", row));
        m.put("POST /v1/models/{name}:feedback", () -> new Sample("/v1/models/credit:feedback", "{\"request_id\": \"r-1\", \"label\": \"good\"}"));
        m.put("GET /v2/repository/index", () -> new Sample("/v2/repository/index", null));
        m.put("POST /v2/repository/index", () -> new Sample("/v2/repository/index", "{}"));
        m.put("POST /v2/repository/models/{name}/load", () -> new Sample("/v2/repository/models/extra/load",
                "{\"parameters\": {\"ref\": " + linear + "}}"));
        m.put("POST /v2/repository/models/{name}/unload", () -> {
            host.load("temp", roots.resolve("linear"), "1");
            return new Sample("/v2/repository/models/temp/unload", "");
        });
        m.put("PUT /v2/repository/models/{name}/canary", () -> new Sample("/v2/repository/models/credit/canary",
                "{\"ref\": " + other + ", \"percent\": 10}"));
        m.put("DELETE /v2/repository/models/{name}/canary", () -> {
            repo.setCanary("credit", roots.resolve("gbdt").toString(), 10.0, true);
            return new Sample("/v2/repository/models/credit/canary", null);
        });
        m.put("PUT /v2/repository/models/{name}/shadow", () -> new Sample("/v2/repository/models/shadowed/shadow", "{\"ref\": " + other + "}"));
        m.put("DELETE /v2/repository/models/{name}/shadow", () -> {
            repo.setShadow("shadowed", roots.resolve("gbdt").toString(), true);
            return new Sample("/v2/repository/models/shadowed/shadow", null);
        });
        m.put("PUT /v2/repository/models/{name}/bandit", () -> new Sample("/v2/repository/models/ab/bandit",
                "{\"refs\": [" + linear + ", " + other + "]}"));
        m.put("DELETE /v2/repository/models/{name}/bandit", () -> {
            repo.setBandit("ab", List.of(roots.resolve("linear").toString(), roots.resolve("gbdt").toString()), true);
            return new Sample("/v2/repository/models/ab/bandit", null);
        });
        return m;
    }

    @Test
    void everyRouteAnswersExactlyPerItsPolicy() throws Exception {
        Path roots = dir.resolve("bundles");
        TokensAndRepositoryTest.copy(bundle("credit-linear"), roots.resolve("linear"));
        TokensAndRepositoryTest.copy(bundle("credit-gbdt"), roots.resolve("gbdt"));
        TokensAndRepositoryTest.copy(bundle("credit-gbdt-1.2"), roots.resolve("gbdt-1.2"));
        ModelHost host = new ModelHost();
        KilnModel gbdt = host.load("credit", roots.resolve("gbdt-1.2"), "1").model();
        host.load("shadowed", roots.resolve("linear"), "1");
        host.load("ab", roots.resolve("linear"), "1");
        ModelRepository repo = new ModelRepository(host, null, null, List.of(roots));
        InferenceServer.Options options = InferenceServer.Options.defaults().withInferenceToken(TOKEN).withAdminToken(ADMIN).withRepository(repo);
        List<String> failures = new ArrayList<>();
        int calls = 0;
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, new PredictionLog(dir.resolve("log")), options)) {
            Map<String, Supplier<Sample>> samples = samples(host, repo, roots, gbdt);
            assertThat(samples.keySet()).as("a request for every route in the table, and none for a route not in it")
                    .containsExactlyInAnyOrderElementsOf(server.routes().stream().map(Route::toString).toList());
            String base = "http://127.0.0.1:" + server.port();
            for (Route route : server.routes()) {
                for (String caller : List.of("none", "inference", "admin")) {
                    String token = switch (caller) {
                        case "inference" -> TOKEN;
                        case "admin" -> ADMIN;
                        default -> null;
                    };
                    Reply r = send(base, route, samples.get(route.toString()).get(), token);
                    calls++;
                    boolean allowed = route.access() == Access.OPEN || caller.equals("admin")
                            || (route.access() == Access.MODEL && caller.equals("inference"));
                    String what = route + " as " + caller + " (" + route.access() + "): " + r.status() + " " + r.text();
                    if (allowed) {
                        check(failures, what, r.status() >= 200 && r.status() < 300);
                    } else {
                        check(failures, what, r.status() == 401 && "unauthenticated".equals(r.header(InferenceServer.ERROR_CODE_HEADER))
                                && r.header("WWW-Authenticate") != null && r.header("WWW-Authenticate").startsWith("Bearer"));
                    }
                }
            }
        }
        assertThat(failures).as(calls + " calls").isEmpty();
        assertThat(calls).isEqualTo(3 * 23);
    }

    @Test
    void withoutAnAdminTokenEveryAdminRouteIsForbiddenToEveryone() throws Exception {
        ModelHost host = new ModelHost();
        host.load("credit", bundle("credit-linear"), "1");
        InferenceServer.Options options = InferenceServer.Options.defaults().withInferenceToken(TOKEN);
        try (InferenceServer server = InferenceServer.start(host, "127.0.0.1", 0, null, options)) {
            String base = "http://127.0.0.1:" + server.port();
            List<Route> admin = server.routes().stream().filter(r -> r.access() == Access.ADMIN).toList();
            assertThat(admin).hasSize(10);
            for (Route route : admin) {
                for (String token : new String[] {null, TOKEN, ADMIN}) {
                    Reply r = send(base, route, new Sample(route.path().replace("{name}", "credit"), route.takesBody() ? "{}" : null), token);
                    assertThat(r.status()).as(route + " " + r.text()).isEqualTo(403);
                    assertThat(r.header(InferenceServer.ERROR_CODE_HEADER)).isEqualTo("forbidden");
                    assertThat(r.body().get("error").asText()).contains("--admin-token-file");
                }
            }
        }
    }

    private static Reply send(String base, Route route, Sample sample, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + sample.path()));
        if (route.takesBody()) {
            b.header("Content-Type", "application/json");
        }
        HttpRequest.BodyPublisher body = sample.body() == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(sample.body());
        b.method(route.method().name(), body);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return Fixtures.send(b);
    }

    private static void check(List<String> failures, String what, boolean ok) {
        if (!ok) {
            failures.add(what);
        }
    }
}
