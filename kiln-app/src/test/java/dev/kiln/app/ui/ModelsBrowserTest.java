package dev.kiln.app.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.app.promotion.Promotion;
import dev.kiln.app.server.Bundles;
import dev.kiln.app.server.Role;
import dev.kiln.store.ModelRegistry;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /models and /models/{name} in a real chromium with tokens: the list, the timeline with a gated move's gate table, moving
 * an alias with a reason, a refused gated move showing its gates, "what served at", a viewer without the move form, and
 * what users wrote (descriptions, tags, reasons) shown as text.
 */
@Tag("slow")
class ModelsBrowserTest {
    static final String SCRIPT = "<script>window.__owned=1</script>";
    static final String IMG = "\"><img src=x onerror=\"window.__owned=2\">";

    @TempDir
    Path home;

    private static void signIn(Browser b, String token, String who) {
        b.open("/login");
        b.type("#token", token);
        b.click("form.login button[type=submit]");
        b.waitForText(".who", who);
    }

    private static void assertNothingRan(Browser b) {
        assertThat(b.all("main img")).isEmpty();
        assertThat(b.all("main script")).isEmpty();
        assertThat(b.script("return window.__owned === undefined")).isEqualTo(true);
    }

    @Test
    void aReviewerReadsTheHistoryMovesAnAliasAndSeesTheGatesOfARefusal() {
        String admin = UiServer.addToken(home, "alice", Role.ADMIN);
        try (UiServer server = UiServer.start(home); Browser b = Browser.launch(server.url(), 1280, 900)) {
            ModelRegistry registry = server.store.registry();
            registry.register("credit", Bundles.good(), null, "seed", "first build " + IMG);
            registry.register("credit", Bundles.good(), null, "seed", "second build");
            registry.register("credit", Bundles.weak(), null, "seed", "baseline only");
            registry.setDescription("credit", "Scores credit applications " + SCRIPT, "seed");
            registry.setTag("credit", "team", IMG, "seed");
            registry.setAlias("credit", "staging", 1, "seed", "smoke test " + SCRIPT, Map.of());
            Promotion.moveAlias(registry, "credit", "production", 1, Promotion.Policy.defaults(), false, "first release", "alice");

            signIn(b, admin, "alice · admin");
            b.open("/models");
            b.waitForText("a.model-name", "credit");
            b.waitForText("td", "Scores credit applications " + SCRIPT);
            b.waitForText(".badge", "team=" + IMG);
            b.waitForText(".badge", "production → v1");
            assertNothingRan(b);
            b.screenshot("models");

            b.click("a.model-name");
            b.waitForUrl("/models/credit");
            b.waitFor(".tl-row[data-alias=production] .tl-bar.gated");
            b.waitForText(".model-description", SCRIPT);
            b.waitForText("#model-card h3", "Model card: credit version 1");
            b.waitForText("#lineage .lineage-step", "400 rows");
            b.waitForText("td", "smoke test " + SCRIPT);
            b.waitForText("a.button", "Monitoring");
            assertThat(b.all("a[href='/models/credit/monitoring']")).isNotEmpty();

            // The gated move's gate table, from its bar.
            b.click(".tl-row[data-alias=production] .tl-bar.gated");
            b.waitForText("#move-detail", "first release");
            b.waitForText("#move-detail td", "lift over baseline");

            // An editor's move with a reason shows up in the timeline.
            b.type("#move-alias", "staging");
            b.type("#move-version", "2");
            b.type("#move-reason", "promote build 2 " + IMG);
            b.click("form.move-form button[type=submit]");
            b.waitForText(".move-ok", "staging: v1 → v2");
            b.waitFor(".tl-row[data-alias=staging] .tl-bar.current[data-version='2']");
            b.waitForText("td", "promote build 2 " + IMG);

            // A gated move that fails shows its gates, and nothing moves.
            b.type("#move-alias", "production");
            b.type("#move-version", "3");
            b.type("#move-reason", "try the baseline");
            b.click("form.move-form button[type=submit]");
            b.waitForText(".move-result .error", "gate_failed");
            b.waitForText(".move-result td", "lift over baseline");
            assertThat(b.texts(".move-result .badge")).contains("failed");
            assertThat(registry.model("credit").orElseThrow().aliases()).containsEntry("production", 1).containsEntry("staging", 2);
            assertNothingRan(b);
            b.fullScreenshot("model");

            // What served at an instant: before any move, nothing; now, both aliases.
            b.open("/models/credit?at=2020-03-03T14:00:00.000Z");
            b.waitForText(".served-none", "No alias pointed");
            b.open("/models/credit?at=" + java.time.Instant.now().plusSeconds(1));
            b.waitForText("ul.served li[data-alias=staging]", "served v2");
            b.waitForText("ul.served li[data-alias=production]", "served v1");
            b.waitFor(".tl-marker");

            b.resize(390, 844);
            b.open("/models/credit");
            b.waitFor(".tl-row[data-alias=production] .tl-bar");
            b.waitForText("#model-card h3", "Model card");
            Number overflow = (Number) b.script("return document.documentElement.scrollWidth - window.innerWidth");
            assertThat(overflow.intValue()).as("no sideways scrolling at 390 px").isLessThanOrEqualTo(0);
            b.screenshot("model-phone");
            // The refused move's 409 is logged by the browser as a failed load: expected; nothing else may be there.
            assertThat(b.consoleErrorList()).as("no script errors or CSP violations")
                    .allMatch(e -> e.contains("/api/models/credit/aliases/production") && e.contains("status of 409"));
        }
    }

    @Test
    void aViewerSeesTheModelButNoMoveFormAndAnEmptyRegistrySaysWhatToRun() {
        String viewer = UiServer.addToken(home, "vera", Role.VIEWER);
        try (UiServer server = UiServer.start(home); Browser b = Browser.launch(server.url())) {
            signIn(b, viewer, "vera · viewer");
            b.open("/models");
            b.waitForText(".empty", "./kiln quickstart");

            server.store.registry().register("credit", Bundles.good(), null, "seed", null);
            server.store.registry().setAlias("credit", "staging", 1, "seed", "try", Map.of());
            b.open("/models/credit");
            b.waitFor(".tl-row[data-alias=staging] .tl-bar");
            b.waitForText("#model-card h3", "Model card: credit version 1");
            assertThat(b.all("form.move-form")).isEmpty();
            assertThat(b.bodyText()).doesNotContain("Move alias");
            // A long history: the newest 200 moves first, every one on request.
            for (int i = 0; i < 201; i++) {
                server.store.registry().setAlias("credit", "canary", 1, "robot", "step " + i, Map.of());
            }
            b.open("/models/credit");
            b.waitForText(".truncated", "Showing the newest 201 of 202 moves"); // 200 newest + staging's current one
            b.click(".truncated button");
            b.waitForText("caption", "Moves, newest first (202)");
            b.waitForGone(".truncated");

            // A deep link to an older page of versions (the token is the previous page's last version).
            server.store.registry().register("credit", Bundles.good(), null, "seed", "second");
            b.open("/models/credit?page=2");
            b.waitForText(".pager", "1–1 of 2");
            b.click(".pager button");
            b.waitForText(".pager", "1–2 of 2");
            // Deeper: "Newer" from a deep link walks back a page at a time, not to the first page at once.
            for (int v = 3; v <= 45; v++) {
                server.store.registry().register("credit", Bundles.good(), null, "seed", "v" + v);
            }
            b.open("/models/credit?page=6");
            b.waitForText(".pager", "1–5 of 45");
            b.click(".pager button");
            b.waitForText(".pager", "6–25 of 45");
            b.waitForUrl("page=26");
            b.click(".pager button");
            b.waitForText(".pager", "26–45 of 45");
            b.open("/models/nope");
            b.waitForText(".empty", "No model named nope");
        }
    }
}
