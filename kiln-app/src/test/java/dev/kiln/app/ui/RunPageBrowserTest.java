package dev.kiln.app.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.app.cli.Cli;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The run page in a real chromium over a run made by {@code kiln train} through the CLI (credit-g, stored in the
 * dataset store first, registered as a model): every section with its charts; and a hand-logged run with hostile
 * names, shown as text, its report sections saying why they are empty.
 */
@Tag("slow")
class RunPageBrowserTest {
    static final String SCRIPT = "<script>window.__owned=1</script>";
    static final String IMG = "\"><img src=x onerror=\"window.__owned=2\">";

    @TempDir
    static Path home;
    @TempDir
    static Path work;
    static String runId;

    @BeforeAll
    static void train() throws IOException {
        Path data = work.resolve("credit-g.csv");
        try (InputStream in = RunPageBrowserTest.class.getResourceAsStream("/dev/kiln/app/quickstart/credit-g.csv")) {
            Files.copy(in, data);
        }
        cli("data", "ingest", "credit-g", data.toString(), "--home", home.toString());
        cli("train", "--home", home.toString(), "--data", data.toString(), "--target", "class", "--experiment", "credit",
                "--algorithms", "baseline,linear,tree", "--slice-by", "personal_status", "--cost-fp", "1", "--cost-fn", "5",
                "--register", "credit");
        try (UiServer server = UiServer.start(home)) {
            runId = server.store.tracking().runs("credit", 100).stream().filter(r -> r.parentRunId() == null)
                    .findFirst().orElseThrow().id();
        }
    }

    private static void cli(String... args) {
        CommandLine cl = Cli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        assertThat(code).as(String.join(" ", args) + "\n" + out + err).isZero();
    }

    @Test
    void aTrainingRunShowsEverySectionWithItsCharts() {
        try (UiServer server = UiServer.start(home); Browser b = Browser.launch(server.url())) {
            b.open("/runs/" + runId);
            b.waitForText("h1", "train credit-g.csv");
            b.waitForText(".run-header", "finished");
            for (String title : new String[] {"Parameters", "Metrics", "Tags", "Training summary", "Dataset and model versions",
                    "Leaderboard", "Confusion matrix", "ROC and precision-recall", "Slices and fairness gaps",
                    "What drives the model", "Business cost", "Data profile", "Child runs"}) {
                b.waitForText("section h2", title);
            }
            // The metric's series by step and by time, the ROC, PR and calibration curves, importances and a profile
            // histogram: uPlot draws each on a canvas.
            b.waitFor(".run-metric-charts canvas");
            assertThat(b.all(".run-metric-charts figure.chart")).hasSize(2);
            b.waitFor(".run-roc canvas");
            b.waitFor(".run-pr canvas");
            b.waitFor(".run-calibration canvas");
            b.waitFor(".run-importance canvas");
            b.waitFor(".run-profile-chart canvas");
            b.waitForText(".run-roc .u-legend", "AUC 0.");
            b.waitForText(".run-pr .u-legend", "AP 0.");
            // The confusion matrix with the class labels; the chosen candidate marked and linked to its child run.
            assertThat(b.texts(".run-confusion table.heat thead th")).contains("good", "bad");
            assertThat(b.texts(".run-confusion table.heat tbody th")).containsExactly("good", "bad");
            b.waitForText("td .badge.ok", "chosen");
            assertThat(b.all("section a[href^='/runs/']").size()).isGreaterThanOrEqualTo(3);
            b.waitForText("td", "personal_status");
            b.waitForText(".run-interval", "[");
            b.waitForText("a.run-dataset-link", "credit-g @ ");
            assertThat(b.waitFor("a.run-dataset-link").getAttribute("href")).contains("/data?sha256=");
            b.waitForText(".run-model-versions a", "credit version 1");
            assertThat(b.waitFor(".run-model-versions a").getAttribute("href")).endsWith("/models/credit");

            // Another metric from the picker; the deep link keeps it.
            b.script("const s = document.getElementById('run-metric-picker'); s.value = 'test_accuracy';"
                    + " s.dispatchEvent(new Event('change'));");
            b.waitForText(".run-metric-charts .u-title", "test_accuracy by step");
            b.waitForUrl("metric=test_accuracy");
            assertThat(b.consoleErrorList()).as("no script errors or CSP violations").isEmpty();
            b.fullScreenshot("run");

            b.resize(390, 844);
            b.open("/runs/" + runId);
            b.waitFor(".run-roc canvas");
            b.fullScreenshot("run-phone");
            assertThat(b.script("return [...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right"
                    + " > window.innerWidth + 1 && !e.closest('.table-wrap')).slice(0, 5).map((e) => e.tagName + '.' + e.className)"))
                    .as("nothing but a table's own scroller wider than the 390 px page").asList().isEmpty();

            // A candidate's page: its parent linked, the search's report shown.
            b.resize(1280, 900);
            b.click("section a[href^='/runs/']:not(.run-parent)");
            b.waitFor("a.run-parent");
            b.waitForText(".run-header", "one algorithm of its parent's search");
        }
    }

    @Test
    void aHandLoggedRunShowsWhatUsersWroteAsTextAndSaysWhyItHasNoReport() {
        try (UiServer server = UiServer.start(home); Browser b = Browser.launch(server.url())) {
            var tracking = server.store.tracking();
            String id = tracking.startRun(SCRIPT, null, IMG, Map.of(IMG, SCRIPT)).id();
            tracking.logParams(id, Map.of(SCRIPT, IMG));
            tracking.logMetric(id, SCRIPT, 0.5, 1);
            tracking.logMetric(id, SCRIPT, 0.25, 2);
            b.open("/runs/" + id);
            b.waitForText("h1", IMG);
            b.waitForText("td", SCRIPT);
            b.waitForText("td", IMG);
            b.waitForText(".empty", "No training report");
            b.waitForText(".run-metric-charts .u-title", SCRIPT + " by step");
            b.waitFor(".run-metric-charts canvas");
            assertThat(b.all("main img")).isEmpty();
            assertThat(b.all("main script")).isEmpty();
            assertThat(b.script("return window.__owned === undefined")).isEqualTo(true);
            assertThat(b.consoleErrorList()).as("only the report's 404, which the page expects")
                    .allMatch(e -> e.contains("/report") && e.contains("404"));
            b.screenshot("run-by-hand");

            b.open("/runs/00000000-0000-0000-0000-000000000000");
            b.waitForText(".error", "run_not_found");
        }
    }
}
