package dev.kiln.app.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.app.lifecycle.Ingest;
import dev.kiln.app.pipeline.PipelineFile;
import dev.kiln.app.pipeline.PipelineRunner;
import dev.kiln.store.PipelineRecord;
import dev.kiln.store.StoredDataset;
import dev.kiln.train.ProgressListener;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /data, /data/NAME/VERSION and /pipelines in a real chromium: two ingested versions with their profiles and histograms,
 * a pipeline run three times (its data changed once, then nothing: stages skipped with their reasons), the validation
 * report, hostile column names and pipeline texts shown as text, and the data page at a phone's width.
 */
@Tag("slow")
class DataPipelinesBrowserTest {
    static final String SCRIPT = ShellBrowserTest.SCRIPT;
    static final String IMG = ShellBrowserTest.IMG;

    @TempDir
    Path dir;

    private List<String> credit() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/dev/kiln/app/quickstart/credit-g.csv")) {
            return List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"));
        }
    }

    private Path rows(Path out, int to) throws IOException {
        Files.createDirectories(out.getParent());
        return Files.write(out, new ArrayList<>(credit().subList(0, 1 + to)), StandardCharsets.UTF_8);
    }

    private static String csvField(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    @Test
    void emptyHomesSayWhatToRun() {
        try (UiServer server = UiServer.start(dir.resolve("home")); Browser b = Browser.launch(server.url())) {
            b.open("/data");
            b.waitForText(".empty", "./kiln data ingest credit data.csv");
            b.open("/pipelines");
            b.waitForText(".empty", "./kiln pipeline init --data data.csv --target class && ./kiln pipeline run");
            assertThat(b.consoleErrorList()).isEmpty();
        }
    }

    @Test
    void datasetsTheirProfilesAndPipelineRunsWithSkippedStages() throws Exception {
        try (UiServer server = UiServer.start(dir.resolve("home")); Browser b = Browser.launch(server.url())) {
            StoredDataset v1 = Ingest.ingest(server.store, "credit", rows(dir.resolve("a/credit.csv"), 700).toString(), null, dir, "ana");
            StoredDataset v2 = Ingest.ingest(server.store, "credit", rows(dir.resolve("b/credit.csv"), 1000).toString(), null, dir, "ana");
            Files.writeString(dir.resolve("hostile.csv"), csvField(SCRIPT) + "," + csvField(IMG) + "\n1,a\n,b\n3,a\n");
            StoredDataset hostile = Ingest.ingest(server.store, "hostile", dir.resolve("hostile.csv").toString(), null, dir, "ana");

            Path data = rows(dir.resolve("pipe/data/credit.csv"), 700);
            Path file = Files.writeString(dir.resolve("pipe/kiln.yaml"), """
                    name: credit
                    data: data/credit.csv
                    target: class
                    train:
                      algorithms: [baseline, linear]
                      seed: 0
                    gates:
                      max_regression: 0.2
                    """);
            run(server, file);
            rows(data, 1000); // new rows: the second run validates them against version 1 in production
            run(server, file);
            PipelineRunner.Result third = run(server, file);
            assertThat(third.stages().get(0).status()).isEqualTo("skipped");
            PipelineRecord odd = server.store.pipelines().start("oddities", "data", SCRIPT);
            server.store.pipelines().finish(odd.id(), PipelineRecord.REFUSED, IMG, List.of(
                    Map.of("stage", "ingest", "status", "ran", "seconds", 0.2, "message", "read " + SCRIPT + " [" + IMG + "]"),
                    Map.of("stage", "validate", "status", "refused", "seconds", 0.1, "message", "refused: " + IMG)));

            // /data: the datasets, the versions of the first; ?sha256= selects one
            b.open("/data");
            b.waitForText("td a", "credit");
            assertThat(b.texts("main h2")).contains("Datasets", "Versions of credit");
            b.waitForText("td a", v1.version().substring(0, 12));
            b.screenshot("data");
            b.open("/data?sha256=" + v1.version());
            b.waitForText(".selection", v1.version());
            assertThat(b.waitFor("tr.selected").getText()).contains(v1.version().substring(0, 12));
            b.click(".selection a");
            b.waitForUrl("/data/credit/" + v1.version());
            b.waitForText(".column-card h3", "duration");

            // a version: per-column cards with histograms and top values, and its validation report
            b.open("/data/credit/" + v2.version().substring(0, 10));
            b.waitForText(".column-card h3", "checking_status");
            new org.openqa.selenium.support.ui.WebDriverWait(b.driver(), java.time.Duration.ofSeconds(20))
                    .until(d -> b.all(".column-card figure.chart canvas").size() >= 21);
            assertThat(b.texts(".column-card h3")).hasSize(21);
            assertThat(b.waitForText(".column-card", "credit_amount").getText()).contains("0.0 % missing", "median", "mean");
            assertThat(b.texts(".column-card .u-title")).contains("Distribution of duration", "Most frequent values of purpose",
                    "Most frequent values of foreign_worker"); // a yes/no column: its answers, not a 0..1 histogram
            assertThat(b.waitForText(".column-card", "foreign_worker").getText()).contains("yes").doesNotContain("Distribution");
            b.waitForText(".validation", "warn");
            assertThat(b.waitForText(".validation", "out of range").getText()).contains("credit_amount", "e.g. row");
            b.screenshot("dataset");
            b.script("document.getElementById('col-0').scrollIntoView()");
            b.screenshot("dataset-columns");
            b.script("document.querySelector('.validation').scrollIntoView()");
            b.screenshot("dataset-validation");

            // hostile column names are text
            b.open("/data/hostile/" + hostile.version());
            b.waitForText(".column-card h3", SCRIPT);
            b.waitForText(".column-card h3", IMG);
            assertThat(b.waitForText("td", "33.3 %").getText()).contains("33.3 %");
            noInjection(b);

            // /pipelines: runs with stage chips, skipped stages with their reasons on hover and in text
            b.open("/pipelines");
            b.waitForText(".pipeline-run", "nothing trained, registered or promoted");
            List<String> chips = b.texts(".pipeline-run[data-run='" + third.record().id() + "'] .chip").stream()
                    .map(t -> t.replaceAll("\\s+", " ")).toList();
            assertThat(chips).as("the latest run of credit").contains("ingest skipped", "train skipped", "register skipped");
            String title = b.waitFor(".pipeline-run .chip.skipped").getAttribute("title");
            assertThat(title).matches("ingest skipped: unchanged \\(data [0-9a-f]{4}…\\)");
            assertThat(b.waitForText("details.reasons[open] li", "train skipped").getText()).contains("unchanged (data ");
            assertThat(b.all(".pipeline-run .chip.ran").stream().map(e -> e.getAttribute("title")))
                    .as("the run on new rows: why its stages ran").contains("ingest ran: data changed (" + v1.version().substring(0, 4)
                            + "… -> " + v2.version().substring(0, 4) + "…)");
            b.waitForText(".validation-line", "warn");
            b.screenshot("pipelines");
            b.script("document.querySelector(\".pipeline-run[data-run='" + third.record().id() + "']\").scrollIntoView()");
            b.screenshot("pipelines-credit");
            b.open("/pipelines/oddities");
            b.waitForText(".pipeline-run", SCRIPT);
            assertThat(b.waitFor(".pipeline-run .outcome").getText()).contains(IMG);
            assertThat(b.waitFor(".pipeline-run .chip.refused").getAttribute("title")).isEqualTo("validate refused: refused: " + IMG);
            noInjection(b);
            b.open("/pipelines/credit");
            b.waitForText("h1", "Pipeline credit");
            assertThat(b.all(".pipeline-run")).hasSize(3);
            b.click(".pipeline-run .dataset-line a");
            b.waitForUrl("/data/credit/" + v2.version());
            b.waitForText(".column-card h3", "duration");

            // a phone's width
            b.resize(390, 844);
            b.open("/data");
            b.waitForText("td a", "credit");
            assertThat((Boolean) b.script("return document.documentElement.scrollWidth <= window.innerWidth + 1"))
                    .as("no sideways scrolling of the page at 390 px").isTrue();
            b.screenshot("data-phone");
            b.open("/data/credit/" + v2.version());
            b.waitForText(".column-card h3", "duration");
            assertThat((Boolean) b.script("return document.documentElement.scrollWidth <= window.innerWidth + 1")).isTrue();
            b.screenshot("dataset-phone");
            b.open("/pipelines");
            b.waitForText(".pipeline-run", "skipped");
            assertThat((Boolean) b.script("return document.documentElement.scrollWidth <= window.innerWidth + 1")).isTrue();
            b.screenshot("pipelines-phone");
            assertThat(b.consoleErrorList()).as("no script errors or CSP violations").isEmpty();
        }
    }

    private static void noInjection(Browser b) {
        assertThat(b.all("main img")).isEmpty();
        assertThat(b.all("main script")).isEmpty();
        assertThat(b.script("return window.__owned === undefined")).isEqualTo(true);
    }

    private static PipelineRunner.Result run(UiServer server, Path file) {
        return PipelineRunner.run(server.store, PipelineFile.load(file), PipelineRunner.Trigger.manual(), null, "ana",
                ProgressListener.NONE, null);
    }
}
