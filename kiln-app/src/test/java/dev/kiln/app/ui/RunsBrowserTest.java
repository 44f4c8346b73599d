package dev.kiln.app.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.store.Run;
import dev.kiln.store.RunStatus;
import dev.kiln.store.TrackingStore;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * /runs and /compare in a real chromium: find runs with a filter, see a filter's error at its position, sort on the
 * server, page, pick columns, select two runs and compare them, only differences; hostile names shown as text.
 */
@Tag("slow")
class RunsBrowserTest {
    static final String SCRIPT = "<script>window.__owned=1</script>";
    static final String IMG = "\"><img src=x onerror=\"window.__owned=2\">";
    static final String[] ALGORITHMS = {"gbdt", "linear", "baseline"};

    @TempDir
    Path home;

    /** 119 runs in "credit" (roc_auc from 0.5 up, three algorithms) and one hostile run in "<script>…". */
    private static void fill(TrackingStore tracking) {
        for (int i = 0; i < 119; i++) {
            Run r = tracking.startRun("credit", null, "run-" + i, Map.of("team", i % 2 == 0 ? "risk" : "growth"));
            tracking.logParams(r.id(), Map.of("algorithm", ALGORITHMS[i % 3], "depth", String.valueOf(2 + i % 5)));
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("roc_auc", 0.5 + i / 250.0);
            metrics.put("log_loss", 1.0 - i / 200.0);
            metrics.put("fit_seconds", 1.5 + i % 7);
            tracking.logMetrics(r.id(), metrics, 1);
            if (i % 4 != 0) {
                tracking.endRun(r.id(), i % 9 == 0 ? RunStatus.FAILED : RunStatus.FINISHED);
            }
        }
        Run evil = tracking.startRun(SCRIPT, null, IMG, Map.of(IMG, SCRIPT));
        tracking.logParams(evil.id(), Map.of(SCRIPT, IMG, "algorithm", IMG));
        tracking.logMetrics(evil.id(), Map.of(SCRIPT, 1.0, "roc_auc", 0.1), 1);
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String query(Browser b) {
        return URLDecoder.decode(b.driver().getCurrentUrl(), StandardCharsets.UTF_8);
    }

    /** Polls until {@code condition} holds; elements replaced while it looks (the table is redrawn) are looked up again. */
    private static void waitUntil(Browser b, String what, java.util.function.Supplier<Boolean> condition) {
        new WebDriverWait(b.driver(), java.time.Duration.ofSeconds(20)).withMessage(() -> what + "; the page says: " + b.bodyText())
                .ignoring(StaleElementReferenceException.class).until(d -> condition.get());
    }

    /** Browser.waitForText, tolerant of the results being redrawn between finding an element and reading its text. */
    private static void waitForText(Browser b, String css, String text) {
        waitUntil(b, "no '" + css + "' containing '" + text + "'", () -> b.texts(css).stream().anyMatch(t -> t.contains(text)));
    }

    @Test
    void findSortPageSelectAndCompareRuns() {
        try (UiServer server = UiServer.start(home); Browser b = Browser.launch(server.url())) {
            fill(server.store.tracking());
            b.open("/runs");
            waitForText(b, ".pager .count", "Runs 1–50 of 120");
            assertThat(b.texts("thead th")).contains("Run", "Experiment", "Status", "Started ▼");

            // a filter finds runs, and stays in the address
            b.type("#filter", "metrics.roc_auc > 0.9 and params.algorithm = 'gbdt'");
            b.click("form.filter-form button[type=submit]");
            waitForText(b, ".pager .count", "of 6");
            assertThat(b.all("tbody tr")).hasSize(6);
            assertThat(query(b)).contains("filter=metrics.roc_auc > 0.9 and params.algorithm = 'gbdt'");

            // a bad filter: the server's message next to the box, a caret under the position
            b.type("#filter", "metrics.roc_auc 'gbdt'");
            b.click("form.filter-form button[type=submit]");
            WebElement error = b.waitForText("#filter-error", "at 17: expected a comparison operator after metrics.roc_auc");
            assertThat(b.waitFor("pre.caret").getText()).endsWith("\n" + " ".repeat(16) + "^");
            assertThat(b.waitFor("#filter").getAttribute("aria-invalid")).isEqualTo("true");
            assertThat(error.isDisplayed()).isTrue();
            b.screenshot("runs-filter-error");

            // sort by a metric on the server: the first page holds the best runs of all 120
            b.open("/runs?experiment=credit&columns=" + q("metrics.roc_auc,params.algorithm,metrics.log_loss"));
            waitForText(b, ".pager .count", "of 119");
            b.click("th[title='metrics.roc_auc'] button.sort");
            b.waitForUrl("order=metrics.roc_auc");
            waitUntil(b, "the best run first", () -> b.texts("tbody tr:first-child a.run-name").equals(List.of("run-118")));
            assertThat(query(b)).contains("order=metrics.roc_auc DESC");
            b.click("th[title='metrics.roc_auc'] button.sort");
            waitUntil(b, "the worst run first", () -> b.texts("tbody tr:first-child a.run-name").equals(List.of("run-0")));

            // pages
            b.click(".pager button.next");
            waitForText(b, ".pager .count", "Runs 51–100 of 119");
            assertThat(b.texts("tbody tr:first-child a.run-name")).containsExactly("run-50");
            assertThat(query(b)).contains("page_token=");
            b.click(".pager button.next");
            waitForText(b, ".pager .count", "Runs 101–119 of 119");
            assertThat(b.waitFor(".pager button.next").isEnabled()).isFalse();
            b.click(".pager button.prev");
            waitForText(b, ".pager .count", "Runs 51–100 of 119");

            // a deep link opens the same view
            String deep = b.driver().getCurrentUrl();
            b.open("/");
            b.open(deep);
            waitForText(b, ".pager .count", "Runs 51–100 of 119");

            // the column picker adds a column, kept in the address
            b.click(".column-picker summary");
            b.click("input[data-key='params.depth']");
            b.waitForUrl("params.depth");
            b.waitFor("th[title='params.depth']");

            // select two runs, compare
            b.all("tbody tr td.sel input").get(0).click();
            b.all("tbody tr td.sel input").get(1).click();
            b.waitForText("#compare", "Compare (2)");
            b.screenshot("runs");
            b.click("#compare");
            b.waitForUrl("/compare?runs=");
            b.waitForText("h1", "Compare 2 runs");
            b.waitFor("figure.chart");
            int all = b.all("table.compare tbody tr[data-key]").size();
            assertThat(b.all("tr.diff[data-key='roc_auc']")).hasSize(1);
            assertThat(b.all("tr[data-key='experiment']:not(.diff)")).hasSize(1);
            b.fullScreenshot("compare");
            b.click("#only-diff");
            b.waitForUrl("only_diff=1");
            waitUntil(b, "only the rows that differ", () -> b.all("table.compare tbody tr[data-key]").size() < all);
            assertThat(b.all("tr[data-key='experiment']")).isEmpty();
            assertThat(b.all("table.compare tbody tr[data-key]")).allSatisfy(tr -> assertThat(tr.getAttribute("class")).contains("diff"));
            assertThat(b.consoleErrorList()).as("no script errors or CSP violations (the bad filter's 400 is logged by chromium)")
                    .allSatisfy(e -> assertThat(e).contains("/api/runs/search?filter=metrics.roc_auc+%27gbdt%27").contains("400"));
        }
    }

    @Test
    void aPhoneSeesTheSameTableAndAnEmptyStoreSaysWhatToRun() {
        try (UiServer server = UiServer.start(home); Browser b = Browser.launch(server.url(), 390, 844)) {
            b.open("/runs");
            b.waitForText(".empty", "./kiln quickstart");
            fill(server.store.tracking());
            b.open("/runs?experiment=credit&order=" + q("metrics.roc_auc DESC"));
            waitForText(b, ".pager .count", "of 119");
            waitForText(b, "tbody tr:first-child a.run-name", "run-118");
            Number pageWidth = (Number) b.script("return document.documentElement.scrollWidth");
            assertThat(pageWidth.intValue()).as("the page itself does not scroll sideways; the table does").isLessThanOrEqualTo(390);
            b.screenshot("runs-phone");
        }
    }

    @Test
    void whatUsersWroteIsShownAsText() {
        try (UiServer server = UiServer.start(home); Browser b = Browser.launch(server.url())) {
            fill(server.store.tracking());
            String evil = server.store.tracking().runs(SCRIPT, 1).get(0).id();
            String other = server.store.tracking().runs("credit", 1).get(0).id();
            String cols = "metrics.`" + SCRIPT + "`,params.`" + SCRIPT + "`,tags.`" + IMG + "`";
            b.open("/runs?columns=" + q(cols) + "&filter=" + q("attributes.name = '" + IMG.replace("'", "\\'") + "'"));
            b.waitForText("a.run-name", IMG);
            b.waitForText("th", SCRIPT);
            b.waitForText("td", SCRIPT);
            assertThat(b.texts("#experiment option")).anySatisfy(t -> assertThat(t).contains(SCRIPT));
            b.click(".column-picker summary");
            b.waitForText("label.pick", SCRIPT);
            b.open("/compare?runs=" + evil + "," + other + "&param=algorithm&metric=roc_auc");
            b.waitForText("table.compare th", IMG);
            b.waitForText("table.compare th.key", SCRIPT);
            b.waitFor("figure.chart");
            assertThat(b.all("main img")).isEmpty();
            assertThat(b.all("main script")).isEmpty();
            assertThat(b.script("return window.__owned === undefined")).isEqualTo(true);
        }
    }
}
