package dev.kiln.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring page's API over HTTP on a log written in kiln serve's format: twelve hours of a served model, the
 * last six drifted and answered partly by version 2, with delayed labels; its alerts and resolving one.
 */
class MonitoringOverHttpTest {
    static final Instant START = Instant.parse("2026-11-20T00:00:00Z");
    static final String RANGE = "&from=2026-11-20T00:00:00Z&to=2026-11-20T12:00:00Z";

    @TempDir
    static Path home;
    @TempDir
    static Path logs;
    static TestServer s;
    static String viewer;
    static String editor;

    @BeforeAll
    static void start() {
        viewer = ApiTokens.add(home, "vera", Role.VIEWER).token();
        editor = ApiTokens.add(home, "ed", Role.EDITOR).token();
        MonitoredModel.writeLog(logs, "credit", START, 12, 100);
        s = TestServer.start(home, MonitoringSources.of(List.of(logs)));
        s.store.registry().register("credit", MonitoredModel.bundle(), null, "seed", "first");
        s.store.registry().register("credit", MonitoredModel.bundle(), null, "seed", "second");
        s.store.registry().register("quiet", MonitoredModel.bundle(), null, "seed", "never served");
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static JsonNode ok(TestServer.Res r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    static JsonNode feature(JsonNode window, String name) {
        for (JsonNode f : window.get("features")) {
            if (f.get("name").asText().equals(name)) {
                return f;
            }
        }
        throw new AssertionError("no feature " + name + " in " + window);
    }

    @Test
    void hourlyWindowsShowTheDriftOfTheSecondHalfPerFeatureAndOfTheOutput() throws Exception {
        JsonNode m = ok(s.get("/api/models/credit/monitoring?window=hour" + RANGE, viewer));
        assertThat(m.get("window").asText()).isEqualTo("hour");
        assertThat(m.get("task").asText()).isEqualTo("binary");
        assertThat(m.get("rows").asLong()).isEqualTo(1200);
        assertThat(m.get("truncated_at").isNull()).isTrue();
        assertThat(m.get("log_dirs").get(0).asText()).isEqualTo(logs.toRealPath().toString());
        assertThat(m.get("features")).extracting(JsonNode::asText).containsExactlyInAnyOrder("amount", MonitoredModel.SCRIPT,
                MonitoredModel.IMG);
        assertThat(m.get("thresholds").get("psi").asDouble()).isEqualTo(0.2);
        JsonNode windows = m.get("windows");
        assertThat(windows).hasSize(12);
        JsonNode first = windows.get(0);
        assertThat(first.get("start").asText()).isEqualTo("2026-11-20T00:00:00Z");
        assertThat(first.get("end").asText()).isEqualTo("2026-11-20T01:00:00Z");
        assertThat(first.get("requests").asLong()).isEqualTo(100);
        assertThat(first.get("versions").get("1").asLong()).isEqualTo(100);
        assertThat(first.get("reference_version").asText()).isEqualTo("1");
        JsonNode calm = feature(first, "amount");
        assertThat(calm.get("drift").asBoolean()).isFalse();
        assertThat(calm.get("psi").asDouble()).isLessThan(0.2);
        assertThat(calm.get("ks_p_value").asDouble()).isGreaterThan(0.0);

        JsonNode last = windows.get(11);
        assertThat(last.get("versions").get("1").asLong()).isEqualTo(80);
        assertThat(last.get("versions").get("2").asLong()).isEqualTo(20);
        JsonNode shifted = feature(last, "amount");
        assertThat(shifted.get("drift").asBoolean()).isTrue();
        assertThat(shifted.get("psi").asDouble()).isGreaterThan(1.0);
        assertThat(shifted.get("ks_statistic").asDouble()).isGreaterThan(0.5);
        assertThat(shifted.get("ks_p_value").asDouble()).isLessThan(1e-6);
        assertThat(feature(last, MonitoredModel.SCRIPT).get("drift").asBoolean()).isFalse();
        assertThat(last.get("prediction").get("drift").asBoolean()).isTrue();
        assertThat(last.get("drifted_count").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(m.get("elapsed_ms").asLong()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void delayedLabelMetricsArePerVersionAndWindowWhereLabelsArrived() {
        JsonNode m = ok(s.get("/api/models/credit/monitoring?window=hour" + RANGE, viewer));
        List<JsonNode> v1 = new ArrayList<>();
        List<JsonNode> v2 = new ArrayList<>();
        m.get("performance").forEach(p -> (p.get("version").asText().equals("1") ? v1 : v2).add(p));
        assertThat(v1).hasSize(12);
        assertThat(v2).hasSize(6).allSatisfy(p -> assertThat(p.get("start").asText()).isGreaterThanOrEqualTo("2026-11-20T06"));
        assertThat(v1.get(0).get("labelled").asLong()).isEqualTo(50);
        assertThat(v1.get(0).get("metrics").get("accuracy").asDouble()).isGreaterThan(0.75);
        assertThat(v1.get(0).get("metrics").has("roc_auc")).isTrue();
        assertThat(v1.get(11).get("metrics").get("accuracy").asDouble()).as("the labels changed their rule")
                .isLessThan(v1.get(0).get("metrics").get("accuracy").asDouble() - 0.2);
    }

    @Test
    void aDayWindowAddsTheHoursUp() {
        JsonNode m = ok(s.get("/api/models/credit/monitoring?window=day&from=2026-11-19&to=2026-11-21", viewer));
        assertThat(m.get("windows")).hasSize(1);
        assertThat(m.get("windows").get(0).get("requests").asLong()).isEqualTo(1200);
        assertThat(m.get("windows").get(0).get("start").asText()).isEqualTo("2026-11-20T00:00:00Z");
        JsonNode week = ok(s.get("/api/models/credit/monitoring?window=week&from=2026-11-01&to=2026-12-01", viewer));
        assertThat(week.get("windows").get(0).get("start").asText()).as("weeks start on Mondays").isEqualTo("2026-11-16T00:00:00Z");
    }

    @Test
    void badParametersAreNamed() {
        assertBad(s.get("/api/models/credit/monitoring?window=month", viewer), "window");
        assertBad(s.get("/api/models/credit/monitoring?from=yesterday", viewer), "from");
        assertBad(s.get("/api/models/credit/monitoring?to=2026-13-45", viewer), "to");
        assertBad(s.get("/api/models/credit/monitoring?from=2026-11-21&to=2026-11-20", viewer), "from");
        assertBad(s.get("/api/models/credit/monitoring?window=hour&from=2025-01-01&to=2026-01-01", viewer), "from");
        TestServer.Res unknown = s.get("/api/models/nobody/monitoring", viewer);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("model_not_found");
        assertThat(s.get("/api/models/nobody/alerts", viewer).status()).isEqualTo(404);
    }

    static void assertBad(TestServer.Res r, String parameter) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("invalid_argument");
        assertThat(r.json().path("error").path("details").path("parameter").asText()).isEqualTo(parameter);
        assertThat(r.json().path("error").path("message").asText()).contains(parameter);
    }

    @Test
    void aModelWithoutALogHasEmptyWindowsAndSaysWhatToRun() {
        JsonNode m = ok(s.get("/api/models/quiet/monitoring", viewer));
        assertThat(m.get("windows")).isEmpty();
        assertThat(m.get("performance")).isEmpty();
        assertThat(m.get("notes").get(0).asText()).contains("no prediction log").contains("kiln serve --log-dir DIR");
        JsonNode outside = ok(s.get("/api/models/credit/monitoring?window=day&from=2020-01-01&to=2020-01-20", viewer));
        assertThat(outside.get("windows")).isEmpty();
        assertThat(outside.get("notes").get(0).asText()).contains("no predictions of 'credit'");
    }

    @Test
    void alertsShowTheirEvidenceAndAnEditorResolvesOneOnceWithAReason() {
        long id = s.store.alerts().fire("credit", 1, "feature-psi", "feature_psi", "warning", "PSI of amount 1.9 > 0.2",
                Map.of("threshold", 0.2, "features", List.of(Map.of("name", "amount", "psi", 1.9))), Instant.now()).alert().id();
        JsonNode list = ok(s.get("/api/models/credit/alerts?open=true", viewer));
        JsonNode alert = list.get("alerts").get(0);
        assertThat(alert.get("id").asLong()).isEqualTo(id);
        assertThat(alert.get("evidence").get("features").get(0).get("psi").asDouble()).isEqualTo(1.9);
        assertBad(s.get("/api/models/credit/alerts?open=maybe", viewer), "open");

        assertThat(s.post("/api/alerts/" + id + "/resolve", viewer, "{\"reason\": \"x\"}").status()).isEqualTo(403);
        TestServer.Res noReason = s.post("/api/alerts/" + id + "/resolve", editor, "{}");
        assertThat(noReason.status()).as(noReason.toString()).isEqualTo(400);
        assertThat(noReason.body()).contains("reason");
        TestServer.Res resolved = s.post("/api/alerts/" + id + "/resolve", editor, "{\"reason\": \"<b>upstream</b> feed fixed\"}");
        JsonNode a = ok(resolved);
        assertThat(a.get("status").asText()).isEqualTo("resolved");
        assertThat(a.get("resolved_by").asText()).isEqualTo("ed");
        assertThat(a.get("resolve_reason").asText()).isEqualTo("<b>upstream</b> feed fixed");
        TestServer.Res again = s.post("/api/alerts/" + id + "/resolve", editor, "{\"reason\": \"again\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.errorCode()).isEqualTo("conflict");
        assertThat(again.json().path("error").path("message").asText()).contains("already resolved").contains("ed");
        assertThat(s.post("/api/alerts/999999/resolve", editor, "{\"reason\": \"x\"}").status()).isEqualTo(404);
        assertThat(ok(s.get("/api/models/credit/alerts?open=true", viewer)).get("alerts")).isEmpty();
        assertThat(ok(s.get("/api/alerts/" + id, viewer)).get("resolve_reason").asText()).contains("feed fixed");
    }
}
