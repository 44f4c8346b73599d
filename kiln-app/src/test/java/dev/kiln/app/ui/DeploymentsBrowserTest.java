package dev.kiln.app.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.app.Poll;
import dev.kiln.app.cli.InProcessServe;
import dev.kiln.serve.InferenceServer;
import dev.kiln.store.DeploymentStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /deployments in a real chromium, with a real kiln serve in this JVM registering itself in the server's store: live
 * with its request rate, canary, shadow and bandit while traffic flows, gone when it stops; a silent one is lost.
 */
@Tag("slow")
class DeploymentsBrowserTest {
    @TempDir
    Path home;

    @Test
    void aServingProcessShowsLiveWithItsTrafficAndDisappearsWhenItStops() throws Exception {
        try (UiServer server = UiServer.start(home); Browser b = Browser.launch(server.url())) {
            server.store.registry().register("credit", InProcessServe.goodBundle(), null, "test", "first");
            server.store.registry().setAlias("credit", "production", 1, "test", "first", Map.of());
            server.store.registry().register("credit", InProcessServe.otherBundle(), null, "test", "candidate");

            b.open("/deployments");
            b.waitForText(".empty", "./kiln serve --model credit=credit");
            assertThat(b.texts("#nav a[aria-current=page]")).containsExactly("Deployments");

            try (InferenceServer serve = InProcessServe.start(Duration.ofSeconds(1), "--home", home.toString(), "--port", "0",
                    "--poll-seconds", "1", "--model", "credit=credit", "--canary", "credit=credit:2",
                    "--canary-steps", "credit=10,50,100", "--canary-interval-seconds", "3600", "--shadow", "credit=credit:2",
                    "--model", "ab=credit:1", "--bandit", "ab=credit:1,credit:2");
                 AutoCloseable traffic = InProcessServe.traffic(serve.port())) {
                String url = "http://127.0.0.1:" + serve.port();
                // The page refreshes by itself: no reload from here on.
                b.waitForText(".deployment h2", url);
                b.waitForText(".deployment tr[data-model=credit] td.rate", "req/s");
                b.waitForText(".deployment tr[data-model=credit] td.p99", "ms");
                assertThat(b.waitFor(".deployment .badge").getText()).isEqualTo("live");
                String credit = b.waitFor(".deployment tr[data-model=credit]").getText();
                assertThat(credit).contains("v1", "follows credit@production", "v2 · 10.0 %", "rollout running, step 1/3");
                String ab = b.waitFor(".deployment tr[data-model=ab]").getText();
                assertThat(ab).contains("pinned").containsPattern("v1 (49|50|51) %").containsPattern("v2 (49|50|51) %");
                assertThat(b.all(".deployment tr[data-model=ab] .deploy-stack .arm")).hasSize(2);
                assertThat(b.waitFor(".deployment").getText()).contains("pid " + ProcessHandle.current().pid(), "Up since",
                        "Last heartbeat");
                assertThat(b.waitFor(".deploy-updated").getText()).contains("1 live");
                b.screenshot("deployments");
                b.resize(390, 844);
                b.waitForText(".deployment tr[data-model=credit] td.rate", "req/s");
                assertThat((Boolean) b.script("return document.documentElement.scrollWidth <= window.innerWidth + 1"))
                        .as("nothing wider than a phone").isTrue();
                b.fullScreenshot("deployments-phone");
                b.resize(1280, 900);
                assertThat(InProcessServe.answered(traffic)).isPositive();
            }
            b.waitForText(".empty", "Nothing serving");
            assertThat(b.all(".deployment")).as("deregistered when it stopped").isEmpty();
            assertThat(b.consoleErrorList()).as("no script errors or CSP violations").isEmpty();
        }
    }

    @Test
    void leavingThePageStopsItsRefresh() throws Exception {
        try (UiServer server = UiServer.start(home); Browser b = Browser.launch(server.url())) {
            b.open("/deployments");
            b.waitFor(".empty");
            String count = "return performance.getEntriesByType('resource').filter(e => e.name.includes('/api/deployments')).length";
            Number refreshed = Poll.until(() -> (Number) b.script(count), n -> n.intValue() >= 2, Duration.ofSeconds(15));
            assertThat(refreshed.intValue()).as("refreshed while open").isGreaterThanOrEqualTo(2);
            b.click("a.brand");
            b.waitForText("h1", "Kiln");
            int left = ((Number) b.script(count)).intValue();
            Number later = Poll.until(() -> (Number) b.script(count), n -> n.intValue() > left, Duration.ofSeconds(7));
            assertThat(later.intValue()).as("no refresh after two periods away").isEqualTo(left);
        }
    }

    @Test
    void aSilentDeploymentShowsLostAndWhatItReportedIsShownAsText() {
        String script = ShellBrowserTest.SCRIPT;
        String img = ShellBrowserTest.IMG;
        try (UiServer server = UiServer.start(home); Browser b = Browser.launch(server.url())) {
            Map<String, Object> model = new java.util.LinkedHashMap<>();
            model.put("name", script);
            model.put("version", img);
            model.put("ref", img);
            model.put("canary", Map.of("version", script, "percent", 5.0));
            model.put("shadow", Map.of("version", img));
            model.put("bandit", List.of(Map.of("version", script, "share", 0.5, "mean_reward", 0.5, "rewards", 1),
                    Map.of("version", img, "share", 0.5, "mean_reward", 0.5, "rewards", 1)));
            model.put("last_error", script + img);
            server.store.deployments().register(new DeploymentStore.Registration("http://" + script + img, img, img,
                    Duration.ofMillis(100)), Map.of("state", "serving", "models", List.of(model)), Instant.now());
            b.open("/deployments");
            b.waitForText(".deployment .badge", "lost");
            b.waitForText(".deployment .deploy-lost", "No heartbeat for");
            b.waitForText(".deployment h2", script + img);
            b.waitForText(".deployment td", script + img);
            assertThat(b.all("main img")).isEmpty();
            assertThat(b.all("main script")).isEmpty();
            assertThat(b.script("return window.__owned === undefined")).isEqualTo(true);
            b.screenshot("deployments-lost");
        }
    }
}
