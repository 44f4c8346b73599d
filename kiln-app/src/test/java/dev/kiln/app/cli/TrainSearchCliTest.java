package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.store.KilnStore;
import dev.kiln.store.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln train}'s search, validation and constraints, as a user meets them on the command line. */
class TrainSearchCliTest {
    @TempDir
    Path dir;

    private String[] train(Path data, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--home", dir.resolve("home").toString(), "--data",
                data.toString(), "--target", "class", "--out", dir.resolve("bundle").toString(), "--force"));
        args.addAll(List.of(more));
        return args.toArray(new String[0]);
    }

    @Test
    void everyTrialIsAChildRunOfItsCandidateAndTheReportSaysHowItWasValidated() throws Exception {
        Path data = QuickstartCommand.extractDataset(dir);
        CliRun run = CliRun.of(train(data, "--algorithms", "linear,gbdt,ensemble", "--budget", "3s", "--json"));
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode report = BadInputTest.json(run.out());
        assertThat(report.get("validation").get("kind").asText()).isEqualTo("stratified_kfold");
        assertThat(report.get("validation").get("folds").asInt()).isEqualTo(5);
        assertThat(report.get("search")).isNotEmpty();
        assertThat(report.get("calibration").get("ece_before").isNumber()).isTrue();
        assertThat(report.get("leaderboard").findValuesAsText("algorithm")).contains("baseline", "linear", "gbdt", "ensemble");
        assertThat(report.get("leaderboard").findValues("paretoFront")).anyMatch(JsonNode::asBoolean);
        try (KilnStore s = KilnStore.open(dir.resolve("home"), null)) {
            Run parent = s.tracking().run(report.get("run_id").asText()).orElseThrow();
            Run gbdt = s.tracking().childRuns(parent.id()).stream().filter(r -> r.name().equals("gbdt")).findFirst().orElseThrow();
            List<Run> trials = s.tracking().childRuns(gbdt.id());
            int searched = report.get("search").findValues("trials").stream()
                    .filter(t -> t.size() > 0 && t.get(0).get("config").has("max_depth")).mapToInt(JsonNode::size).sum();
            assertThat(trials).hasSize(searched).isNotEmpty();
            assertThat(trials).allMatch(t -> t.name().startsWith("gbdt trial "));
        }
    }

    @Test
    void whenNoCandidateMeetsTheConstraintsTheCommandSaysWhichAndHowCloseAndExitsFour() throws Exception {
        Path data = QuickstartCommand.extractDataset(dir);
        CliRun run = CliRun.of(train(data, "--algorithms", "linear,tree", "--budget", "0", "--max-latency-us", "0.001"));
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(4);
        assertThat(run.err()).contains("no candidate meets every constraint", "--max-latency-us", "the fastest");
    }

    @Test
    void contradictoryOrBadOptionsAreRefusedNamingTheOption() throws Exception {
        Path data = QuickstartCommand.extractDataset(dir);
        CliRun interpretable = CliRun.of(train(data, "--algorithms", "forest", "--interpretable"));
        assertThat(interpretable.exitCode()).isEqualTo(2);
        assertThat(interpretable.err()).contains("--interpretable");
        CliRun budget = CliRun.of(train(data, "--budget", "soon"));
        assertThat(budget.exitCode()).isEqualTo(2);
        assertThat(budget.err()).contains("--budget", "soon");
        CliRun monotone = CliRun.of(train(data, "--monotone", "purpose=+1"));
        assertThat(monotone.exitCode()).isEqualTo(2);
        assertThat(monotone.err()).contains("--monotone", "purpose");
        CliRun noSuchGroup = CliRun.of(train(data, "--group-column", "shop", "--budget", "0"));
        assertThat(noSuchGroup.exitCode()).isEqualTo(2);
        assertThat(noSuchGroup.err()).contains("--group-column 'shop' is not a column");
        // Every row in one group: nothing to validate across groups.
        List<String> lines = Files.readAllLines(data);
        StringBuilder oneGroup = new StringBuilder(lines.get(0)).append(",shop\n");
        lines.subList(1, lines.size()).forEach(l -> oneGroup.append(l).append(",main\n"));
        Path grouped = Files.writeString(dir.resolve("grouped.csv"), oneGroup);
        CliRun group = CliRun.of(train(grouped, "--group-column", "shop", "--budget", "0"));
        assertThat(group.exitCode()).isEqualTo(2);
        assertThat(group.err()).contains("--group-column", "at least 2 groups");
    }

    @Test
    void aRetrainKeepsTheSearchAndTheConstraintsOfTheRunItRepeats() throws Exception {
        Path data = QuickstartCommand.extractDataset(dir);
        CliRun first = CliRun.of(train(data, "--algorithms", "linear", "--budget", "0", "--folds", "3",
                "--max-bundle-kb", "5000", "--monotone", "duration=-1", "--register", "credit"));
        assertThat(first.exitCode()).as(first.err()).isZero();
        CliRun again = CliRun.of("retrain", "credit:1", "--home", dir.resolve("home").toString(), "--data", data.toString(),
                "--json");
        assertThat(again.exitCode()).as(again.err()).isZero();
        try (KilnStore s = KilnStore.open(dir.resolve("home"), null)) {
            Run retrained = s.tracking().run(BadInputTest.json(again.out()).findValue("run_id").asText()).orElseThrow();
            assertThat(retrained.params()).containsEntry("budget_seconds", "0.0").containsEntry("folds", "3")
                    .containsEntry("max_bundle_kb", "5000.0").containsEntry("monotone", "{duration=-1}");
        }
    }

    @Test
    void aTooSmallBudgetStillGivesTheBaselineAndEachDefaultAndSaysSo() throws Exception {
        Path data = QuickstartCommand.extractDataset(dir);
        CliRun run = CliRun.of(train(data, "--algorithms", "linear,gbdt,ensemble", "--budget", "1ms"));
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("default configuration was completed past it");
        assertThat(run.out()).contains("chosen:");
    }

    @Test
    void aClassWithOneRowTrainsAndSaysItCannotBeValidated() throws Exception {
        Path data = QuickstartCommand.extractDataset(dir);
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(data));
        String last = lines.get(lines.size() - 1);
        lines.set(lines.size() - 1, last.substring(0, last.lastIndexOf(',') + 1) + "unknown");
        Path three = Files.write(dir.resolve("three.csv"), lines);
        CliRun run = CliRun.of(train(three, "--algorithms", "linear", "--budget", "0", "--json"));
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode report = BadInputTest.json(run.out());
        assertThat(report.get("validation").get("notes").toString() + report.get("notes").toString()).contains("unknown");
    }
}
