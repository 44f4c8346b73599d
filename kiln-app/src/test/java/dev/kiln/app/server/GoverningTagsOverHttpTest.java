package dev.kiln.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tags that govern promotion ({@code protected_aliases}, {@code gate.*}) over HTTP: an editor can neither
 * set nor remove them (else an editor could unprotect an alias or weaken a gate, then promote past it), an admin
 * can, and every change is in the model's history with who, when, the old and new value and the reason.
 */
class GoverningTagsOverHttpTest {
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
        s.store.registry().register("credit", Bundles.good(), null, "seed", "linear");
    }

    @AfterEach
    void stop() {
        s.close();
    }

    private void assertForbidden(TestServer.Res r, String tag) {
        assertThat(r.status()).as(r.toString()).isEqualTo(403);
        assertThat(r.errorCode()).isEqualTo("forbidden");
        assertThat(r.json().path("error").path("message").asText()).contains("'" + tag + "'", "admin role", "'ed' is editor");
        assertThat(r.json().path("error").path("details").path("tag").asText()).isEqualTo(tag);
        assertThat(r.json().path("error").path("details").path("required_role").asText()).isEqualTo("admin");
    }

    @Test
    void anEditorCannotSetOrRemoveATagThatGovernsPromotion() {
        assertThat(s.put("/api/models/credit/tags/protected_aliases", admin, "{\"value\": \"staging\"}").status()).isEqualTo(200);
        assertThat(s.put("/api/models/credit/tags/gate.roc_auc", admin, "{\"value\": \">=0.7\"}").status()).isEqualTo(200);

        assertForbidden(s.put("/api/models/credit/tags/protected_aliases", editor, "{\"value\": \"none\"}"), "protected_aliases");
        assertForbidden(s.put("/api/models/credit/tags/gate.roc_auc", editor, "{\"value\": \">=0.0\"}"), "gate.roc_auc");
        assertForbidden(s.put("/api/models/credit/tags/gate.fairness.age.parity_difference", editor, "{\"value\": \"<=1\"}"),
                "gate.fairness.age.parity_difference");
        assertForbidden(s.delete("/api/models/credit/tags/protected_aliases", editor), "protected_aliases");
        assertForbidden(s.delete("/api/models/credit/tags/gate.roc_auc", editor), "gate.roc_auc");
        // Refused before the body is read: a body that is not even JSON gets the same 403.
        assertForbidden(s.put("/api/models/credit/tags/gate.roc_auc", editor, "not json"), "gate.roc_auc");

        assertThat(s.store.registry().model("credit").orElseThrow().tags())
                .containsEntry("protected_aliases", "staging").containsEntry("gate.roc_auc", ">=0.7");
        // So the alias the admin protected still needs an admin to move.
        assertThat(s.put("/api/models/credit/aliases/staging", editor, "{\"version\": 1}").status()).isEqualTo(403);
        // Ordinary tags stay the editor's.
        assertThat(s.put("/api/models/credit/tags/team", editor, "{\"value\": \"risk\"}").status()).isEqualTo(200);
        assertThat(s.delete("/api/models/credit/tags/team", editor).status()).isEqualTo(200);
        assertThat(s.delete("/api/models/credit/tags/team", editor).status()).as("already gone").isEqualTo(404);
    }

    @Test
    void everyChangeOfAGoverningTagIsInTheHistoryWithItsOldValue() {
        TestServer.Res set = s.put("/api/models/credit/tags/gate.roc_auc", admin, "{\"value\": \">=0.7\", \"reason\": \"risk policy 12\"}");
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        assertThat(set.json().path("tags").path("gate.roc_auc").asText()).isEqualTo(">=0.7");
        assertThat(s.put("/api/models/credit/tags/gate.roc_auc", admin, "{\"value\": \">=0.75\"}").status()).isEqualTo(200);
        TestServer.Res removed = s.delete("/api/models/credit/tags/gate.roc_auc?reason=superseded", admin);
        assertThat(removed.status()).as(removed.toString()).isEqualTo(200);
        assertThat(removed.json().path("tags").has("gate.roc_auc")).isFalse();

        TestServer.Res history = s.get("/api/models/credit/history", editor);
        assertThat(history.status()).isEqualTo(200);
        List<JsonNode> tags = new ArrayList<>();
        history.json().forEach(e -> {
            if (e.path("type").asText().equals("tag_set")) {
                tags.add(e);
            }
        });
        assertThat(tags).hasSize(3);
        for (JsonNode e : tags) {
            assertThat(e.path("actor").asText()).isEqualTo("alice");
            assertThat(e.path("at").asText()).isNotBlank();
            assertThat(e.path("details").path("key").asText()).isEqualTo("gate.roc_auc");
            assertThat(e.path("details").path("governs_promotion").asBoolean()).isTrue();
        }
        assertThat(tags.get(0).path("reason").asText()).isEqualTo("risk policy 12");
        assertThat(tags.get(0).path("details").path("value").asText()).isEqualTo(">=0.7");
        assertThat(tags.get(0).path("details").has("from")).isFalse();
        assertThat(tags.get(1).path("details").path("value").asText()).isEqualTo(">=0.75");
        assertThat(tags.get(1).path("details").path("from").asText()).isEqualTo(">=0.7");
        assertThat(tags.get(2).path("details").path("removed").asBoolean()).isTrue();
        assertThat(tags.get(2).path("details").path("from").asText()).isEqualTo(">=0.75");
        assertThat(tags.get(2).path("reason").asText()).isEqualTo("superseded");
    }
}
