package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.app.lifecycle.Retraining;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln retrain}: the recorded configuration on new data, registered as a candidate, aliases untouched. */
class RetrainCommandTest {
    @TempDir
    Path home;

    private CliRun kiln(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--home");
        all.add(home.toString());
        return CliRun.of(all.toArray(String[]::new));
    }

    @Test
    void retrainsWithTheRecordedConfigurationAndMovesNoAlias() throws IOException {
        Path data = QuickstartCommand.extractDataset(home.resolve("data"));
        CliRun train = kiln("train", "--data", data.toString(), "--target", "class", "--algorithms", "linear,tree",
                "--split", "stratified", "--exclude", "own_telephone", "--cost-fp", "1", "--cost-fn", "5", "--seed", "7",
                "--slice-by", "foreign_worker", "--register", "credit", "--json");
        assertThat(train.exitCode()).as(train.err()).isZero();
        assertThat(BadInputTest.json(train.out()).get("slices").get(0).get("column").asText()).isEqualTo("foreign_worker");
        String firstRun = BadInputTest.json(train.out()).get("run_id").asText();
        CliRun promote = kiln("models", "alias", "credit", "production", "1");
        assertThat(promote.exitCode()).as(promote.err() + promote.out()).isZero();

        List<String> lines = Files.readAllLines(data, StandardCharsets.UTF_8);
        Path newer = Files.write(home.resolve("newer.csv"), lines.subList(0, 801));

        CliRun retrain = kiln("retrain", "credit", "--data", newer.toString(), "--experiment", "refresh", "--json");
        assertThat(retrain.exitCode()).as(retrain.err()).isZero();
        JsonNode r = BadInputTest.json(retrain.out());
        assertThat(r.get("source").get("version").asInt()).isEqualTo(1);
        assertThat(r.get("source").get("run_id").asText()).isEqualTo(firstRun);
        assertThat(r.get("registered").get("name").asText()).isEqualTo("credit");
        assertThat(r.get("registered").get("version").asInt()).isEqualTo(2);
        assertThat(r.get("promote_command").asText()).isEqualTo("kiln models alias credit production 2");
        JsonNode config = r.get("config");
        assertThat(config.get("target").asText()).isEqualTo("class");
        assertThat(config.get("split").asText()).isEqualTo("stratified");
        assertThat(config.get("seed").asLong()).isEqualTo(7);
        assertThat(config.get("algorithms").toString()).isEqualTo("[\"linear\",\"tree\"]");
        assertThat(config.get("exclude").toString()).isEqualTo("[\"own_telephone\"]");
        assertThat(config.get("slice_by").toString()).isEqualTo("[\"foreign_worker\"]");
        assertThat(config.get("cost_fn").asDouble()).isEqualTo(5.0);
        assertThat(r.get("pinned").get("task").asText()).isEqualTo("binary");
        assertThat(r.get("pinned").get("positive_class").asText()).isEqualTo("bad");
        assertThat(r.get("training").get("rows").asInt()).isEqualTo(800);

        String runId = r.get("run_id").asText();
        JsonNode run = BadInputTest.json(kiln("runs", "show", runId, "--json").out()).get("run");
        assertThat(run.get("experiment").asText()).isEqualTo("refresh");
        assertThat(run.get("tags").get(Retraining.RETRAIN_TAG).asText()).isEqualTo("credit:1");
        assertThat(run.get("tags").get(Retraining.SOURCE_RUN_TAG).asText()).isEqualTo(firstRun);
        JsonNode params = run.get("params");
        assertThat(params.get("target").asText()).isEqualTo("class");
        assertThat(params.get("algorithms").asText()).isEqualTo("linear,tree");
        assertThat(params.get("split").asText()).isEqualTo("stratified");
        assertThat(params.get("exclude").asText()).isEqualTo("own_telephone");
        assertThat(params.get("slice_by").asText()).isEqualTo("foreign_worker");
        assertThat(params.get("data").asText()).endsWith("newer.csv");

        JsonNode v2 = BadInputTest.json(kiln("models", "show", "credit:2", "--json").out());
        assertThat(v2.get("source_run").asText()).isEqualTo(runId);
        assertThat(v2.get("aliases").size()).isZero();
        JsonNode production = BadInputTest.json(kiln("models", "show", "credit", "--json").out());
        assertThat(production.get("version").asInt()).isEqualTo(1);

        // human output, a seed override and another name
        CliRun again = kiln("retrain", "credit:1", "--data", newer.toString(), "--seed", "11", "--register-as", "credit-b");
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).contains("retrained credit:1", "seed: 11", "algorithms: linear,tree",
                "registered: credit-b:1 (no alias moved)", "promote with: kiln models alias credit-b production 1",
                "kept as credit:1 had it");
    }

    @Test
    void aBadReferenceIsNotFoundAndDataWithoutTheTargetNamesIt() throws IOException {
        Path data = QuickstartCommand.extractDataset(home.resolve("data"));
        CliRun missing = kiln("retrain", "nosuch", "--data", data.toString());
        assertThat(missing.exitCode()).isEqualTo(3);
        assertThat(missing.err()).contains("nosuch").doesNotContain("Exception");

        CliRun train = kiln("train", "--data", data.toString(), "--target", "class", "--algorithms", "linear",
                "--register", "credit");
        assertThat(train.exitCode()).as(train.err()).isZero();
        CliRun noVersion = kiln("retrain", "credit:9", "--data", data.toString());
        assertThat(noVersion.exitCode()).isEqualTo(3);

        List<String> noTarget = new ArrayList<>();
        int target = Arrays.asList(Files.readAllLines(data).get(0).split(",")).indexOf("class");
        for (String line : Files.readAllLines(data).subList(0, 300)) {
            List<String> cells = new ArrayList<>(Arrays.asList(line.split(",", -1)));
            cells.remove(target);
            noTarget.add(String.join(",", cells));
        }
        Path unlabelled = Files.write(home.resolve("unlabelled.csv"), noTarget);
        CliRun bad = kiln("retrain", "credit:1", "--data", unlabelled.toString());
        assertThat(bad.exitCode()).as(bad.err()).isEqualTo(2);
        assertThat(bad.err()).contains("error [column_missing]", "'class'").doesNotContain("Exception");
        CliRun json = kiln("retrain", "credit:1", "--data", unlabelled.toString(), "--json");
        assertThat(json.exitCode()).isEqualTo(2);
        assertThat(BadInputTest.json(json.out()).get("error").get("code").asText()).isEqualTo("column_missing");
        assertThat(kiln("models", "list", "--json").out()).doesNotContain("\"latestVersion\" : 2");
        // the failed retrain's run is tracked as FAILED and carries the retrain marker
        JsonNode runs = BadInputTest.json(kiln("runs", "list", "--json").out());
        long markedFailed = 0;
        for (JsonNode run : runs) {
            if (run.path("tags").path(Retraining.RETRAIN_TAG).asText("").equals("credit:1")) {
                assertThat(run.get("status").asText()).isEqualTo("FAILED");
                markedFailed++;
            }
        }
        assertThat(markedFailed).isEqualTo(2);
    }

    @Test
    void helpDescribesTheCommand() {
        CliRun help = CliRun.of("retrain", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("REF", "--data", "--seed", "--register-as", "--experiment", "--home", "--store",
                "retrain_of=NAME:VERSION", "Exit codes");
        assertThat(CliRun.of("--help").out()).contains("retrain");
    }
}
