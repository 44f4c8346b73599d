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

/** The model page's routes over HTTP: paging, the summary, the alias timeline with gate tables, "what served at", the card. */
class ModelPageOverHttpTest {
    @TempDir
    Path home;
    TestServer s;
    String admin;
    String editor;
    String viewer;

    @BeforeEach
    void start() {
        admin = ApiTokens.add(home, "alice", Role.ADMIN).token();
        editor = ApiTokens.add(home, "ed", Role.EDITOR).token();
        viewer = ApiTokens.add(home, "vera", Role.VIEWER).token();
        s = TestServer.start(home);
    }

    @AfterEach
    void stop() {
        s.close();
    }

    private void register(int count, Path bundle) {
        byte[] zip = Zips.bundle(bundle, null);
        for (int i = 0; i < count; i++) {
            TestServer.Res r = s.post("/api/models/credit/versions?reason=build-" + i, editor, zip, "application/zip");
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
        }
    }

    @Test
    void versionsComeAPageAtATimeNewestFirstAndTheUnpagedAnswerIsUnchanged() {
        register(7, Bundles.good());

        List<Integer> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            TestServer.Res page = s.get("/api/models/credit/versions?page_size=3" + (token == null ? "" : "&page_token=" + token), viewer);
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            assertThat(page.json().path("total").asInt()).isEqualTo(7);
            page.json().path("versions").forEach(v -> seen.add(v.path("version").asInt()));
            token = page.json().path("next_page_token").isNull() ? null : page.json().path("next_page_token").asText();
            pages++;
        } while (token != null);
        assertThat(seen).containsExactly(7, 6, 5, 4, 3, 2, 1);
        assertThat(pages).isEqualTo(3);

        TestServer.Res plain = s.get("/api/models/credit/versions", viewer);
        assertThat(plain.json().isArray()).as("the answer clients had before paging").isTrue();
        assertThat(plain.json()).hasSize(7);
        assertThat(plain.json().get(0).path("version").asInt()).isEqualTo(1);
        assertThat(plain.json().get(0).path("description").asText()).isEqualTo("build-0");

        for (String bad : List.of("page_size=0", "page_size=501", "page_size=ten", "page_token=abc", "page_token=-1")) {
            TestServer.Res r = s.get("/api/models/credit/versions?" + bad, viewer);
            assertThat(r.status()).as(bad + ": " + r).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("invalid_argument");
            assertThat(r.json().path("error").path("details").path("parameter").asText()).isEqualTo(bad.substring(0, bad.indexOf('=')));
        }
        assertThat(s.get("/api/models/nope/versions?page_size=3", viewer).status()).isEqualTo(404);

        TestServer.Res summary = s.get("/api/models/credit/summary?versions=2", viewer);
        assertThat(summary.status()).as(summary.toString()).isEqualTo(200);
        assertThat(summary.json().path("name").asText()).isEqualTo("credit");
        assertThat(summary.json().path("version_count").asInt()).isEqualTo(7);
        assertThat(summary.json().path("versions")).extracting(v -> v.path("version").asInt()).containsExactly(7, 6);
        assertThat(summary.json().path("next_page_token").asText()).isEqualTo("6");
        assertThat(summary.json().path("timeline").path("aliases")).isEmpty();
        assertThat(s.get("/api/models/credit/summary?versions=0", viewer).status()).isEqualTo(400);

        TestServer.Res models = s.get("/api/models", viewer);
        assertThat(models.json()).hasSize(1);
        assertThat(models.json().get(0).path("latest_version").asInt()).isEqualTo(7);
        assertThat(models.json().get(0).path("updated_at").asText())
                .isEqualTo(s.store.registry().history("credit").get(s.store.registry().history("credit").size() - 1).at().toString());
    }

    @Test
    void theTimelineShowsEachMoveWithItsGateTableAndAnswersWhatServedAtAnInstant() {
        register(2, Bundles.good());
        register(1, Bundles.weak()); // version 3: no lift over its baseline

        assertThat(s.put("/api/models/credit/aliases/staging", editor, "{\"version\": 1, \"reason\": \"try it\"}").status()).isEqualTo(200);
        TestServer.Res gated = s.put("/api/models/credit/aliases/production", admin, "{\"version\": 1, \"reason\": \"first release\"}");
        assertThat(gated.status()).as(gated.toString()).isEqualTo(200);
        assertThat(s.put("/api/models/credit/aliases/staging", editor, "{\"version\": 2, \"reason\": \"next\"}").status()).isEqualTo(200);
        TestServer.Res refused = s.put("/api/models/credit/aliases/production", admin, "{\"version\": 3, \"reason\": \"worse\"}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.json().path("error").path("details").path("checks").toString()).contains("\"passed\":false");

        JsonNode timeline = s.get("/api/models/credit/summary", viewer).json().path("timeline");
        assertThat(timeline.path("moves").asInt()).as("the refused move is not a move").isEqualTo(3);
        JsonNode production = alias(timeline, "production");
        assertThat(production.path("current_version").asInt()).isEqualTo(1);
        JsonNode release = production.path("intervals").get(0);
        assertThat(release.path("version").asInt()).isEqualTo(1);
        assertThat(release.path("actor").asText()).isEqualTo("alice");
        assertThat(release.path("reason").asText()).isEqualTo("first release");
        assertThat(release.path("gated").asBoolean()).isTrue();
        assertThat(release.path("to").isNull()).isTrue();
        assertThat(release.path("checks")).extracting(c -> c.path("name").asText()).contains("roc_auc lift over baseline", "live evidence");
        assertThat(release.path("checks")).allSatisfy(c -> assertThat(c.path("passed").asBoolean()).isTrue());

        JsonNode staging = alias(timeline, "staging").path("intervals");
        assertThat(staging).hasSize(2);
        assertThat(staging.get(0).path("version").asInt()).isEqualTo(1);
        assertThat(staging.get(0).path("gated").asBoolean()).isFalse();
        assertThat(staging.get(0).path("to").asText()).isEqualTo(staging.get(1).path("from").asText());
        assertThat(staging.get(0).path("ended_by").path("actor").asText()).isEqualTo("ed");
        assertThat(staging.get(1).path("previous_version").asInt()).isEqualTo(1);
        assertThat(staging.get(1).path("reason").asText()).isEqualTo("next");

        // The summary may carry only the newest moves (each alias's current one kept); /timeline has them all.
        JsonNode newest = s.get("/api/models/credit/summary?moves=1", viewer).json().path("timeline");
        assertThat(newest.path("moves").asInt()).isEqualTo(3);
        assertThat(newest.path("shown").asInt()).isEqualTo(2);
        assertThat(newest.path("truncated").asBoolean()).isTrue();
        assertThat(alias(newest, "staging").path("intervals")).hasSize(1);
        assertThat(alias(newest, "production").path("intervals")).hasSize(1);
        JsonNode all = s.get("/api/models/credit/timeline", viewer).json();
        assertThat(all.path("shown").asInt()).isEqualTo(3);
        assertThat(all.path("truncated").asBoolean()).isFalse();
        assertThat(s.get("/api/models/credit/timeline?moves=0", viewer).json().path("error").path("details").path("parameter").asText())
                .isEqualTo("moves");

        // What served at the instant of each move, and before any.
        JsonNode atFirst = s.get("/api/models/credit/aliases?at=" + staging.get(0).path("from").asText(), viewer).json();
        assertThat(atFirst.path("aliases").path("staging").path("version").asInt()).isEqualTo(1);
        JsonNode atSecond = s.get("/api/models/credit/aliases?at=" + staging.get(1).path("from").asText(), viewer).json();
        assertThat(atSecond.path("aliases").path("staging").path("version").asInt()).isEqualTo(2);
        assertThat(atSecond.path("aliases").path("production").path("version").asInt()).isEqualTo(1);
        assertThat(atSecond.path("aliases").path("production").path("actor").asText()).isEqualTo("alice");
        TestServer.Res before = s.get("/api/models/credit/aliases?at=2020-03-03T14:00:00Z", viewer);
        assertThat(before.status()).isEqualTo(200);
        assertThat(before.json().path("aliases")).isEmpty();
        assertThat(s.get("/api/models/credit/aliases?at=2020-03-03T15:00%2B01:00", viewer).json().path("at").asText())
                .isEqualTo("2020-03-03T14:00:00Z");
        assertThat(s.get("/api/models/credit/aliases", viewer).json().path("aliases").path("staging").path("version").asInt()).isEqualTo(2);

        // A removal ends the interval and leaves a gap.
        assertThat(s.delete("/api/models/credit/aliases/staging?reason=retired", admin).status()).isEqualTo(200);
        JsonNode afterRemoval = alias(s.get("/api/models/credit/summary", viewer).json().path("timeline"), "staging");
        assertThat(afterRemoval.path("current_version").isNull()).isTrue();
        assertThat(afterRemoval.path("intervals").get(1).path("ended_by").path("type").asText()).isEqualTo("alias_removed");
        assertThat(afterRemoval.path("intervals").get(1).path("ended_by").path("reason").asText()).isEqualTo("retired");
        assertThat(s.get("/api/models/credit/aliases", viewer).json().path("aliases").has("staging")).isFalse();

        for (String bad : List.of("yesterday", "2026-03-03T14:00:00", "2026-13-03T14:00:00Z")) {
            TestServer.Res r = s.get("/api/models/credit/aliases?at=" + bad, viewer);
            assertThat(r.status()).as(bad + ": " + r).isEqualTo(400);
            assertThat(r.json().path("error").path("details").path("parameter").asText()).isEqualTo("at");
            assertThat(r.json().path("error").path("message").asText()).contains("at=").contains("ISO-8601");
        }
        assertThat(s.get("/api/models/nope/aliases", viewer).status()).isEqualTo(404);
    }

    @Test
    void theModelCardIsDataAndEveryReadIsAViewersWhileMovesFollowTheAliasRules() {
        register(1, Bundles.good());
        assertThat(s.put("/api/models/credit/description", editor, "{\"description\": \"Scores credit applications\"}").status()).isEqualTo(200);

        TestServer.Res card = s.get("/api/models/credit/versions/1/card", viewer);
        assertThat(card.status()).as(card.toString()).isEqualTo(200);
        JsonNode c = card.json();
        assertThat(c.path("model").asText()).isEqualTo("credit");
        assertThat(c.path("version").asInt()).isEqualTo(1);
        assertThat(c.path("algorithm").asText()).isNotBlank();
        assertThat(c.path("task").asText()).isEqualTo("binary");
        assertThat(c.path("intended_use").asText()).isEqualTo("Scores credit applications");
        assertThat(c.path("dataset").path("sha256").asText()).hasSize(64);
        assertThat(c.path("dataset").path("test_rows").asLong()).isPositive();
        assertThat(c.path("columns")).extracting(x -> x.path("name").asText()).contains("x1", "x2");
        assertThat(c.path("metrics")).extracting(x -> x.path("name").asText()).contains("roc_auc");
        assertThat(c.path("metrics").findValues("baseline")).anySatisfy(b -> assertThat(b.isNumber()).isTrue());
        assertThat(c.path("provenance").path("bundle_sha256").asText()).hasSize(64);
        assertThat(c.path("provenance").path("registered_by").asText()).isEqualTo("ed");
        assertThat(s.get("/api/models/credit/versions/9/card", viewer).status()).isEqualTo(404);
        assertThat(s.get("/api/models/credit/versions/0/card", viewer).status()).isEqualTo(400);

        for (String read : List.of("/api/models/credit/summary", "/api/models/credit/aliases", "/api/models/credit/timeline", "/api/models/credit/versions/1/card",
                "/api/models/credit/versions?page_size=1")) {
            assertThat(s.get(read, null).status()).as(read).isEqualTo(401);
            assertThat(s.get(read, viewer).status()).as(read).isEqualTo(200);
        }
        assertThat(s.put("/api/models/credit/aliases/staging", viewer, "{\"version\": 1, \"reason\": \"r\"}").status()).isEqualTo(403);
        assertThat(s.put("/api/models/credit/aliases/staging", editor, "{\"version\": 1, \"reason\": \"r\"}").status()).isEqualTo(200);
        TestServer.Res editorProduction = s.put("/api/models/credit/aliases/production", editor, "{\"version\": 1, \"reason\": \"r\"}");
        assertThat(editorProduction.status()).as("moving a protected alias needs an admin").isEqualTo(403);
        assertThat(editorProduction.errorCode()).isEqualTo("forbidden");
        assertThat(s.put("/api/models/credit/aliases/production", admin, "{\"version\": 1, \"reason\": \"r\"}").status()).isEqualTo(200);
    }

    private static JsonNode alias(JsonNode timeline, String alias) {
        for (JsonNode a : timeline.path("aliases")) {
            if (a.path("alias").asText().equals(alias)) {
                return a;
            }
        }
        throw new AssertionError("no alias " + alias + " in " + timeline);
    }
}
