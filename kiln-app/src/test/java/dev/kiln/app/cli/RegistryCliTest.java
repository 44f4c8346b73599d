package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tracking, registry, gates, lineage and the model card, as a user drives them from the CLI. */
class RegistryCliTest {
    @TempDir
    Path home;

    private Path data() throws IOException {
        return QuickstartCommand.extractDataset(home.resolve("data"));
    }

    private JsonNode trainAndRegister(String algorithms, String model) throws IOException {
        CliRun run = CliRun.of("train", "--home", home.toString(), "--data", data().toString(), "--target", "class",
                "--algorithms", algorithms, "--register", model, "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        return BadInputTest.json(run.out());
    }

    private CliRun kiln(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(2 <= all.size() && all.get(0).equals("lineage") ? 1 : Math.min(2, all.size()), "--home");
        all.add(all.indexOf("--home") + 1, home.toString());
        return CliRun.of(all.toArray(String[]::new));
    }

    @Test
    void registerPromoteRollBackAndReadTheHistory() throws IOException {
        JsonNode first = trainAndRegister("linear", "credit");
        assertThat(first.get("registered").get("version").asInt()).isEqualTo(1);
        JsonNode second = trainAndRegister("gbdt", "credit");
        assertThat(second.get("registered").get("version").asInt()).isEqualTo(2);

        CliRun promote1 = kiln("models", "alias", "credit", "production", "1");
        assertThat(promote1.exitCode()).as(promote1.err()).isZero();
        assertThat(promote1.out()).contains("lift over baseline").contains("pass").contains("credit@production: (none) -> 1");

        CliRun show = kiln("models", "show", "credit", "--json");
        assertThat(BadInputTest.json(show.out()).get("name").asText()).isEqualTo("credit");
        assertThat(BadInputTest.json(show.out()).get("version").asInt()).isEqualTo(1);

        CliRun promote2 = kiln("models", "alias", "credit", "production", "2", "--max-regression", "1");
        assertThat(promote2.exitCode()).as(promote2.err()).isZero();
        assertThat(BadInputTest.json(kiln("models", "show", "credit", "--json").out()).get("version").asInt()).isEqualTo(2);

        CliRun rollback = kiln("models", "alias", "credit", "production", "1", "--max-regression", "1", "--reason", "roll back");
        assertThat(rollback.exitCode()).as(rollback.err()).isZero();
        JsonNode history = BadInputTest.json(kiln("models", "history", "credit", "--json").out());
        List<String> moves = new ArrayList<>();
        history.forEach(e -> {
            if (e.get("type").asText().equals("alias_set")) {
                moves.add(e.path("details").path("from").asText("none") + "->" + e.get("version").asInt());
            }
        });
        assertThat(moves).containsExactly("none->1", "1->2", "2->1");
        assertThat(history.toString()).contains("roll back");

        // An alias removed, with its reason in the history; removing it again is "not found".
        assertThat(kiln("models", "alias", "credit", "staging", "2", "--max-regression", "1").exitCode()).isZero();
        CliRun unalias = kiln("models", "unalias", "credit", "staging", "--reason", "canary over");
        assertThat(unalias.exitCode()).as(unalias.err()).isZero();
        assertThat(unalias.out()).contains("credit@staging: 2 -> (none)");
        assertThat(kiln("models", "list", "--json").out()).doesNotContain("staging");
        assertThat(kiln("models", "history", "credit", "--json").out()).contains("alias_removed").contains("canary over");
        CliRun again = kiln("models", "unalias", "credit", "staging");
        assertThat(again.exitCode()).isEqualTo(3);
        assertThat(again.err()).contains("no alias 'staging'");

        assertThat(BadInputTest.json(kiln("models", "show", "credit:2", "--json").out()).get("version").asInt()).isEqualTo(2);
        CliRun missing = kiln("models", "show", "credit@staging");
        assertThat(missing.exitCode()).isEqualTo(3);
        assertThat(missing.err()).contains("staging");
    }

    @Test
    void gatesRefuseABaselineOnlyModelUnlessForcedWithAReason() throws IOException {
        trainAndRegister("baseline", "weak");
        CliRun refused = kiln("models", "alias", "weak", "production", "1");
        assertThat(refused.exitCode()).isEqualTo(4);
        assertThat(refused.out()).contains("FAIL").contains("lift over baseline");
        assertThat(refused.err()).contains("gate_failed").contains("--force");

        CliRun noReason = kiln("models", "alias", "weak", "production", "1", "--force");
        assertThat(noReason.exitCode()).isEqualTo(2);
        assertThat(noReason.err()).contains("--reason");

        CliRun forced = kiln("models", "alias", "weak", "production", "1", "--force", "--reason", "demo only");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(forced.out()).contains("FORCED");
        JsonNode history = BadInputTest.json(kiln("models", "history", "weak", "--json").out());
        assertThat(history.toString()).contains("\"forced\":true").contains("demo only");

        CliRun staging = kiln("models", "alias", "weak", "staging", "1");
        assertThat(staging.exitCode()).as("unprotected aliases move freely").isZero();

        CliRun threshold = kiln("models", "alias", "weak", "production", "1", "--require", "roc_auc>=0.9", "--force", "--reason", "x");
        assertThat(threshold.out()).contains("roc_auc >= 0.9000");

        assertThat(kiln("models", "tag", "weak", "gate.roc_auc", ">=0.95").exitCode()).isZero();
        CliRun tagged = kiln("models", "alias", "weak", "production", "1");
        assertThat(tagged.out()).contains("roc_auc >= 0.9500");
        assertThat(kiln("models", "tag", "weak", "gate.roc_auc", "about 0.9").err()).contains("invalid_argument");

        assertThat(kiln("models", "tag", "weak", "protected_aliases", "staging", "--reason", "staging feeds partners").exitCode()).isZero();
        assertThat(kiln("models", "history", "weak", "--json").out()).contains("staging feeds partners")
                .contains("\"governs_promotion\"");
        CliRun stagingGated = kiln("models", "alias", "weak", "staging", "1");
        assertThat(stagingGated.exitCode()).as("staging is now protected").isEqualTo(4);
        assertThat(kiln("models", "describe", "weak", "Demo model; never for decisions.").exitCode()).isZero();
        assertThat(kiln("models", "card", "weak:1").out()).contains("Demo model; never for decisions.");
    }

    @Test
    void runsLineageAndModelCard() throws IOException {
        JsonNode trained = trainAndRegister("linear,tree", "card");
        String runId = trained.get("run_id").asText();
        kiln("models", "alias", "card", "production", "1");

        JsonNode runs = BadInputTest.json(kiln("runs", "list", "--json").out());
        assertThat(runs.size()).isEqualTo(4); // the search and its three candidates; their trials only with --trials
        JsonNode all = BadInputTest.json(kiln("runs", "list", "--json", "--trials", "--limit", "500").out());
        assertThat(all.size()).isGreaterThan(4);
        assertThat(all.findValuesAsText("name")).anyMatch(n -> n.startsWith("tree trial "));
        CliRun show = kiln("runs", "show", runId);
        assertThat(show.out()).contains("bundle", "leaderboard.json", "profile.json", "test_roc_auc", "baseline", "linear", "tree");
        List<String> children = new ArrayList<>();
        BadInputTest.json(kiln("runs", "show", runId, "--json").out()).get("children").forEach(c -> children.add(c.get("id").asText()));
        CliRun compare = kiln("runs", "compare", children.get(0), children.get(1), children.get(2));
        assertThat(compare.exitCode()).as(compare.err()).isZero();
        assertThat(compare.out()).contains("param algorithm", "metric test_roc_auc");

        CliRun lineage = kiln("lineage", "card");
        assertThat(lineage.exitCode()).as(lineage.err()).isZero();
        assertThat(lineage.out()).contains("dataset  ", "-> run    " + runId, "-> model  card:1", "alias  production");
        JsonNode lineageJson = BadInputTest.json(kiln("lineage", "card", "--json").out());
        assertThat(lineageJson.get("dataset").get("sha256").asText()).isEqualTo(trained.get("datasetSha256").asText());

        Path card = home.resolve("card.md");
        CliRun cardRun = kiln("models", "card", "card", "--out", card.toString());
        assertThat(cardRun.exitCode()).as(cardRun.err()).isZero();
        String text = Files.readString(card);
        assertThat(text).contains("# Model card: card version 1", "## Intended use", "## Data", "## Metrics (test rows) against the baseline",
                "| roc_auc |", "## Parameters", "## Provenance", runId);
        assertThat(text).contains("## What drives the model", "| input column | mean absolute contribution |", "validation rows");
        String foreign = text.lines().filter(l -> l.startsWith("| foreign_worker ")).findFirst().orElseThrow();
        assertThat(foreign).as("a yes/no feature in its file's words").contains("boolean", "yes, no").doesNotContain("..");
    }

    @Test
    @Tag("slow")
    void fourProcessesRegisteringAtOnceGetVersionsOneToFour() throws Exception {
        Path data = data();
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            processes.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "dev.kiln.app.Main", "train", "--home", home.toString(),
                    "--data", data.toString(), "--target", "class", "--algorithms", "linear", "--seed", Integer.toString(i),
                    "--register", "m", "--json")
                    .redirectErrorStream(true).redirectOutput(home.resolve("p" + i + ".log").toFile()).start());
        }
        for (int i = 0; i < 4; i++) {
            assertThat(processes.get(i).waitFor(180, TimeUnit.SECONDS)).isTrue();
            assertThat(processes.get(i).exitValue()).as(Files.readString(home.resolve("p" + i + ".log"))).isZero();
        }
        List<Integer> versions = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String log = Files.readString(home.resolve("p" + i + ".log"));
            versions.add(BadInputTest.json(log.substring(log.indexOf('{'))).get("registered").get("version").asInt());
        }
        assertThat(versions).containsExactlyInAnyOrder(1, 2, 3, 4);
        JsonNode history = BadInputTest.json(kiln("models", "history", "m", "--json").out());
        assertThat(history.toString()).contains("version_registered");
    }
}
