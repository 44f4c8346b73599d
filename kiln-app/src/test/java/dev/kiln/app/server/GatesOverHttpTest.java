package dev.kiln.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.store.ModelEvent;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Promotion to a protected alias over HTTP: the gates, the admin role, and a recorded override. */
class GatesOverHttpTest {
    @TempDir
    Path home;
    TestServer s;
    String admin;
    String editor;

    @BeforeEach
    void start() {
        admin = ApiTokens.add(home, "alice", Role.ADMIN).token();
        editor = ApiTokens.add(home, "ed", Role.EDITOR).token();
        s = TestServer.start(home);
        s.store.registry().register("weak", Bundles.weak(), null, "seed", "baseline only");
        s.store.registry().register("credit", Bundles.good(), null, "seed", "linear");
    }

    @AfterEach
    void stop() {
        s.close();
    }

    @Test
    void aWeakVersionIsRefusedForProductionUnlessAnAdminForcesItWithAReason() {
        TestServer.Res refused = s.put("/api/models/weak/aliases/production", admin, "{\"version\": 1}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.errorCode()).isEqualTo("gate_failed");
        JsonNode checks = refused.json().path("error").path("details").path("checks");
        assertThat(checks.isArray()).isTrue();
        assertThat(checks.toString()).contains("lift over baseline").contains("\"passed\":false");
        assertThat(s.store.registry().model("weak").orElseThrow().aliases()).doesNotContainKey("production");

        TestServer.Res noReason = s.put("/api/models/weak/aliases/production", admin, "{\"version\": 1, \"force\": true}");
        assertThat(noReason.status()).as(noReason.toString()).isEqualTo(400);
        assertThat(noReason.json().path("error").path("details").path("field").asText()).isEqualTo("reason");

        TestServer.Res editorForce = s.put("/api/models/weak/aliases/production", editor,
                "{\"version\": 1, \"force\": true, \"reason\": \"me too\"}");
        assertThat(editorForce.status()).as(editorForce.toString()).isEqualTo(403);

        TestServer.Res forced = s.put("/api/models/weak/aliases/production", admin,
                "{\"version\": 1, \"force\": true, \"reason\": \"demo only, never for decisions\"}");
        assertThat(forced.status()).as(forced.toString()).isEqualTo(200);
        assertThat(forced.json().path("moved").asBoolean()).isTrue();
        assertThat(forced.json().path("forced").asBoolean()).isTrue();
        assertThat(forced.json().path("to").asInt()).isEqualTo(1);

        ModelEvent move = lastAliasSet("weak");
        assertThat(move.actor()).isEqualTo("alice");
        assertThat(move.reason()).isEqualTo("demo only, never for decisions");
        assertThat(move.details()).containsEntry("forced", true);

        TestServer.Res history = s.get("/api/models/weak/history", editor);
        assertThat(history.status()).isEqualTo(200);
        JsonNode last = history.json().get(history.json().size() - 1);
        assertThat(last.path("type").asText()).isEqualTo("alias_set");
        assertThat(last.path("actor").asText()).isEqualTo("alice");
        assertThat(last.path("details").path("forced").asBoolean()).isTrue();
    }

    @Test
    void aGoodVersionPassesTheGatesAndEditorsMoveOnlyUnprotectedAliases() {
        TestServer.Res byEditor = s.put("/api/models/credit/aliases/production", editor, "{\"version\": 1}");
        assertThat(byEditor.status()).as(byEditor.toString()).isEqualTo(403);

        TestServer.Res promoted = s.put("/api/models/credit/aliases/production", admin, "{\"version\": 1, \"reason\": \"first release\"}");
        assertThat(promoted.status()).as(promoted.toString()).isEqualTo(200);
        assertThat(promoted.json().path("forced").asBoolean()).isFalse();
        assertThat(promoted.json().path("checks").toString()).contains("lift over baseline").doesNotContain("\"passed\":false");
        assertThat(lastAliasSet("credit").actor()).isEqualTo("alice");

        TestServer.Res resolved = s.get("/api/models/credit/aliases/production", editor);
        assertThat(resolved.json().path("version").asInt()).isEqualTo(1);
        TestServer.Res lineage = s.get("/api/lineage/credit", editor);
        assertThat(lineage.status()).as(lineage.toString()).isEqualTo(200);
        assertThat(lineage.json().path("dataset").path("sha256").asText()).hasSize(64);
        assertThat(lineage.json().path("aliases").toString()).contains("production", "alice");

        TestServer.Res staging = s.put("/api/models/credit/aliases/staging", editor, "{\"version\": 1}");
        assertThat(staging.status()).as(staging.toString()).isEqualTo(200);
        assertThat(lastAliasSet("credit").actor()).isEqualTo("ed");

        // A model may protect more aliases (an admin's decision); then they need an admin too.
        assertThat(s.put("/api/models/credit/tags/protected_aliases", admin, "{\"value\": \"staging\"}").status()).isEqualTo(200);
        assertThat(s.put("/api/models/credit/aliases/staging", editor, "{\"version\": 1}").status()).isEqualTo(403);

        TestServer.Res badGate = s.put("/api/models/credit/tags/gate.roc_auc", admin, "{\"value\": \"about 0.9\"}");
        assertThat(badGate.status()).as(badGate.toString()).isEqualTo(400);

        TestServer.Res removed = s.delete("/api/models/credit/aliases/production?reason=retired", admin);
        assertThat(removed.status()).as(removed.toString()).isEqualTo(200);
        ModelEvent last = s.store.registry().history("credit").get(s.store.registry().history("credit").size() - 1);
        assertThat(last.type()).isEqualTo("alias_removed");
        assertThat(last.actor()).isEqualTo("alice");
        assertThat(last.reason()).isEqualTo("retired");
    }

    @Test
    void aGateNamingAnUnknownMetricIsABadRequestAndTheMoveRecordsItsGateTable() {
        assertThat(s.put("/api/models/credit/tags/gate.roc_acu", admin, "{\"value\": \">=0.7\"}").status()).isEqualTo(200);
        TestServer.Res typo = s.put("/api/models/credit/aliases/production", admin, "{\"version\": 1}");
        assertThat(typo.status()).as(typo.toString()).isEqualTo(400);
        assertThat(typo.errorCode()).isEqualTo("invalid_argument");
        assertThat(typo.json().path("error").path("message").asText()).contains("model tag 'gate.roc_acu'")
                .contains("unknown metric 'roc_acu'");
        assertThat(typo.json().path("error").path("details").path("valid_metrics").toString()).contains("roc_auc", "f1");
        assertThat(s.store.registry().model("credit").orElseThrow().aliases()).doesNotContainKey("production");

        assertThat(s.delete("/api/models/credit/tags/gate.roc_acu", admin).status()).isEqualTo(200);
        TestServer.Res moved = s.put("/api/models/credit/aliases/production", admin, "{\"version\": 1}");
        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
        assertThat(moved.json().path("checks").toString()).contains("\"name\":\"live evidence\"", "none recorded");
        @SuppressWarnings("unchecked")
        List<java.util.Map<String, Object>> recorded = (List<java.util.Map<String, Object>>) lastAliasSet("credit").details().get("checks");
        assertThat(recorded).extracting(c -> c.get("name")).contains("roc_auc lift over baseline", "live evidence");
    }

    private ModelEvent lastAliasSet(String model) {
        List<ModelEvent> events = s.store.registry().history(model);
        return events.stream().filter(e -> e.type().equals("alias_set")).reduce((a, b) -> b).orElseThrow();
    }
}
