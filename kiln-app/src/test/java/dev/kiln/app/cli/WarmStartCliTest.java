package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln retrain --warm-start} and {@code kiln train --warm-start-from}: a GBDT continued, its parent in the lineage. */
class WarmStartCliTest {
    @TempDir
    Path home;

    private CliRun kiln(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--home");
        all.add(home.toString());
        return CliRun.of(all.toArray(String[]::new));
    }

    @Test
    void aRetrainContinuesProductionAndTheLineageNamesIt() throws IOException {
        Path data = QuickstartCommand.extractDataset(home.resolve("data"));
        List<String> lines = Files.readAllLines(data, StandardCharsets.UTF_8);
        Path older = Files.write(home.resolve("older.csv"), lines.subList(0, 701));
        List<String> newerLines = new ArrayList<>(lines.subList(0, 1));
        newerLines.addAll(lines.subList(701, lines.size()));
        newerLines.addAll(lines.subList(1, 301));
        Path newer = Files.write(home.resolve("newer.csv"), newerLines);

        CliRun train = kiln("train", "--data", older.toString(), "--target", "class", "--algorithms", "gbdt",
                "--register", "credit", "--json");
        assertThat(train.exitCode()).as(train.err()).isZero();
        assertThat(kiln("models", "alias", "credit", "production", "1").exitCode()).isZero();
        String parentSha = BadInputTest.json(kiln("models", "show", "credit:1", "--json").out()).get("bundle_sha256").asText();

        CliRun retrain = kiln("retrain", "credit@production", "--data", newer.toString(), "--warm-start", "--json");
        assertThat(retrain.exitCode()).as(retrain.err()).isZero();
        JsonNode r = BadInputTest.json(retrain.out());
        assertThat(r.get("registered").get("version").asInt()).isEqualTo(2);
        assertThat(r.get("config").get("warm_start_from").asText()).isEqualTo("credit:1");
        assertThat(r.get("training").get("leaderboard").size()).isEqualTo(2);
        String runId = r.get("run_id").asText();
        JsonNode params = BadInputTest.json(kiln("runs", "show", runId, "--json").out()).get("run").get("params");
        assertThat(params.get("warm_start_from").asText()).isEqualTo("credit:1");

        JsonNode lineage = BadInputTest.json(kiln("lineage", "credit:2", "--json").out());
        assertThat(lineage.get("parent").get("version").asText()).isEqualTo("credit:1");
        assertThat(lineage.get("parent").get("bundle_sha256").asText()).isEqualTo(parentSha);
        assertThat(kiln("lineage", "credit:2").out()).contains("warm start: continued credit:1 (bundle sha256 " + parentSha);
        assertThat(kiln("lineage", "credit:1").out()).doesNotContain("warm start");
        assertThat(BadInputTest.json(kiln("models", "show", "credit:2", "--json").out()).get("warm_start_from").asText())
                .isEqualTo("credit:1");
        assertThat(BadInputTest.json(kiln("models", "show", "credit:1", "--json").out()).has("warm_start_from")).isFalse();

        // The warm candidate goes through production's gates like any other: lift over its own baseline, not worse
        // than the holder. Whether it passes depends on the data; that the gates were checked does not.
        CliRun promote = kiln("models", "alias", "credit", "production", "2", "--json");
        assertThat(promote.exitCode()).as(promote.err() + promote.out()).isIn(0, 4);
        assertThat(promote.out() + promote.err()).containsIgnoringCase("lift");

        // kiln train --warm-start-from: a registry reference or a bundle directory
        CliRun warmTrain = kiln("train", "--data", newer.toString(), "--target", "class", "--warm-start-from",
                "credit:1", "--json");
        assertThat(warmTrain.exitCode()).as(warmTrain.err()).isZero();
        JsonNode report = BadInputTest.json(warmTrain.out());
        assertThat(report.get("notes").toString()).contains("not trained: linear, tree, forest");
        String bundle = report.get("bundle").asText();
        CliRun fromDir = kiln("train", "--data", newer.toString(), "--target", "class", "--warm-start-from", bundle);
        assertThat(fromDir.exitCode()).as(fromDir.err()).isZero();
    }

    @Test
    void aNonGbdtModelCannotBeContinued() throws IOException {
        Path data = QuickstartCommand.extractDataset(home.resolve("data"));
        assertThat(kiln("train", "--data", data.toString(), "--target", "class", "--algorithms", "linear",
                "--register", "lin").exitCode()).isZero();
        CliRun retrain = kiln("retrain", "lin:1", "--data", data.toString(), "--warm-start");
        assertThat(retrain.exitCode()).isEqualTo(2);
        assertThat(retrain.err()).contains("cannot warm-start from lin:1: it is a 'linear' model");
        CliRun train = kiln("train", "--data", data.toString(), "--target", "class", "--warm-start-from", "nothing@production");
        assertThat(train.exitCode()).isEqualTo(3);
    }
}
