package dev.kiln.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding runs over HTTP: the search with a filter, an order and pages; columns; experiments; refusals with positions. */
class RunSearchOverHttpTest {
    @TempDir
    Path home;

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String run(TestServer s, String experiment, String name, String algorithm, double auc, int depth) {
        TestServer.Res r = s.post("/api/runs", null, "{\"experiment\": \"" + experiment + "\", \"name\": \"" + name + "\", \"tags\": {\"team\": \"risk\"}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String id = r.json().path("id").asText();
        assertThat(s.post("/api/runs/" + id + "/params", null, "{\"algorithm\": \"" + algorithm + "\", \"depth\": " + depth + "}").status()).isEqualTo(200);
        assertThat(s.post("/api/runs/" + id + "/metrics", null, "{\"metrics\": {\"roc_auc\": " + auc + ", \"loss\": " + (1 - auc)
                + "}, \"step\": 1}").status()).isEqualTo(200);
        return id;
    }

    private static List<String> names(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.path("runs").forEach(r -> out.add(r.path("name").asText()));
        return out;
    }

    @Test
    void aFilterAndAMetricOrderFindTheRunsPageByPage() {
        try (TestServer s = TestServer.start(home)) {
            run(s, "credit", "lin", "linear", 0.71, 1);
            String gb1 = run(s, "credit", "gb1", "gbdt", 0.83, 6);
            run(s, "credit", "gb2", "gbdt", 0.88, 3);
            run(s, "churn", "gb3", "gbdt", 0.95, 4);

            TestServer.Res r = s.get("/api/runs/search?filter=" + q("metrics.roc_auc > 0.8 and params.algorithm = 'gbdt'")
                    + "&order_by=" + q("metrics.roc_auc DESC") + "&page_size=2", null);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(names(r.json())).containsExactly("gb3", "gb2");
            assertThat(r.json().path("total").asLong()).isEqualTo(3);
            assertThat(r.json().path("filter").asText()).isEqualTo("metrics.roc_auc > 0.8 and params.algorithm = 'gbdt'");
            assertThat(r.json().path("order_by").get(0).asText()).isEqualTo("metrics.roc_auc DESC");
            JsonNode first = r.json().path("runs").get(0);
            assertThat(first.path("status").asText()).isEqualTo("running");
            assertThat(first.path("params").path("depth").asText()).isEqualTo("4");
            assertThat(first.path("metrics").path("roc_auc").asDouble()).isEqualTo(0.95);
            assertThat(first.path("tags").path("team").asText()).isEqualTo("risk");
            assertThat(first.path("started_at").asText()).endsWith("Z");

            String token = r.json().path("next_page_token").asText();
            TestServer.Res next = s.get("/api/runs/search?filter=" + q("metrics.roc_auc > 0.8 and params.algorithm = 'gbdt'")
                    + "&order_by=" + q("metrics.roc_auc DESC") + "&page_size=2&page_token=" + q(token), null);
            assertThat(names(next.json())).containsExactly("gb1");
            assertThat(next.json().path("offset").asLong()).isEqualTo(2);
            assertThat(r.json().path("prev_page_token").isNull()).isTrue();
            TestServer.Res back = s.get("/api/runs/search?filter=" + q("metrics.roc_auc > 0.8 and params.algorithm = 'gbdt'")
                    + "&order_by=" + q("metrics.roc_auc DESC") + "&page_size=2&page_token=" + q(next.json().path("prev_page_token").asText()), null);
            assertThat(names(back.json())).containsExactly("gb3", "gb2");
            assertThat(next.json().path("next_page_token").isNull()).isTrue();

            TestServer.Res credit = s.get("/api/runs/search?experiment=credit&order_by=" + q("params.depth ASC") + "&columns="
                    + q("metrics.roc_auc,params.`depth`"), null);
            assertThat(names(credit.json())).containsExactly("lin", "gb2", "gb1");
            JsonNode narrowed = credit.json().path("runs").get(0);
            assertThat(narrowed.path("metrics").has("loss")).as("only the asked columns").isFalse();
            assertThat(narrowed.path("metrics").has("roc_auc")).isTrue();
            assertThat(narrowed.path("params").has("algorithm")).isFalse();
            assertThat(narrowed.path("tags").size()).isZero();

            TestServer.Res two = s.get("/api/runs/search?order_by=" + q("params.algorithm ASC") + "&order_by=" + q("metrics.loss ASC"), null);
            assertThat(names(two.json())).containsExactly("gb3", "gb2", "gb1", "lin");
            assertThat(names(s.get("/api/runs/search", null).json())).as("newest first").containsExactly("gb3", "gb2", "gb1", "lin");

            assertThat(s.get("/api/runs/" + gb1, null).json().path("run").path("name").asText()).as("{id} still answers").isEqualTo("gb1");
        }
    }

    @Test
    void aSearchsTrialsAreLeftOutUnlessAskedFor() {
        try (TestServer s = TestServer.start(home)) {
            run(s, "credit", "gbdt", "gbdt", 0.8, 6);
            TestServer.Res trial = s.post("/api/runs", null,
                    "{\"experiment\": \"credit\", \"name\": \"gbdt trial 3 rung 1\", \"tags\": {\"kiln.kind\": \"trial\"}}");
            assertThat(trial.status()).as(trial.toString()).isEqualTo(201);
            assertThat(names(s.get("/api/runs/search", null).json())).containsExactly("gbdt");
            assertThat(names(s.get("/api/runs/search?filter=" + q("attributes.name like 'gbdt%'"), null).json())).containsExactly("gbdt");
            assertThat(s.get("/api/runs/search?filter=" + q("attributes.name like 'gbdt%'"), null).json().path("filter").asText())
                    .as("the filter the user wrote").doesNotContain("trial");
            assertThat(names(s.get("/api/runs/search?trials=true", null).json()))
                    .containsExactlyInAnyOrder("gbdt", "gbdt trial 3 rung 1");
        }
    }

    @Test
    void malformedFiltersOrdersAndPagesAreRefusedWithWhereAndWhy() {
        try (TestServer s = TestServer.start(home)) {
            run(s, "credit", "lin", "linear", 0.71, 1);
            TestServer.Res bad = s.get("/api/runs/search?filter=" + q("metrics.roc_auc 'gbdt'"), null);
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.errorCode()).isEqualTo("invalid_argument");
            assertThat(bad.json().path("error").path("message").asText())
                    .contains("at 17: expected a comparison operator after metrics.roc_auc, found ''gbdt''");
            JsonNode details = bad.json().path("error").path("details");
            assertThat(details.path("field").asText()).isEqualTo("filter");
            assertThat(details.path("position").asInt()).isEqualTo(17);
            assertThat(details.path("expected").asText()).startsWith("a comparison operator");

            TestServer.Res order = s.get("/api/runs/search?order_by=" + q("metrics.x sideways"), null);
            assertThat(order.status()).isEqualTo(400);
            assertThat(order.json().path("error").path("details").path("field").asText()).isEqualTo("order_by");
            for (String size : List.of("0", "1001", "ten")) {
                TestServer.Res r = s.get("/api/runs/search?page_size=" + size, null);
                assertThat(r.status()).as(size).isEqualTo(400);
                assertThat(r.json().path("error").path("details").path("field").asText()).isEqualTo("page_size");
            }
            assertThat(s.get("/api/runs/search?page_token=nope", null).json().path("error").path("details").path("field").asText())
                    .isEqualTo("page_token");
            assertThat(s.get("/api/runs/search?columns=" + q("metrics."), null).status()).isEqualTo(400);
            assertThat(s.get("/api/runs/search?experiment=nope", null).status()).isEqualTo(404);
            assertThat(s.get("/api/runs/columns?experiment=nope", null).status()).isEqualTo(404);
        }
    }

    @Test
    void columnsAndExperimentsDescribeWhatThereIs() {
        try (TestServer s = TestServer.start(home)) {
            run(s, "credit", "lin", "linear", 0.71, 1);
            run(s, "credit", "gb", "gbdt", 0.81, 2);
            String churn = s.post("/api/runs", null, "{\"experiment\": \"churn\"}").json().path("id").asText();
            s.post("/api/runs/" + churn + "/params", null, "{\"seed\": 7}");

            JsonNode credit = s.get("/api/runs/columns?experiment=credit", null).json();
            assertThat(credit.path("params").toString()).isEqualTo("[\"algorithm\",\"depth\"]");
            assertThat(credit.path("metrics").toString()).isEqualTo("[\"loss\",\"roc_auc\"]");
            assertThat(credit.path("tags").toString()).isEqualTo("[\"team\"]");
            assertThat(s.get("/api/runs/columns", null).json().path("params").toString()).isEqualTo("[\"algorithm\",\"depth\",\"seed\"]");

            JsonNode experiments = s.get("/api/experiments", null).json().path("experiments");
            assertThat(experiments.size()).isEqualTo(2);
            assertThat(experiments.get(0).path("name").asText()).isEqualTo("churn");
            assertThat(experiments.get(0).path("runs").asLong()).isEqualTo(1);
            assertThat(experiments.get(1).path("name").asText()).isEqualTo("credit");
            assertThat(experiments.get(1).path("runs").asLong()).isEqualTo(2);
            assertThat(experiments.get(1).path("last_run_at").asText()).endsWith("Z");
        }
    }
}
