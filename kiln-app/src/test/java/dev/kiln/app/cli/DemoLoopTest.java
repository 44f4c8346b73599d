package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln demo loop}: the Seattle replay with monitoring-triggered pipeline runs, end to end on a real server. */
class DemoLoopTest {
    @TempDir
    Path home;

    @Test
    void theLoopRetrainsWhenAccuracyDropsAndReportsBothModelsPerQuarter() throws Exception {
        CliRun run = CliRun.of("demo", "loop", "--json", "--home", home.toString());
        assertThat(run.exitCode()).as(run.err() + run.out()).isZero();
        JsonNode r = BadInputTest.json(run.out());
        JsonNode quarters = r.get("quarters");
        assertThat(quarters).hasSize(8);
        int days = 0;
        for (JsonNode q : quarters) {
            days += q.get("days").asInt();
            assertThat(q.get("looping").asDouble()).isBetween(0.0, 1.0);
            assertThat(q.get("frozen").asDouble()).isBetween(0.0, 1.0);
        }
        assertThat(days).isEqualTo(730);
        double looping = 0;
        double frozen = 0;
        for (JsonNode q : quarters) {
            looping += q.get("looping").asDouble() * q.get("days").asInt();
            frozen += q.get("frozen").asDouble() * q.get("days").asInt();
        }
        assertThat(looping / days).as("retraining on the recent year follows the 2014 change of labels: " + r)
                .isGreaterThan(frozen / days + 0.05);
        JsonNode events = r.get("events");
        assertThat(events.size()).as("the 2014 label shift opens the alert at least once: " + r).isGreaterThanOrEqualTo(1);
        for (JsonNode e : events) {
            assertThat(e.get("trigger").asText()).isEqualTo("accuracy-dropped");
            assertThat(e.get("status").asText()).isIn("succeeded", "refused");
            assertThat(e.get("outcome").asText()).isNotBlank();
        }
        assertThat(events.findValuesAsText("status")).as("at least one candidate was promoted").contains("succeeded");
    }
}
