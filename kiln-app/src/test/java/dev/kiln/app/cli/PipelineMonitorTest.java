package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.app.pipeline.PipelineFile;
import dev.kiln.app.pipeline.PipelineMonitor;
import dev.kiln.app.pipeline.PipelineSpec;
import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.serve.InferenceServer;
import dev.kiln.serve.ModelHost;
import dev.kiln.serve.PredictionLog;
import dev.kiln.store.Alert;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelRef;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kiln.yaml's {@code monitor} section under the watch: its rules checked on the served model's log open an alert in the
 * store — the alert a rule named in {@code triggers.on_alerts} starts a pipeline run on.
 */
class PipelineMonitorTest {
    @TempDir
    Path dir;

    @Test
    void theMonitorSectionOpensTheAlertThatTriggersTheNextRun() throws Exception {
        Path home = dir.resolve(".kiln");
        Path data = QuickstartCommand.extractDataset(dir);
        Path file = dir.resolve("kiln.yaml");
        Files.writeString(file, """
                name: credit
                data: credit-g.csv
                target: class
                train:
                  algorithms: [baseline, linear]
                triggers:
                  on_alerts: [accuracy-dropped]
                monitor:
                  window: 1h
                  every: 1m
                  rules:
                    - {name: accuracy-dropped, kind: metric_drop, metric: accuracy, threshold: 0.05, min_labelled: 50}
                """);
        CliRun run = CliRun.of("pipeline", "run", "--file", file.toString(), "--home", home.toString());
        assertThat(run.exitCode()).as(run.err() + run.out()).isZero();
        PipelineSpec spec = PipelineFile.load(file);
        List<String> said = new ArrayList<>();
        try (KilnStore s = KilnStore.open(home, null)) {
            PipelineMonitor monitor = new PipelineMonitor(s, spec, said::add);
            monitor.run(); // nothing served yet: nothing to check, no alert
            assertThat(s.alerts().list("credit", true, 10)).isEmpty();

            ModelHost host = new ModelHost();
            host.load("credit", s.registry().bundlePath(s.registry().resolve(ModelRef.parse("credit"))), "1");
            DataFrame frame = DataReader.read(data);
            HttpClient http = HttpClient.newHttpClient();
            try (InferenceServer server = InferenceServer.start(host, null, 0, new PredictionLog(monitor.logDir()))) {
                for (int i = 0; i < 120; i++) {
                    Map<String, Object> row = new LinkedHashMap<>(frame.row(i));
                    String label = (String) row.remove("class");
                    row.replaceAll((k, v) -> v instanceof Double d && d.isNaN() ? null : v);
                    JsonNode answer = DriftDemo.post(http, server.port(), "credit:predict", Map.of("instances", List.of(row)), 200);
                    // the world changed: every label is now the other class
                    DriftDemo.post(http, server.port(), "credit:feedback", Map.of("request_id",
                            answer.get("request_id").asText(), "label", label.equals("good") ? "bad" : "good"), 202);
                }
            }
            monitor.run();
            List<Alert> open = s.alerts().list("credit", true, 10);
            assertThat(open).extracting(Alert::rule).as(String.join("\n", said)).containsExactly("accuracy-dropped");
            assertThat(said).anySatisfy(line -> assertThat(line).contains("monitor: rule accuracy-dropped firing"));
        }
    }
}
