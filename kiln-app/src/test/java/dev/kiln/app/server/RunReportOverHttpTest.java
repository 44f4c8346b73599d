package dev.kiln.app.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.app.lifecycle.Tracking;
import dev.kiln.train.ProgressListener;
import dev.kiln.train.TrainOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run page's report over HTTP: a real kiln train run, its candidates, a hand-logged run and an older report. */
class RunReportOverHttpTest {
    @TempDir
    static Path home;
    @TempDir
    static Path work;
    static TestServer s;
    static String runId;
    static String datasetSha;

    @BeforeAll
    static void train() throws IOException {
        s = TestServer.start(home);
        Path data = work.resolve("credit-g.csv");
        try (InputStream in = RunReportOverHttpTest.class.getResourceAsStream("/dev/kiln/app/quickstart/credit-g.csv")) {
            Files.copy(in, data);
        }
        datasetSha = s.store.datasets().put("credit-g", List.of(data), data.toString(), "test").version();
        TrainOptions o = TrainOptions.defaults(data, "class", work.resolve("bundle")).withAlgorithms(List.of("linear", "tree"))
                .withSliceBy(List.of("personal_status"));
        Tracking.Tracked t = Tracking.train(s.store, "credit", o, ProgressListener.NONE);
        runId = t.run().id();
        s.store.registry().register("credit", Path.of(t.report().bundle()), runId, "alice", "first");
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    @Test
    void aTrainingRunsReportHasEverySectionOfThePage() {
        TestServer.Res r = s.get("/api/runs/" + runId + "/report", null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode j = r.json();
        assertThat(j.path("run_id").asText()).isEqualTo(runId);
        assertThat(j.path("report_run_id").asText()).isEqualTo(runId);
        assertThat(j.path("candidate").isNull()).isTrue();
        assertThat(j.path("task").asText()).isEqualTo("binary");
        assertThat(j.path("split_rows").path("test").asInt()).isEqualTo(200);
        assertThat(j.path("rows").isIntegralNumber()).as("counts are whole numbers: " + j.path("rows")).isTrue();
        assertThat(j.path("rows").asLong()).isEqualTo(1000);

        List<String> algorithms = new ArrayList<>();
        j.path("leaderboard").forEach(c -> algorithms.add(c.path("algorithm").asText()));
        assertThat(algorithms).containsExactly("baseline", "linear", "tree");
        JsonNode chosen = null;
        for (JsonNode c : j.path("leaderboard")) {
            assertThat(c.path("run_id").asText()).as("each candidate links its child run").matches("[0-9a-f-]{36}");
            assertThat(c.path("latency_p50_us").asDouble()).isPositive();
            if (c.path("chosen").asBoolean()) {
                chosen = c;
            }
        }
        assertThat(chosen).isNotNull();
        assertThat(chosen.path("algorithm").asText()).isEqualTo(j.path("chosen").asText());

        assertThat(j.path("confusion_matrix").path("labels").get(0).asText()).isEqualTo("good");
        assertThat(j.path("confusion_matrix").path("counts").size()).isEqualTo(2);

        JsonNode curves = j.path("curves");
        assertThat(curves.path("roc").path("auc").asDouble())
                .isCloseTo(chosen.path("test_metrics").path("roc_auc").asDouble(), within(1e-12));
        assertThat(curves.path("pr").path("average_precision").asDouble())
                .isCloseTo(chosen.path("test_metrics").path("pr_auc").asDouble(), within(1e-12));
        assertThat(curves.path("roc").path("fpr").size()).isBetween(2, 200).isEqualTo(curves.path("roc").path("tpr").size());
        assertThat(curves.path("calibration").size()).isPositive();

        JsonNode slice = j.path("slices").get(0);
        assertThat(slice.path("column").asText()).isEqualTo("personal_status");
        JsonNode group = slice.path("groups").get(0);
        assertThat(group.path("intervals").path("accuracy").size()).isEqualTo(2);
        assertThat(group.path("intervals").path("accuracy").get(0).asDouble())
                .isLessThanOrEqualTo(group.path("metrics").path("accuracy").asDouble());
        assertThat(slice.path("gap_intervals").path("parity_difference").size()).isEqualTo(2);

        JsonNode importance = j.path("feature_importance").path("columns");
        assertThat(importance.size()).isPositive();
        for (int i = 1; i < importance.size(); i++) {
            assertThat(importance.get(i).path("importance").asDouble()).as("largest first")
                    .isLessThanOrEqualTo(importance.get(i - 1).path("importance").asDouble());
        }

        JsonNode duration = null;
        for (JsonNode c : j.path("profile").path("columns")) {
            if (c.path("name").asText().equals("duration")) {
                duration = c;
            }
        }
        assertThat(duration).isNotNull();
        assertThat(duration.path("missing_rate").asDouble()).isZero();
        assertThat(duration.path("histogram").path("counts").size()).isPositive();

        assertThat(j.path("dataset").path("sha256").asText()).isEqualTo(datasetSha);
        assertThat(j.path("dataset").path("stored").path("name").asText()).isEqualTo("credit-g");
        assertThat(j.path("dataset").path("link").asText()).isEqualTo("/data?sha256=" + datasetSha);
        assertThat(j.path("model_versions").size()).isEqualTo(1);
        assertThat(j.path("model_versions").get(0).path("model").asText()).isEqualTo("credit");
        assertThat(j.path("model_versions").get(0).path("version").asInt()).isEqualTo(1);
        assertThat(j.path("model_versions").get(0).path("link").asText()).isEqualTo("/models/credit");
        assertThat(j.path("absent").has("curves")).isFalse();
        assertThat(j.path("absent").path("business").asText()).contains("cost matrix");
    }

    @Test
    void aCandidateRunAnswersWithItsParentsReportAndModelVersions() {
        JsonNode parent = s.get("/api/runs/" + runId + "/report", null).json();
        String treeRun = null;
        for (JsonNode c : parent.path("leaderboard")) {
            if (c.path("algorithm").asText().equals("tree")) {
                treeRun = c.path("run_id").asText();
            }
        }
        TestServer.Res r = s.get("/api/runs/" + treeRun + "/report", null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("run_id").asText()).isEqualTo(treeRun);
        assertThat(r.json().path("report_run_id").asText()).isEqualTo(runId);
        assertThat(r.json().path("candidate").asText()).isEqualTo("tree");
        assertThat(r.json().path("model_versions").get(0).path("source_run_id").asText()).isEqualTo(runId);
    }

    @Test
    void aRunWithoutAReportIs404AndABadIdIs400() {
        String hand = s.store.tracking().startRun("scratch", null, "by hand", Map.of()).id();
        TestServer.Res none = s.get("/api/runs/" + hand + "/report", null);
        assertThat(none.status()).isEqualTo(404);
        assertThat(none.errorCode()).isEqualTo("file_not_found");
        assertThat(none.json().path("error").path("message").asText()).contains("no training report");
        TestServer.Res unknown = s.get("/api/runs/00000000-0000-0000-0000-000000000000/report", null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("run_not_found");
        assertThat(s.get("/api/runs/not-a-run/report", null).status()).isEqualTo(400);
    }

    /** A report written before curves, importance and group intervals existed, with NaN as Kiln writes it. */
    @Test
    void anOlderReportStillAnswersAndSaysWhatItLacks() throws IOException {
        String old = s.store.tracking().startRun("old", null, "train old.csv", Map.of("kiln.dataset_sha256", "ab".repeat(32))).id();
        Path file = Files.writeString(work.resolve("old-leaderboard.json"), """
                {"task": "BINARY", "classes": ["no", "yes"], "chosen": "linear", "testRows": 10,
                 "leaderboard": [{"algorithm": "linear", "chosen": true, "testMetrics": {"roc_auc": "NaN", "accuracy": 0.8}}],
                 "confusionMatrix": [[5, 1], [1, 3]],
                 "slices": [{"column": "g", "groups": [{"value": "a", "rows": 10, "metrics": {"tpr": "NaN"}}], "gaps": {}}]}
                """);
        s.store.tracking().logArtifact(old, "leaderboard.json", file);
        TestServer.Res r = s.get("/api/runs/" + old + "/report", null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode j = r.json();
        assertThat(j.path("leaderboard").get(0).path("test_metrics").path("roc_auc").isNull()).as("NaN as null").isTrue();
        assertThat(j.path("leaderboard").get(0).path("test_metrics").path("accuracy").asDouble()).isEqualTo(0.8);
        assertThat(j.path("leaderboard").get(0).path("run_id").isNull()).isTrue();
        assertThat(j.path("curves").isNull()).isTrue();
        assertThat(j.path("absent").path("curves").asText()).contains("before Kiln recorded curves");
        assertThat(j.path("feature_importance").isNull()).isTrue();
        assertThat(j.path("absent").path("feature_importance").asText()).contains("before");
        assertThat(j.path("profile").isNull()).isTrue();
        assertThat(j.path("slices").get(0).path("groups").get(0).path("intervals").size()).isZero();
        assertThat(j.path("dataset").path("stored").isNull()).as("never stored").isTrue();
        assertThat(j.path("dataset").path("link").asText()).isEqualTo("/data?sha256=" + "ab".repeat(32));
        assertThat(j.path("model_versions").size()).isZero();
    }

    @Test
    void aMetricWhoseNameNoPathCarriesHasItsSeriesByQuery() {
        String hand = s.store.tracking().startRun("scratch", null, "by hand", Map.of()).id();
        String key = "<script>alert(1)</script> loss/train";
        s.store.tracking().logMetric(hand, key, 0.9, 1);
        s.store.tracking().logMetric(hand, key, 0.4, 2);
        String encoded = java.net.URLEncoder.encode(key, java.nio.charset.StandardCharsets.UTF_8);
        assertThat(s.get("/api/runs/" + hand + "/metrics/" + encoded, null).status()).as("no path segment carries it").isEqualTo(400);
        TestServer.Res r = s.get("/api/runs/" + hand + "/series?key=" + encoded, null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("key").asText()).isEqualTo(key);
        assertThat(r.json().path("history").size()).isEqualTo(2);
        assertThat(r.json().path("history").get(1).path("value").asDouble()).isEqualTo(0.4);
        assertThat(r.json().path("history").get(1).path("timestamp").isTextual()).isTrue();
        TestServer.Res missing = s.get("/api/runs/" + hand + "/series", null);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().path("error").path("details").path("parameter").asText()).isEqualTo("key");
    }
}
