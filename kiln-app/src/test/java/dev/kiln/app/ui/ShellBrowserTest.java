package dev.kiln.app.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.app.server.Role;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Cookie;

/** The UI's frame in a real chromium: start page, navigation, deep links, sign-in with a token, hostile names shown as text. */
@Tag("slow")
class ShellBrowserTest {
    static final String SCRIPT = "<script>window.__owned=1</script>";
    static final String IMG = "\"><img src=x onerror=\"window.__owned=2\">";

    @TempDir
    Path home;

    @Test
    void anEmptyHomeSaysWhatToRunAndUnknownPagesSayNotFound() {
        try (UiServer server = UiServer.start(home); Browser b = Browser.launch(server.url())) {
            b.open("/");
            b.waitForText(".empty", "./kiln quickstart");
            assertThat(b.texts("#nav a")).containsExactly("Runs", "Models", "Deployments", "Data", "Pipelines");
            assertThat(b.waitFor(".who").getText()).contains("local");
            b.screenshot("home-empty");
            b.open("/no/such/page");
            b.waitForText("h1", "Not found");
            assertThat(b.consoleErrorList()).as("no script errors or CSP violations").isEmpty();
        }
    }

    @Test
    void theKeyboardReachesTheSkipLinkAndTheNavigationAndFollowsThem() {
        try (UiServer server = UiServer.start(home); Browser b = Browser.launch(server.url())) {
            b.open("/");
            b.waitForText(".empty", "./kiln quickstart");
            org.openqa.selenium.WebElement body = b.waitFor("body");
            body.sendKeys(org.openqa.selenium.Keys.TAB);
            assertThat(b.script("return document.activeElement.textContent")).isEqualTo("Skip to content");
            org.openqa.selenium.interactions.Actions keys = new org.openqa.selenium.interactions.Actions(b.driver());
            for (int i = 0; i < 2; i++) {
                keys.sendKeys(org.openqa.selenium.Keys.TAB).perform(); // the brand, then the first navigation link
            }
            assertThat(b.script("return document.activeElement.textContent")).isEqualTo("Runs");
            keys.sendKeys(org.openqa.selenium.Keys.ENTER).perform();
            b.waitForUrl("/runs");
            b.waitFor("a[aria-current=page][href='/runs']");
        }
    }

    @Test
    void withTokensThePageAsksForOneAndKeepsOnlyAnHttpOnlyCookie() {
        String viewer = UiServer.addToken(home, "vera", Role.VIEWER);
        try (UiServer server = UiServer.start(home); Browser b = Browser.launch(server.url())) {
            server.store.tracking().startRun("exp", null, "first run", Map.of());
            b.open("/");
            b.waitForUrl("/login?next=");
            b.type("#token", "not-a-token");
            b.click("form.login button[type=submit]");
            b.waitForText(".error", "unknown API token");
            b.type("#token", viewer);
            b.click("form.login button[type=submit]");
            b.waitForText(".who", "vera · viewer");
            b.waitForText("a", "first run");
            Cookie cookie = b.driver().manage().getCookieNamed("kiln_session");
            assertThat(cookie).isNotNull();
            assertThat(cookie.isHttpOnly()).isTrue();
            assertThat(cookie.getSameSite()).isEqualTo("Strict");
            assertThat((String) b.script("return document.cookie")).doesNotContain("kiln_session");
            assertThat(b.driver().getPageSource()).doesNotContain(viewer);
            b.screenshot("login-then-home");
            b.click(".who button");
            b.waitForUrl("/login");
        }
    }

    @Test
    void whatUsersWroteIsShownAsText() {
        try (UiServer server = UiServer.start(home); Browser b = Browser.launch(server.url())) {
            String run = server.store.tracking().startRun(SCRIPT, null, IMG, Map.of(IMG, SCRIPT)).id();
            server.store.alerts().fire(SCRIPT, 1, IMG, "feature_psi", "warning", SCRIPT + IMG, Map.of(), java.time.Instant.now());
            b.open("/");
            b.waitForText("a", IMG);
            b.waitForText("td", SCRIPT + IMG);
            assertThat(b.all("main img")).isEmpty();
            assertThat(b.all("main script")).isEmpty();
            assertThat(b.script("return window.__owned === undefined")).isEqualTo(true);
            assertThat(run).isNotBlank();
        }
    }
}
