package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.store.Alert;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln pipeline}: init, run with the stage cache, status, runs, refusals and bad input, as a user meets them. */
class PipelineCommandTest {
    @TempDir
    Path dir;
    Path home;
    Path file;
    List<String> all;

    @BeforeEach
    void setUp() throws IOException {
        home = dir.resolve(".kiln");
        file = dir.resolve("kiln.yaml");
        Path data = QuickstartCommand.extractDataset(dir.resolve("data"));
        all = Files.readAllLines(data, StandardCharsets.UTF_8);
        write(dir.resolve("data/credit.csv"), 0, 700);
        Files.delete(data);
    }

    private void write(Path out, int from, int to) throws IOException {
        List<String> rows = new ArrayList<>();
        rows.add(all.get(0));
        rows.addAll(all.subList(1 + from, 1 + to));
        Files.write(out, rows, StandardCharsets.UTF_8);
    }

    private CliRun kiln(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.add("--home");
        a.add(home.toString());
        return CliRun.of(a.toArray(String[]::new));
    }

    private void pipelineFile(String extra) throws IOException {
        Files.writeString(file, """
                name: credit
                data: data/credit.csv
                target: class
                train:
                  algorithms: [baseline, linear]
                  seed: 0
                gates:
                  max_regression: 0.05
                """ + extra);
    }

    private List<ModelVersion> versions() {
        try (KilnStore s = KilnStore.open(home, null)) {
            return s.registry().model("credit").isPresent() ? s.registry().versions("credit") : List.of();
        }
    }

    private static String statuses(JsonNode run) {
        List<String> out = new ArrayList<>();
        run.get("stages").forEach(s -> out.add(s.get("stage").asText() + "=" + s.get("status").asText()));
        return String.join(" ", out);
    }

    @Test
    void initWritesAFileThatRunsAndASecondRunChangesNothing() throws Exception {
        CliRun init = CliRun.of("pipeline", "init", "--data", dir.resolve("data/credit.csv").toString(), "--target", "class",
                "--name", "credit", "--file", file.toString());
        assertThat(init.exitCode()).as(init.err()).isZero();
        assertThat(Files.readString(file)).contains("name: credit", "data: data/credit.csv", "target: class", "roc_auc");
        assertThat(CliRun.of("pipeline", "init", "--data", dir.resolve("data/credit.csv").toString(), "--target", "class",
                "--file", file.toString()).err()).contains("exists; use --force");
        pipelineFile("");

        CliRun first = kiln("pipeline", "run", "--file", file.toString());
        assertThat(first.exitCode()).as(first.err() + first.out()).isZero();
        assertThat(first.out()).contains("ingest: dataset credit@", "train: run ", "register: registered credit:1",
                "promote: credit@production -> version 1", "succeeded: promoted credit:1 to production");
        assertThat(versions()).hasSize(1);
        assertThat(versions().get(0).datasetSha256()).as("the version points to the ingested dataset")
                .isEqualTo(dev.kiln.data.DatasetVersion.sha256(dir.resolve("data/credit.csv")));

        CliRun datasets = kiln("data", "versions", "credit", "--json");
        assertThat(datasets.exitCode()).as(datasets.err()).isZero();
        assertThat(BadInputTest.json(datasets.out()).get(0).get("version").asText()).isEqualTo(versions().get(0).datasetSha256());
        Path copy = dir.resolve("copy.csv");
        CliRun get = kiln("data", "get", versions().get(0).datasetSha256().substring(0, 8), "--out", copy.toString());
        assertThat(get.exitCode()).as(get.err()).isZero();
        assertThat(Files.readAllLines(copy)).as("the data a version learnt from can be read back").hasSize(701);

        CliRun second = kiln("pipeline", "run", "--file", file.toString(), "--json");
        assertThat(second.exitCode()).as(second.err()).isZero();
        JsonNode r = BadInputTest.json(second.out());
        assertThat(statuses(r)).isEqualTo("ingest=skipped validate=skipped train=skipped evaluate=skipped register=skipped promote=skipped");
        assertThat(r.get("outcome").asText()).isEqualTo("nothing changed: every stage was skipped");
        assertThat(r.get("stages").get(2).get("message").asText()).matches("unchanged \\(data [0-9a-f]{4}…, config [0-9a-f]{4}…\\), skipped: .*");
        assertThat(versions()).as("nothing registered").hasSize(1);

        CliRun status = kiln("pipeline", "status", "--file", file.toString());
        assertThat(status.out()).contains("train: unchanged (data ", "would be skipped");

        // new rows: the data's version changes, so everything after ingest runs again
        write(dir.resolve("data/credit.csv"), 0, 1000);
        CliRun plan = kiln("pipeline", "status", "--file", file.toString(), "--json");
        JsonNode p = BadInputTest.json(plan.out());
        assertThat(statuses(p)).isEqualTo("ingest=would_run validate=not_run train=not_run evaluate=not_run register=not_run promote=not_run");
        assertThat(p.get("stages").get(0).get("message").asText()).contains("data changed (");
        CliRun third = kiln("pipeline", "run", "--file", file.toString(), "--json");
        JsonNode t = BadInputTest.json(third.out());
        assertThat(statuses(t)).as(third.out()).startsWith("ingest=ran validate=ran train=ran evaluate=ran register=ran");
        assertThat(versions()).hasSize(2);

        CliRun runs = kiln("pipeline", "runs", "credit", "--json");
        JsonNode list = BadInputTest.json(runs.out());
        assertThat(list).hasSize(3);
        assertThat(list.get(2).get("trigger").get("kind").asText()).isEqualTo("manual");
        assertThat(list.get(1).get("outcome").asText()).isEqualTo("nothing changed: every stage was skipped");
        assertThat(list.get(0).get("stages")).hasSize(6);
        assertThat(list.get(0).get("stages").get(2).get("key").asText()).matches("[0-9a-f]{64}");
        assertThat(kiln("pipeline", "runs").out()).contains("succeeded", "manual", "train=skipped");
    }

    @Test
    void aDirectoryOfFilesIsOneDatasetAndANewFileIsANewVersion() throws Exception {
        Path batches = dir.resolve("batches");
        Files.createDirectories(batches);
        write(batches.resolve("2026-01.csv"), 0, 400);
        write(batches.resolve("2026-02.csv"), 400, 700);
        pipelineFile("");
        Files.writeString(file, Files.readString(file).replace("data/credit.csv", "batches/"));
        CliRun first = kiln("pipeline", "run", "--file", file.toString());
        assertThat(first.exitCode()).as(first.err() + first.out()).isZero();
        assertThat(first.out()).contains("(2 files, ");
        write(batches.resolve("2026-03.csv"), 700, 1000);
        CliRun second = kiln("pipeline", "run", "--file", file.toString(), "--json");
        assertThat(second.exitCode()).as(second.err() + second.out()).isZero();
        assertThat(statuses(BadInputTest.json(second.out()))).startsWith("ingest=ran validate=ran train=ran");
        CliRun versions = kiln("data", "versions", "credit", "--json");
        assertThat(BadInputTest.json(versions.out())).hasSize(2);
        assertThat(versions().get(1).datasetSha256()).isEqualTo(BadInputTest.json(versions.out()).get(0).get("version").asText());
    }

    @Test
    void warmStartContinuesTheProductionVersionAndTheLineageNamesIt() throws Exception {
        Files.writeString(file, """
                name: credit
                data: data/credit.csv
                target: class
                train:
                  algorithms: [baseline, gbdt]
                  warm_start: true
                gates:
                  max_regression: 0.2
                """);
        CliRun first = kiln("pipeline", "run", "--file", file.toString());
        assertThat(first.exitCode()).as(first.err() + first.out()).isZero();
        assertThat(first.out()).contains("warm_start: no version in production yet, trained from scratch");
        write(dir.resolve("data/credit.csv"), 300, 1000);
        CliRun second = kiln("pipeline", "run", "--file", file.toString(), "--json");
        assertThat(second.exitCode()).as(second.err() + second.out()).isZero();
        JsonNode train = BadInputTest.json(second.out()).get("stages").get(2);
        assertThat(train.get("message").asText()).contains("continuing credit:1's trees");
        assertThat(train.get("inputs").get("parent").asText()).isEqualTo(versions().get(0).bundleSha256());
        try (KilnStore s = KilnStore.open(home, null)) {
            var manifest = dev.kiln.runtime.bundle.BundleReader.read(s.registry().bundlePath(s.registry().version("credit", 2)))
                    .manifest();
            assertThat(manifest.lineage().parent().version()).isEqualTo("credit:1");
        }
    }

    @Test
    void forceRerunsTheStageAndTheOnesAfterIt() throws Exception {
        pipelineFile("");
        assertThat(kiln("pipeline", "run", "--file", file.toString()).exitCode()).isZero();
        CliRun forced = kiln("pipeline", "run", "--file", file.toString(), "--force", "train", "--json");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        JsonNode r = BadInputTest.json(forced.out());
        assertThat(statuses(r)).startsWith("ingest=skipped validate=skipped train=ran evaluate=ran register=ran");
        assertThat(r.get("stages").get(2).get("message").asText()).endsWith("[forced]");
        assertThat(kiln("pipeline", "run", "--file", file.toString(), "--force", "trian").err())
                .contains("unknown stage 'trian'");
    }

    @Test
    void aGateRefusalLeavesProductionOpensAnAlertAndStaysRefused() throws Exception {
        pipelineFile("");
        assertThat(kiln("pipeline", "run", "--file", file.toString()).exitCode()).isZero();
        pipelineFile("  roc_auc: \">= 0.99\"\n");
        write(dir.resolve("data/credit.csv"), 100, 800);
        CliRun refused = kiln("pipeline", "run", "--file", file.toString());
        assertThat(refused.exitCode()).as(refused.out() + refused.err()).isEqualTo(4);
        assertThat(refused.out()).contains("evaluate: refused by the gates: roc_auc (roc_auc >= 0.9900)", "register: not run",
                "refused: evaluate: refused by the gates");
        assertThat(versions()).as("a refused candidate is not registered").hasSize(1);
        try (KilnStore s = KilnStore.open(home, null)) {
            assertThat(s.registry().model("credit").orElseThrow().aliases()).containsEntry("production", 1);
            List<Alert> alerts = s.alerts().list("credit", true, 10);
            assertThat(alerts).extracting(Alert::rule).containsExactly("pipeline-gates");
            assertThat(alerts.get(0).message()).contains("roc_auc");
        }
        CliRun again = kiln("pipeline", "run", "--file", file.toString(), "--json");
        assertThat(again.exitCode()).isEqualTo(4);
        assertThat(statuses(BadInputTest.json(again.out())))
                .isEqualTo("ingest=skipped validate=skipped train=skipped evaluate=refused register=not_run promote=not_run");
    }

    @Test
    void badDataIsRefusedNamingWhatIsWrong() throws Exception {
        pipelineFile("");
        assertThat(kiln("pipeline", "run", "--file", file.toString()).exitCode()).isZero();

        // schema differs from production's: a column gone, another new
        List<String> lines = Files.readAllLines(dir.resolve("data/credit.csv"));
        List<String> changed = lines.stream().map(l -> l.replaceFirst("^[^,]*,", "") + ",x").collect(Collectors.toList());
        changed.set(0, lines.get(0).replaceFirst("^[^,]*,", "") + ",branch");
        Files.write(dir.resolve("data/credit.csv"), changed);
        CliRun schema = kiln("pipeline", "run", "--file", file.toString());
        assertThat(schema.exitCode()).as(schema.out() + schema.err()).isEqualTo(4);
        String firstColumn = lines.get(0).split(",")[0];
        assertThat(schema.out()).contains("validate: refused", "are missing: " + firstColumn, "not trained with: branch");

        // no rows
        Files.write(dir.resolve("data/credit.csv"), List.of(lines.get(0)));
        CliRun empty = kiln("pipeline", "run", "--file", file.toString());
        assertThat(empty.exitCode()).as(empty.out() + empty.err()).isNotZero();
        assertThat(empty.out() + empty.err()).contains("validate: failed:", "no data rows");

        // a data path that does not exist
        Files.writeString(file, Files.readString(file).replace("data/credit.csv", "data/nope.csv"));
        CliRun missing = kiln("pipeline", "run", "--file", file.toString());
        assertThat(missing.exitCode()).isEqualTo(3);
        assertThat(missing.err()).contains("kiln.yaml: data:", "nope.csv");

        // a typo in the file
        Files.writeString(file, Files.readString(file).replace("train:", "trian:"));
        CliRun typo = kiln("pipeline", "run", "--file", file.toString());
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err()).contains("trian: unknown key (did you mean 'train'?)");
        assertThat(kiln("pipeline", "run", "--file", dir.resolve("none.yaml").toString()).exitCode()).isEqualTo(3);
        assertThat(versions()).hasSize(1);
    }
}
