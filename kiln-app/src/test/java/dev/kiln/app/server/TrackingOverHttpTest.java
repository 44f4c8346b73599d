package dev.kiln.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A training script's session over HTTP: a parent and a child run, params, metrics, tags, the end. */
class TrackingOverHttpTest {
    @TempDir
    Path home;

    @Test
    void aClientTracksRunsAndReadsThemBack() {
        try (TestServer s = TestServer.start(home)) {
            TestServer.Res parent = s.post("/api/runs", null, "{\"experiment\": \"churn\", \"name\": \"search\"}");
            assertThat(parent.status()).as(parent.toString()).isEqualTo(201);
            String parentId = parent.json().path("id").asText();
            TestServer.Res child = s.post("/api/runs", null, "{\"experiment\": \"churn\", \"name\": \"gbdt\", \"parent_run_id\": \""
                    + parentId + "\", \"tags\": {\"algorithm\": \"gbdt\"}}");
            assertThat(child.status()).as(child.toString()).isEqualTo(201);
            String id = child.json().path("id").asText();
            assertThat(child.json().path("parent_run_id").asText()).isEqualTo(parentId);
            assertThat(child.json().path("status").asText()).isEqualTo("running");

            assertThat(s.post("/api/runs/" + id + "/params", null, "{\"lr\": 0.1, \"depth\": 6, \"booster\": \"gbtree\"}").status()).isEqualTo(200);
            TestServer.Res again = s.post("/api/runs/" + id + "/params", null, "{\"lr\": 0.2}");
            assertThat(again.status()).as("parameters are write-once").isEqualTo(409);
            assertThat(again.errorCode()).isEqualTo("conflict");

            assertThat(s.post("/api/runs/" + id + "/metrics", null, "{\"key\": \"loss\", \"value\": 0.9, \"step\": 1}").status()).isEqualTo(200);
            assertThat(s.post("/api/runs/" + id + "/metrics", null, "{\"metrics\": {\"loss\": 0.5, \"auc\": 0.8}, \"step\": 2}").status()).isEqualTo(200);
            TestServer.Res both = s.post("/api/runs/" + id + "/metrics", null, "{\"key\": \"loss\", \"value\": 1, \"metrics\": {\"a\": 1}}");
            assertThat(both.status()).isEqualTo(400);
            TestServer.Res text = s.post("/api/runs/" + id + "/metrics", null, "{\"key\": \"loss\", \"value\": \"low\"}");
            assertThat(text.json().path("error").path("details").path("field").asText()).isEqualTo("value");
            assertThat(s.post("/api/runs/" + id + "/tags", null, "{\"note\": \"first try\"}").status()).isEqualTo(200);

            TestServer.Res ended = s.post("/api/runs/" + id + "/end", null, "{\"status\": \"finished\"}");
            assertThat(ended.json().path("status").asText()).isEqualTo("finished");
            assertThat(ended.json().path("ended_at").isTextual()).isTrue();
            assertThat(s.post("/api/runs/" + id + "/end", null, "{\"status\": \"failed\"}").status()).as("ends once").isEqualTo(409);
            assertThat(s.post("/api/runs/" + parentId + "/end", null, "{\"status\": \"running\"}").status()).isEqualTo(400);

            JsonNode run = s.get("/api/runs/" + id, null).json().path("run");
            assertThat(run.path("params").path("depth").asText()).isEqualTo("6");
            assertThat(run.path("metrics").path("loss").asDouble()).isEqualTo(0.5);
            assertThat(run.path("tags").path("algorithm").asText()).isEqualTo("gbdt");
            assertThat(run.path("tags").path("note").asText()).isEqualTo("first try");
            JsonNode history = s.get("/api/runs/" + id + "/metrics/loss", null).json().path("history");
            assertThat(history.size()).isEqualTo(2);
            assertThat(history.get(0).path("step").asLong()).isEqualTo(1);
            assertThat(history.get(1).path("value").asDouble()).isEqualTo(0.5);

            JsonNode family = s.get("/api/runs/" + parentId, null).json();
            assertThat(family.path("children").size()).isEqualTo(1);
            assertThat(family.path("children").get(0).path("id").asText()).isEqualTo(id);
            assertThat(family.path("artifacts").isArray()).isTrue();

            assertThat(s.get("/api/experiments/churn/runs", null).json().size()).isEqualTo(2);
            assertThat(s.get("/api/experiments/churn/runs?limit=1", null).json().size()).isEqualTo(1);
            assertThat(s.get("/api/runs?experiment=churn", null).json().size()).isEqualTo(2);
            assertThat(s.get("/api/experiments/nope/runs", null).status()).isEqualTo(404);
            assertThat(s.get("/api/runs/" + id + "/metrics/unlogged", null).json().path("history").size()).isZero();
        }
    }

    @Test
    void aModelIsDescribedTaggedAndReadBack() {
        try (TestServer s = TestServer.start(home)) {
            s.store.registry().register("credit", Bundles.good(), null, "seed", null);
            assertThat(s.put("/api/models/credit/description", null, "{\"description\": \"Scores applications.\"}").status()).isEqualTo(200);
            assertThat(s.get("/api/models/credit", null).json().path("description").asText()).isEqualTo("Scores applications.");
            assertThat(s.put("/api/models/credit/description", null, "{}").status()).as("the field is required").isEqualTo(400);
            assertThat(s.put("/api/models/credit/description", null, "{\"description\": null}").status()).isEqualTo(200);
            assertThat(s.get("/api/models/credit", null).json().path("description").isNull()).isTrue();
            assertThat(s.put("/api/models/credit/tags/gate.roc_auc", null, "{\"value\": \">=0.6\"}").status()).isEqualTo(200);
            JsonNode versions = s.get("/api/models/credit/versions", null).json();
            assertThat(versions.size()).isEqualTo(1);
            assertThat(versions.get(0).path("algorithm").asText()).isEqualTo("linear");
            assertThat(versions.get(0).path("bundle_sha256").asText()).hasSize(64);
            assertThat(s.get("/api/models", null).json().get(0).path("tags").path("gate.roc_auc").asText()).isEqualTo(">=0.6");
            assertThat(s.put("/api/models/nope/description", null, "{\"description\": \"x\"}").status()).isEqualTo(404);
        }
    }

    @Test
    void aFinishedRunCannotBeRewrittenButItsUserTagsCanChange() {
        String editor = ApiTokens.add(home, "ed", Role.EDITOR).token();
        try (TestServer s = TestServer.start(home)) {
            String id = s.post("/api/runs", editor, "{\"experiment\": \"churn\"}").json().path("id").asText();
            assertThat(s.post("/api/runs/" + id + "/params", editor, "{\"lr\": 0.1}").status()).isEqualTo(200);
            assertThat(s.post("/api/runs/" + id + "/metrics", editor, "{\"key\": \"auc\", \"value\": 0.7}").status()).isEqualTo(200);
            assertThat(s.post("/api/runs/" + id + "/tags", editor, "{\"kiln.dataset_version\": \"abc\"}").status()).isEqualTo(200);
            assertThat(s.post("/api/runs/" + id + "/end", editor, "{\"status\": \"finished\"}").status()).isEqualTo(200);

            TestServer.Res metric = s.post("/api/runs/" + id + "/metrics", editor, "{\"key\": \"auc\", \"value\": 0.99, \"step\": 1}");
            assertThat(metric.status()).as(metric.toString()).isEqualTo(409);
            assertThat(metric.errorCode()).isEqualTo("conflict");
            assertThat(metric.json().path("error").path("message").asText()).contains(id, "'auc'");
            assertThat(metric.json().path("error").path("details").path("metric").asText()).isEqualTo("auc");
            TestServer.Res param = s.post("/api/runs/" + id + "/params", editor, "{\"depth\": 6}");
            assertThat(param.status()).as(param.toString()).isEqualTo(409);
            assertThat(param.json().path("error").path("message").asText()).contains(id, "'depth'");
            TestServer.Res forged = s.post("/api/runs/" + id + "/tags", editor, "{\"note\": \"x\", \"kiln.dataset_version\": \"forged\"}");
            assertThat(forged.status()).as(forged.toString()).isEqualTo(409);
            assertThat(forged.json().path("error").path("message").asText()).contains(id, "'kiln.dataset_version'");
            assertThat(s.post("/api/runs/" + id + "/tags", editor, "{\"note\": \"reviewed\"}").status()).isEqualTo(200);

            JsonNode run = s.get("/api/runs/" + id, editor).json().path("run");
            assertThat(run.path("metrics").path("auc").asDouble()).isEqualTo(0.7);
            assertThat(run.path("params").has("depth")).isFalse();
            assertThat(run.path("tags").path("kiln.dataset_version").asText()).isEqualTo("abc");
            assertThat(run.path("tags").path("note").asText()).isEqualTo("reviewed");
        }
    }
}
