package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kiln retrain records its run next to the source version's run, not under "default". */
class RetrainExperimentTest {
    @TempDir
    Path home;

    @Test
    void theRetrainRunGoesToTheSourceRunsExperimentUnlessOneIsNamed() throws IOException {
        Path data = QuickstartCommand.extractDataset(home.resolve("data"));
        CliRun train = CliRun.of("train", "--home", home.toString(), "--data", data.toString(), "--target", "class",
                "--algorithms", "linear", "--experiment", "credit-risk", "--register", "credit", "--json");
        assertThat(train.exitCode()).as(train.err()).isZero();

        CliRun retrain = CliRun.of("retrain", "credit:1", "--home", home.toString(), "--data", data.toString(), "--json");
        assertThat(retrain.exitCode()).as(retrain.err()).isZero();
        JsonNode r = BadInputTest.json(retrain.out());
        assertThat(r.get("experiment").asText()).isEqualTo("credit-risk");
        JsonNode run = BadInputTest.json(CliRun.of("runs", "show", r.get("run_id").asText(), "--home", home.toString(), "--json")
                .out()).get("run");
        assertThat(run.get("experiment").asText()).isEqualTo("credit-risk");

        CliRun named = CliRun.of("retrain", "credit:1", "--home", home.toString(), "--data", data.toString(),
                "--experiment", "refresh", "--json");
        assertThat(named.exitCode()).as(named.err()).isZero();
        assertThat(BadInputTest.json(named.out()).get("experiment").asText()).isEqualTo("refresh");
        assertThat(CliRun.of("retrain", "--help").out()).contains("--experiment", "source version's run");
    }
}
