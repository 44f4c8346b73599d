package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.app.Poll;
import dev.kiln.store.KilnStore;
import dev.kiln.store.PipelineRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a real {@code kiln pipeline run} process in the middle of a run: the next run resumes after the last
 * stage that finished, and the registry never holds a half-made or twin version.
 */
class PipelineKillTest {
    @TempDir
    Path dir;

    @Test
    void aKilledRunResumesAfterItsLastFinishedStage() throws Exception {
        Path home = dir.resolve(".kiln");
        QuickstartCommand.extractDataset(dir);
        Path file = dir.resolve("kiln.yaml");
        Files.writeString(file, """
                name: credit
                data: credit-g.csv
                target: class
                train:
                  algorithms: [baseline, linear, tree, forest, gbdt]
                gates:
                  max_regression: 0.05
                """);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.kiln.app.Main", "pipeline", "run", "--file", file.toString(),
                "--home", home.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        // Kill it once validate has finished, i.e. while it trains (or later, if training outran the poll).
        List<Map<String, Object>> reached = Poll.until(() -> stagesOfLatestRun(home),
                s -> s.size() >= 2 || !p.isAlive(), Duration.ofMinutes(3));
        assertThat(p.isAlive()).as("still running when killed: " + Files.readString(dir.resolve("out.txt"))).isTrue();
        p.destroyForcibly().waitFor();
        List<Map<String, Object>> finished = stagesOfLatestRun(home);
        assertThat(finished).as("the killed run recorded the stages it finished").hasSizeGreaterThanOrEqualTo(reached.size());

        try (KilnStore s = KilnStore.open(home, null)) {
            PipelineRecord killed = s.pipelines().runs("credit", 1).get(0);
            assertThat(killed.status()).isEqualTo(PipelineRecord.RUNNING);
            assertThat(killed.killed()).as("its process is gone").isTrue();
        }
        CliRun list = CliRun.of("pipeline", "runs", "--home", home.toString(), "--json");
        assertThat(BadInputTest.json(list.out()).get(0).get("status").asText()).isEqualTo("killed");

        CliRun resumed = CliRun.of("pipeline", "run", "--file", file.toString(), "--home", home.toString(), "--json");
        assertThat(resumed.exitCode()).as(resumed.err() + resumed.out()).isZero();
        JsonNode stages = BadInputTest.json(resumed.out()).get("stages");
        for (int i = 0; i < finished.size(); i++) {
            assertThat(stages.get(i).get("status").asText()).as("stage %s finished before the kill", finished.get(i).get("stage"))
                    .isEqualTo("skipped");
        }
        assertThat(stages.get(finished.size()).get("status").asText()).as("the stage that was killed runs again").isEqualTo("ran");
        try (KilnStore s = KilnStore.open(home, null)) {
            assertThat(s.registry().versions("credit")).as("one version, no twin").hasSize(1);
            assertThat(s.registry().model("credit").orElseThrow().aliases()).containsEntry("production", 1);
            assertThat(s.registry().history("credit").stream().filter(e -> e.type().equals("alias_set")).count()).isEqualTo(1);
        }
    }

    private static List<Map<String, Object>> stagesOfLatestRun(Path home) {
        if (!Files.exists(home.resolve("kiln.db"))) {
            return List.of();
        }
        try (KilnStore s = KilnStore.open(home, null)) {
            List<PipelineRecord> runs = s.pipelines().runs("credit", 1);
            return runs.isEmpty() ? List.of() : runs.get(0).stages();
        }
    }
}
