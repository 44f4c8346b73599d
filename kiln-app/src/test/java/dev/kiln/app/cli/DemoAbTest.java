package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kiln demo ab end to end: three versions under one name, compared on the same stream of applicants. */
class DemoAbTest {
    @TempDir
    Path home;

    @Test
    void aCanaryAndAShadowAreComparedWithProduction() throws Exception {
        CliRun run = CliRun.of("demo", "ab", "--json", "--home", home.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode r = BadInputTest.json(run.out());
        String production = r.get("versions").get("production").asText();
        String canary = r.get("versions").get("canary").asText();
        String shadow = r.get("versions").get("shadow").asText();
        int toProduction = r.get("answered").get(production).asInt();
        int toCanary = r.get("answered").get(canary).asInt();
        assertThat(toProduction + toCanary).isEqualTo(400);
        assertThat(r.get("answered").has(shadow)).as("the shadow answers nobody").isFalse();
        int expectedCanary = 0;
        for (int i = 600; i < 1_000; i++) {
            expectedCanary += dev.kiln.serve.ModelHost.bucket("applicant-" + i) < 5_000 ? 1 : 0;
        }
        assertThat(toCanary).as("the applicants whose key falls under 50%").isEqualTo(expectedCanary);

        JsonNode perf = r.get("performance");
        assertThat(perf.get("feedback_unmatched").asInt()).isZero();
        int labelled = 0;
        for (JsonNode v : perf.get("versions")) {
            assertThat(v.get("labelled").asInt()).isEqualTo(v.get("predictions").asInt());
            labelled += v.get("labelled").asInt();
        }
        assertThat(labelled).isEqualTo(400);
        assertThat(perf.get("shadows").get(0).get("version").asText()).isEqualTo(shadow);
        assertThat(perf.get("shadows").get(0).get("labelled").asInt()).as("the shadow scored every applicant").isEqualTo(400);
        assertThat(perf.get("comparisons").size()).isEqualTo(2);
        for (JsonNode c : perf.get("comparisons")) {
            assertThat(c.get("metric").asText()).isEqualTo("accuracy");
            assertThat(c.get("p_value").asDouble()).isBetween(0.0, 1.0);
            assertThat(c.get("ci_low").asDouble()).isLessThanOrEqualTo(c.get("difference").asDouble());
        }

        CliRun human = CliRun.of("demo", "ab", "--home", home.toString());
        assertThat(human.exitCode()).as(human.err()).isZero();
        assertThat(human.out()).contains("50% canary").contains("all (shadow)").contains("95% CI");
    }
}
