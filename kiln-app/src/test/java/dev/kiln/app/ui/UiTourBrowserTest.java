package dev.kiln.app.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.app.cli.Cli;
import dev.kiln.app.cli.InProcessServe;
import dev.kiln.app.server.MonitoredModel;
import dev.kiln.app.server.MonitoringSources;
import dev.kiln.serve.InferenceServer;
import dev.kiln.store.Run;
import dev.kiln.store.StoredDataset;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every page of the UI over one home made the way a user makes it (kiln quickstart, a dataset ingested, a pipeline run,
 * a served model with its prediction log and an alert, a running kiln serve): each page opens with no script error, is
 * photographed at 1280 px (whole page) and at a phone's 390 px, and its weight is measured with a cold cache (what the
 * browser transferred: the HTML, scripts, styles and API answers). The figures go to target/ui-screenshots/page-weights.txt.
 */
@Tag("slow")
class UiTourBrowserTest {
    @TempDir
    Path home;
    @TempDir
    Path logs;

    private static void cli(String... args) {
        CommandLine cl = Cli.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        int code = cl.execute(args);
        assertThat(code).as("kiln " + String.join(" ", args) + ":\n" + out).isZero();
    }

    /** The outermost elements that stick out of the page's width and are not inside a sideways-scrolling box. */
    private static final String WIDEST = "const w = document.documentElement.clientWidth; const out = [];"
            + "const scrolls = (el) => { for (let a = el.parentElement; a; a = a.parentElement) {"
            + "  const o = getComputedStyle(a).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; } return false; };"
            + "for (const el of document.querySelectorAll('body *')) { const r = el.getBoundingClientRect();"
            + "  if (r.right > w + 1 && !scrolls(el) && !(el.parentElement && el.parentElement.getBoundingClientRect().right > w + 1))"
            + "    out.push(el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined ? '.' + el.className : '') + ' right=' + Math.round(r.right)); }"
            + "return out.slice(0, 6).join('; ');";

    /** A page to visit: its path, and an element that is there once the page has its data. */
    record Stop(String name, String path, String ready) {
    }

    @Test
    void everyPageOpensCleanlyAtBothWidthsAndItsWeightIsRecorded() throws IOException {
        String h = home.toString();
        cli("quickstart", "--home", h, "--json");
        Path data = home.resolve("quickstart").resolve("credit-g.csv");
        assertThat(data).exists();
        cli("data", "ingest", "credit-g", data.toString(), "--home", h);
        Path yaml = home.resolve("kiln.yaml");
        cli("pipeline", "init", "--data", data.toString(), "--target", "class", "--name", "credit-pipeline", "-f", yaml.toString());
        cli("pipeline", "run", "-f", yaml.toString(), "--home", h);

        Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(12));
        MonitoredModel.writeLog(logs, "scoring", start, 12, 100, "income", "tenure_months");
        try (UiServer server = UiServer.start(home, MonitoringSources.of(List.of(logs)))) {
            Path scoring = MonitoredModel.bundle("income", "tenure_months");
            server.store.registry().register("scoring", scoring, null, "tour", "first");
            server.store.registry().register("scoring", scoring, null, "tour", "second");
            server.store.alerts().fire("scoring", 1, "feature-psi", "feature_psi", "warning", "PSI of amount above 0.2",
                    Map.of("threshold", 0.2, "rows", 100, "features", List.of(Map.of("name", "amount", "psi", 4.1))), Instant.now());

            List<Run> runs = server.store.tracking().runs(null, 200);
            Run parent = runs.stream().filter(r -> r.parentRunId() == null && "search".equals(r.tags().get("kiln.kind"))).findFirst().orElseThrow();
            List<Run> children = runs.stream().filter(r -> parent.id().equals(r.parentRunId())).toList();
            assertThat(children).hasSizeGreaterThanOrEqualTo(2);
            StoredDataset dataset = server.store.datasets().versions("credit-g").get(0);

            try (InferenceServer serve = InProcessServe.start(Duration.ofSeconds(1), "--home", h, "--port", "0", "--model", "credit=credit");
                 Browser b = Browser.launch(server.url())) {
                List<Stop> stops = List.of(
                        new Stop("home", "/", "section h2"),
                        new Stop("runs", "/runs", "table tbody tr"),
                        new Stop("run", "/runs/" + parent.id(), ".uplot"),
                        new Stop("compare", "/compare?runs=" + children.get(0).id() + "," + children.get(1).id(), "table tbody tr"),
                        new Stop("models", "/models", "table tbody tr"),
                        new Stop("model", "/models/credit", "table tbody tr"),
                        new Stop("monitoring", "/models/scoring/monitoring?window=hour", "table.heat"),
                        new Stop("deployments", "/deployments", ".badge"),
                        new Stop("data", "/data", "table tbody tr"),
                        new Stop("dataset", "/data/credit-g/" + dataset.version(), ".uplot"),
                        new Stop("pipelines", "/pipelines", ".chip"));
                Map<String, Long> weights = new LinkedHashMap<>();
                List<String> problems = new ArrayList<>();
                for (Stop stop : stops) {
                    b.driver().executeCdpCommand("Network.clearBrowserCache", Map.of());
                    b.resize(1280, 900);
                    b.open(stop.path());
                    b.waitFor(stop.ready());
                    b.waitForGone(".loading");
                    weights.put(stop.name(), b.transferredBytes());
                    b.fullScreenshot("tour-" + stop.name());
                    List<String> errors = b.consoleErrorList();
                    if (!errors.isEmpty()) {
                        problems.add(stop.path() + ": " + errors);
                    }
                    b.resize(390, 844);
                    b.waitFor(stop.ready());
                    Number overflow = (Number) b.script("return document.documentElement.scrollWidth - document.documentElement.clientWidth");
                    if (overflow.intValue() > 1) {
                        problems.add(stop.path() + " scrolls sideways at 390 px by " + overflow + " px: " + b.script(WIDEST));
                    }
                    b.screenshot("tour-" + stop.name() + "-phone");
                }
                StringBuilder report = new StringBuilder("page\tKB transferred (cold cache)\n");
                weights.forEach((page, bytes) -> report.append(page).append('\t').append(String.format("%.1f", bytes / 1024.0)).append('\n'));
                Files.createDirectories(Browser.SCREENSHOTS);
                Files.writeString(Browser.SCREENSHOTS.resolve("page-weights.txt"), report);
                System.out.println(report);
                assertThat(problems).as("script errors, CSP violations, sideways scrolling").isEmpty();
                assertThat(weights.values()).allSatisfy(bytes -> assertThat(bytes).as("a page's weight").isPositive());
                assertThat(serve.port()).isPositive();
            }
        }
    }
}
