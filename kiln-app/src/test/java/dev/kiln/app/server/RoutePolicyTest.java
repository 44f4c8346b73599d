package dev.kiln.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.store.ModelRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walks every route of the server's own table with no token, an unknown token, and a viewer, editor and
 * admin token, and checks the answer against that route's policy: 401, 403, or success. The expectations
 * come from the table, so a route cannot be added without a policy, nor without a request here.
 */
class RoutePolicyTest {
    @TempDir
    static Path home;
    static TestServer s;
    static Map<Role, String> tokens = new LinkedHashMap<>();
    static String runId;
    static String reportRunId;
    static long alertId;
    static String deploymentId;
    static byte[] bundleZip;
    static String datasetVersion;

    /** A concrete request for a route: path parameters (raw, before encoding) and a JSON body, or bytes of a content type. */
    record Sample(Map<String, String> params, String body, byte[] bytes, String contentType) {
        Sample(Map<String, String> params, String body) {
            this(params, body, null, null);
        }
    }

    @BeforeAll
    static void start() {
        for (Role r : Role.values()) {
            tokens.put(r, ApiTokens.add(home, r.wireName() + "-token", r).token());
        }
        s = TestServer.start(home);
        ModelRegistry registry = s.store.registry();
        registry.register("credit", Bundles.good(), null, "seed", "seed");
        registry.setAlias("credit", "production", 1, "seed", null, Map.of());
        runId = newRun();
        s.store.tracking().logMetric(runId, "loss", 0.5, 1);
        try {
            Path file = Files.writeString(home.resolve("seed.txt"), "seeded artifact");
            s.store.tracking().logArtifact(runId, "seed.txt", file);
            Files.delete(file);
            reportRunId = newRun();
            Path report = Files.writeString(home.resolve("leaderboard.json"), "{\"task\": \"BINARY\"}");
            s.store.tracking().logArtifact(reportRunId, "leaderboard.json", report);
            Files.delete(report);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        bundleZip = Zips.bundle(Bundles.good(), null);
        try {
            Path csv = Files.writeString(home.resolve("seed.csv"), "x,y\n1,a\n2,b\n");
            datasetVersion = s.store.datasets().put("credit", List.of(csv), "seed.csv", "seed").version();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var pipelineRun = s.store.pipelines().start("credit", "manual", "seed");
        s.store.pipelines().finish(pipelineRun.id(), "succeeded", "seeded", List.of());
        deploymentId = s.store.deployments().register(new dev.kiln.store.DeploymentStore.Registration("http://127.0.0.1:8080", "test",
                null, java.time.Duration.ofSeconds(5)), Map.of("models", List.of()), java.time.Instant.now()).id();
        alertId = s.store.alerts().fire("credit", 1, "feature-psi", "feature_psi", "warning", "PSI of age 0.3",
                Map.of("feature", "age"), java.time.Instant.now()).alert().id();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    private static String newRun() {
        return s.store.tracking().startRun("exp", null, "seeded", Map.of()).id();
    }

    /** One or more requests per route, each made fresh for every caller so that writes can repeat. */
    private static Map<String, List<Supplier<Sample>>> samples() {
        Map<String, List<Supplier<Sample>>> m = new LinkedHashMap<>();
        m.put("GET /api/health", List.of(() -> new Sample(Map.of(), null)));
        m.put("GET /api/deployments", List.of(() -> new Sample(Map.of(), null)));
        m.put("GET /api/deployments/{deployment}", List.of(() -> new Sample(Map.of("deployment", deploymentId), null)));
        m.put("GET /api/session", List.of(() -> new Sample(Map.of(), null)));
        m.put("POST /api/session", List.of(() -> new Sample(Map.of(), "{\"token\": \"" + tokens.get(Role.VIEWER) + "\"}")));
        m.put("DELETE /api/session", List.of(() -> new Sample(Map.of(), null)));
        m.put("GET /api/runs/search", List.of(() -> new Sample(Map.of(), null)));
        m.put("GET /api/runs/columns", List.of(() -> new Sample(Map.of(), null)));
        m.put("GET /api/experiments", List.of(() -> new Sample(Map.of(), null)));
        m.put("GET /api/experiments/{experiment}/runs", List.of(() -> new Sample(Map.of("experiment", "exp"), null)));
        m.put("GET /api/runs", List.of(() -> new Sample(Map.of(), null)));
        m.put("GET /api/runs/{id}", List.of(() -> new Sample(Map.of("id", runId), null)));
        m.put("GET /api/runs/{id}/metrics/{key}", List.of(() -> new Sample(Map.of("id", runId, "key", "loss"), null)));
        m.put("GET /api/runs/{id}/artifacts/{artifact}", List.of(() -> new Sample(Map.of("id", runId, "artifact", "seed.txt"), null)));
        m.put("GET /api/runs/{id}/report", List.of(() -> new Sample(Map.of("id", reportRunId), null)));
        m.put("GET /api/runs/{id}/series", List.of(() -> new Sample(Map.of("id", runId, QUERY, "key=loss"), null)));
        m.put("GET /api/models", List.of(() -> new Sample(Map.of(), null)));
        m.put("GET /api/models/{name}", List.of(() -> new Sample(Map.of("name", "credit"), null)));
        m.put("GET /api/models/{name}/versions", List.of(() -> new Sample(Map.of("name", "credit"), null)));
        m.put("GET /api/models/{name}/versions/{version}", List.of(() -> new Sample(Map.of("name", "credit", "version", "1"), null)));
        m.put("GET /api/models/{name}/aliases/{alias}", List.of(() -> new Sample(Map.of("name", "credit", "alias", "production"), null)));
        m.put("GET /api/models/{name}/summary", List.of(() -> new Sample(Map.of("name", "credit"), null)));
        m.put("GET /api/models/{name}/timeline", List.of(() -> new Sample(Map.of("name", "credit"), null)));
        m.put("GET /api/models/{name}/aliases", List.of(() -> new Sample(Map.of("name", "credit"), null)));
        m.put("GET /api/models/{name}/versions/{version}/card", List.of(() -> new Sample(Map.of("name", "credit", "version", "1"), null)));
        m.put("GET /api/models/{name}/history", List.of(() -> new Sample(Map.of("name", "credit"), null)));
        m.put("GET /api/lineage/{ref}", List.of(
                () -> new Sample(Map.of("ref", "credit"), null),
                () -> new Sample(Map.of("ref", "credit@production"), null),
                () -> new Sample(Map.of("ref", "credit:1"), null)));
        m.put("GET /api/alerts", List.of(() -> new Sample(Map.of(), null)));
        m.put("GET /api/alerts/{alert}", List.of(() -> new Sample(Map.of("alert", Long.toString(alertId)), null)));
        m.put("GET /api/datasets", List.of(() -> new Sample(Map.of(), null)));
        m.put("GET /api/datasets/{dataset}/versions", List.of(() -> new Sample(Map.of("dataset", "credit"), null)));
        m.put("GET /api/datasets/{dataset}/versions/{dataset_version}", List.of(
                () -> new Sample(Map.of("dataset", "credit", "dataset_version", datasetVersion), null),
                () -> new Sample(Map.of("dataset", "credit", "dataset_version", datasetVersion.substring(0, 8)), null)));
        m.put("GET /api/pipelines", List.of(() -> new Sample(Map.of(), null)));
        m.put("GET /api/pipelines/{pipeline}/runs", List.of(() -> new Sample(Map.of("pipeline", "credit"), null)));
        m.put("POST /api/runs", List.of(() -> new Sample(Map.of(), "{\"experiment\": \"exp\", \"name\": \"r\", \"tags\": {\"k\": \"v\"}}")));
        m.put("POST /api/runs/{id}/params", List.of(() -> new Sample(Map.of("id", newRun()), "{\"lr\": 0.1, \"depth\": 3}")));
        m.put("POST /api/runs/{id}/metrics", List.of(
                () -> new Sample(Map.of("id", runId), "{\"key\": \"loss\", \"value\": 0.4, \"step\": 2}"),
                () -> new Sample(Map.of("id", runId), "{\"metrics\": {\"auc\": 0.8, \"loss\": 0.3}, \"step\": 3}")));
        m.put("POST /api/runs/{id}/tags", List.of(() -> new Sample(Map.of("id", runId), "{\"note\": \"hello\"}")));
        m.put("POST /api/runs/{id}/end", List.of(() -> new Sample(Map.of("id", newRun()), "{\"status\": \"finished\"}")));
        m.put("POST /api/runs/{id}/artifacts/{artifact}", List.of(() -> new Sample(Map.of("id", runId, "artifact", "notes.txt"), null,
                "same bytes every time".getBytes(StandardCharsets.UTF_8), "application/octet-stream")));
        m.put("POST /api/models/{name}/versions", List.of(() -> new Sample(Map.of("name", "credit"), null, bundleZip, "application/zip")));
        m.put("PUT /api/models/{name}/tags/{key}", List.of(() -> new Sample(Map.of("name", "credit", "key", "team"), "{\"value\": \"risk\"}")));
        m.put("DELETE /api/models/{name}/tags/{key}", List.of(() -> {
            s.store.registry().setTag("credit", "scratch", "x", "seed");
            return new Sample(Map.of("name", "credit", "key", "scratch"), null);
        }));
        m.put("PUT /api/models/{name}/description", List.of(() -> new Sample(Map.of("name", "credit"), "{\"description\": \"scores\"}")));
        m.put("PUT /api/models/{name}/aliases/{alias}", List.of(
                () -> new Sample(Map.of("name", "credit", "alias", "staging"), "{\"version\": 1}"),
                () -> new Sample(Map.of("name", "credit", "alias", "production"), "{\"version\": 1, \"reason\": \"walk\"}")));
        m.put("DELETE /api/models/{name}/aliases/{alias}", List.of(() -> {
            s.store.registry().setAlias("credit", "temp", 1, "seed", null, Map.of());
            return new Sample(Map.of("name", "credit", "alias", "temp"), null);
        }));
        m.put("GET /api/models/{name}/monitoring", List.of(() -> new Sample(Map.of("name", "credit"), null)));
        m.put("GET /api/models/{name}/alerts", List.of(() -> new Sample(Map.of("name", "credit"), null)));
        m.put("POST /api/alerts/{alert}/resolve", List.of(() -> new Sample(Map.of("alert", Long.toString(
                s.store.alerts().fire("resolvable", 1, "rule-" + System.nanoTime(), "feature_psi", "warning", "m", Map.of(),
                        java.time.Instant.now()).alert().id())), "{\"reason\": \"checked\"}")));
        return m;
    }

    @Test
    void everyRouteAnswersExactlyPerItsPolicy() {
        Map<String, List<Supplier<Sample>>> samples = samples();
        List<String> table = s.server.routes().stream().map(Route::toString).toList();
        assertThat(samples.keySet()).as("a request for every route in the table, and none for a route not in it")
                .containsExactlyInAnyOrderElementsOf(table);

        List<String> failures = new ArrayList<>();
        int calls = 0;
        for (Route route : s.server.routes()) {
            for (Supplier<Sample> make : samples.get(route.toString())) {
                for (String caller : List.of("none", "unknown", "viewer", "editor", "admin")) {
                    Sample sample = make.get();
                    Role required = route.access().required(sample.params());
                    String token = switch (caller) {
                        case "none" -> null;
                        case "unknown" -> "not-a-real-token";
                        default -> tokens.get(Role.parse(caller));
                    };
                    String url = url(route.path(), sample.params());
                    TestServer.Res r = sample.bytes() != null
                            ? s.upload(route.method().name(), url, token, sample.bytes(), sample.contentType())
                            : s.send(route.method().name(), url, token, sample.body() != null ? sample.body() : route.method().hasBody() ? "{}" : null);
                    calls++;
                    String what = route + " " + sample.params() + " as " + caller + " (needs " + (required == null ? "nothing" : required)
                            + "): " + r;
                    if (required == null) {
                        check(failures, what, r.status() >= 200 && r.status() < 300);
                    } else if (token == null || caller.equals("unknown")) {
                        check(failures, what, r.status() == 401 && "unauthenticated".equals(r.errorCode())
                                && r.raw().headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
                    } else if (!Role.parse(caller).includes(required)) {
                        check(failures, what, r.status() == 403 && "forbidden".equals(r.errorCode()));
                    } else {
                        check(failures, what, r.status() >= 200 && r.status() < 300);
                    }
                }
            }
        }
        assertThat(failures).as("answers against the policy table").isEmpty();
        assertThat(calls).isGreaterThanOrEqualTo(table.size() * 5);
    }

    @Test
    void thePolicyTableSaysWhatTheDesignSays() {
        Map<String, String> policies = new LinkedHashMap<>();
        s.server.routes().forEach(r -> policies.put(r.toString(), r.access().describe()));
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("GET /api/health", "public");
        expected.put("GET /api/session", "public");
        expected.put("POST /api/session", "public");
        expected.put("DELETE /api/session", "public");
        for (String viewer : List.of("GET /api/experiments/{experiment}/runs", "GET /api/runs", "GET /api/runs/{id}",
                "GET /api/runs/{id}/metrics/{key}", "GET /api/runs/{id}/artifacts/{artifact}", "GET /api/models", "GET /api/models/{name}", "GET /api/models/{name}/versions",
                "GET /api/models/{name}/versions/{version}", "GET /api/models/{name}/aliases/{alias}", "GET /api/models/{name}/history",
                "GET /api/models/{name}/summary", "GET /api/models/{name}/timeline", "GET /api/models/{name}/aliases", "GET /api/models/{name}/versions/{version}/card",
                "GET /api/lineage/{ref}", "GET /api/alerts", "GET /api/alerts/{alert}", "GET /api/runs/{id}/report",
                "GET /api/runs/{id}/series", "GET /api/datasets",
                "GET /api/datasets/{dataset}/versions", "GET /api/datasets/{dataset}/versions/{dataset_version}",
                "GET /api/pipelines", "GET /api/pipelines/{pipeline}/runs", "GET /api/deployments",
                "GET /api/deployments/{deployment}", "GET /api/models/{name}/monitoring", "GET /api/models/{name}/alerts",
                "GET /api/runs/search", "GET /api/runs/columns", "GET /api/experiments")) {
            expected.put(viewer, "viewer");
        }
        for (String editor : List.of("POST /api/runs", "POST /api/runs/{id}/params", "POST /api/runs/{id}/metrics",
                "POST /api/runs/{id}/tags", "POST /api/runs/{id}/end", "POST /api/runs/{id}/artifacts/{artifact}",
                "POST /api/models/{name}/versions", "PUT /api/models/{name}/tags/{key}",
                "DELETE /api/models/{name}/tags/{key}", "PUT /api/models/{name}/description", "POST /api/alerts/{alert}/resolve")) {
            expected.put(editor, "editor");
        }
        expected.put("PUT /api/models/{name}/aliases/{alias}", "editor; admin for a protected alias");
        expected.put("DELETE /api/models/{name}/aliases/{alias}", "admin");
        assertThat(policies).isEqualTo(expected);
        Route move = s.server.routes().stream().filter(r -> r.toString().equals("PUT /api/models/{name}/aliases/{alias}")).findFirst().orElseThrow();
        assertThat(move.access().required(Map.of("name", "credit", "alias", "production"))).isEqualTo(Role.ADMIN);
        assertThat(move.access().required(Map.of("name", "credit", "alias", "staging"))).isEqualTo(Role.EDITOR);
    }

    @Test
    void theActorOfAChangeIsTheTokensName() {
        TestServer.Res r = s.put("/api/models/credit/tags/owner", tokens.get(Role.EDITOR), "{\"value\": \"team-a\"}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        var last = s.store.registry().history("credit").stream().filter(e -> e.type().equals("tag_set")).reduce((a, b) -> b).orElseThrow();
        assertThat(last.actor()).isEqualTo("editor-token");
    }

    private static void check(List<String> failures, String what, boolean ok) {
        if (!ok) {
            failures.add(what);
        }
    }

    /** The path with its parameters filled in; a parameter named {@link #QUERY} is the query string. */
    static String url(String path, Map<String, String> params) {
        String out = path;
        for (Map.Entry<String, String> e : params.entrySet()) {
            out = out.replace("{" + e.getKey() + "}", URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        assertThat(out).doesNotContain("{");
        return params.containsKey(QUERY) ? out + "?" + params.get(QUERY) : out;
    }

    static final String QUERY = "?";

    @Test
    void alertsAreListedWithTheirEvidenceAndFiltered() {
        String viewer = tokens.get(Role.VIEWER);
        TestServer.Res open = s.get("/api/alerts?model=credit&open=true", viewer);
        assertThat(open.status()).as(open.body()).isEqualTo(200);
        assertThat(open.json().get("alerts")).isNotEmpty();
        assertThat(open.json().get("alerts").get(0).get("evidence").get("feature").asText()).isEqualTo("age");
        assertThat(open.json().get("alerts").get(0).get("times_seen").asInt()).isPositive();
        assertThat(s.get("/api/alerts?model=other", viewer).json().get("alerts")).isEmpty();
        assertThat(s.get("/api/alerts?open=maybe", viewer).status()).isEqualTo(400);
        assertThat(s.get("/api/alerts/" + alertId, viewer).status()).isEqualTo(200);
        assertThat(s.get("/api/alerts/999999", viewer).status()).isEqualTo(404);
        assertThat(s.get("/api/alerts/abc", viewer).status()).isEqualTo(400);
    }
}
