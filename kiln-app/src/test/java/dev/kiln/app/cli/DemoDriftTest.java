package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln demo drift}: the Seattle weather story runs end to end on the data shipped in the jar. */
class DemoDriftTest {
    @TempDir
    Path home;

    @Test
    void replaysTwoYearsThroughTheServerAndCatchesTheAccuracyCollapse() throws Exception {
        CliRun run = CliRun.of("demo", "drift", "--algorithms", "linear", "--json", "--home", home.toString());
        assertThat(run.exitCode()).as(run.err() + run.out()).isZero();
        JsonNode r = BadInputTest.json(run.out());
        assertThat(r.get("replayed").asInt()).isEqualTo(730);
        assertThat(Files.readAllLines(home.resolve("demo/seattle-weather/train-2012-2013.csv"))).hasSize(732);
        JsonNode timeline = r.get("timeline");
        assertThat(timeline.size()).isGreaterThanOrEqualTo(8);
        long rows = 0;
        for (JsonNode point : timeline) {
            rows += point.get("rows").asLong();
            assertThat(point.get("inputs").get("features")).hasSize(4);
            assertThat(point.get("prediction").get("type").asText()).isEqualTo("categorical");
        }
        assertThat(rows).isEqualTo(730);
        JsonNode v1 = r.get("performance").get("versions").get(0);
        assertThat(v1.get("labelled").asInt()).isEqualTo(730);
        double served = v1.get("metrics").get("accuracy").asDouble();
        assertThat(served).isLessThan(r.get("trained_accuracy").asDouble() - 0.05);
        JsonNode drop = null;
        for (JsonNode o : r.get("check").get("outcomes")) {
            if (o.get("rule").asText().equals("metric-drop")) {
                drop = o;
            }
        }
        assertThat(drop).isNotNull();
        assertThat(drop.get("status").asText()).isEqualTo("firing");
        assertThat(drop.get("evidence").get("metric").asText()).isEqualTo("accuracy");

        CliRun alerts = CliRun.of("monitor", "alerts", "--model", "seattle", "--home", home.toString());
        assertThat(alerts.out()).contains("metric-drop").contains("open");
        CliRun perf = CliRun.of("monitor", "performance", "--model", "seattle", "--time-column", "date", "--window", "30d",
                "--home", home.toString());
        assertThat(perf.exitCode()).as(perf.err()).isZero();
        assertThat(perf.out()).contains("by date").contains("accuracy");

        CliRun byQuarter = CliRun.of("drift", "--reference", "seattle", "--logs", "seattle", "--by", "3mo", "--time-column", "date",
                "--json", "--home", home.toString());
        assertThat(byQuarter.exitCode()).as(byQuarter.err()).isZero();
        JsonNode quarters = BadInputTest.json(byQuarter.out()).get("timeline");
        assertThat(quarters).hasSize(8);
        assertThat(quarters.get(0).get("start").asText()).startsWith("2014-01-01");
        assertThat(quarters.get(7).get("start").asText()).startsWith("2015-10-01");
        CliRun human = CliRun.of("drift", "--reference", "seattle", "--logs", "seattle", "--by", "1mo", "--time-column", "date",
                "--home", home.toString());
        assertThat(human.out()).contains("by 1mo of date:").contains("2015-12-01");
        assertThat(CliRun.of("drift", "--reference", "seattle", "--current", "x.csv", "--by", "1d", "--home", home.toString())
                .err()).contains("go with --logs");
    }
}
