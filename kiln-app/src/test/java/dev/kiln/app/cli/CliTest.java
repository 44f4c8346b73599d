package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    @TempDir
    Path dir;

    @Test
    void helpEverywhere() {
        CliRun top = CliRun.of("--help");
        assertThat(top.exitCode()).isZero();
        assertThat(top.out()).contains("quickstart", "data", "train", "predict", "Exit codes", "out of memory");
        for (String[] args : new String[][] {{"train", "--help"}, {"predict", "--help"}, {"data", "profile", "--help"},
                {"quickstart", "--help"}, {"data", "--help"}}) {
            CliRun run = CliRun.of(args);
            assertThat(run.exitCode()).as(String.join(" ", args)).isZero();
            assertThat(run.out()).contains("Usage:");
        }
        assertThat(CliRun.of("--version").out()).startsWith("kiln ");
    }

    @Test
    void everyCommandsHelpRendersWithoutPicocliFormatWarnings() {
        // A bare '%' in a description makes picocli print a warning and drop the text (found in kiln drift --help).
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        int commands = 0;
        try {
            java.util.Deque<picocli.CommandLine> todo = new java.util.ArrayDeque<>(java.util.List.of(Cli.commandLine()));
            while (!todo.isEmpty()) {
                picocli.CommandLine c = todo.pop();
                assertThat(c.getUsageMessage()).as(c.getCommandSpec().qualifiedName()).contains("Usage:");
                commands++;
                todo.addAll(c.getSubcommands().values());
            }
        } finally {
            System.setErr(original);
        }
        assertThat(commands).isGreaterThan(30);
        assertThat(captured.toString(java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("WARN");
    }

    /**
     * A run builds only the branch it invokes (Cli.forArguments): every command's help reads as in the whole tree,
     * and what is no command (nothing, an option, a misspelling, help) gets the whole tree.
     */
    @Test
    void theInvokedBranchAloneAnswersAsTheWholeTree() {
        picocli.CommandLine whole = Cli.commandLine();
        for (java.util.Map.Entry<String, picocli.CommandLine> e : whole.getSubcommands().entrySet()) {
            picocli.CommandLine branch = Cli.forArguments(e.getKey(), "--help");
            assertThat(branch.getSubcommands()).as(e.getKey()).hasSize(e.getKey().equals("help") ? whole.getSubcommands().size() : 1);
            assertThat(branch.getSubcommands().get(e.getKey()).getUsageMessage()).as(e.getKey())
                    .isEqualTo(e.getValue().getUsageMessage());
        }
        // And a noun's verb alone: its help as in the whole tree, the noun's own help with every verb.
        int verbs = 0;
        for (java.util.Map.Entry<String, picocli.CommandLine> noun : whole.getSubcommands().entrySet()) {
            for (java.util.Map.Entry<String, picocli.CommandLine> verb : noun.getValue().getSubcommands().entrySet()) {
                picocli.CommandLine branch = Cli.forArguments(noun.getKey(), verb.getKey(), "--help")
                        .getSubcommands().get(noun.getKey());
                String path = noun.getKey() + " " + verb.getKey();
                boolean pruned = Cli.VERBS.containsKey(noun.getValue().getCommand().getClass());
                assertThat(branch.getSubcommands()).as(path)
                        .hasSize(pruned ? 1 : noun.getValue().getSubcommands().size());
                assertThat(branch.getSubcommands().get(verb.getKey()).getUsageMessage()).as(path)
                        .isEqualTo(verb.getValue().getUsageMessage());
                verbs++;
            }
            assertThat(Cli.forArguments(noun.getKey(), "--help").getSubcommands().get(noun.getKey()).getUsageMessage())
                    .as(noun.getKey()).isEqualTo(noun.getValue().getUsageMessage());
        }
        assertThat(verbs).isGreaterThan(25);
        CliRun misspeltVerb = CliRun.of("data", "profil", "x.csv");
        assertThat(misspeltVerb.exitCode()).isEqualTo(2);
        assertThat(misspeltVerb.err()).contains("profile");
        assertThat(Cli.forArguments().getSubcommands()).hasSameSizeAs(whole.getSubcommands());
        assertThat(Cli.forArguments("--version").getSubcommands()).hasSameSizeAs(whole.getSubcommands());
        CliRun misspelt = CliRun.of("dat", "profile");
        assertThat(misspelt.exitCode()).isEqualTo(2);
        assertThat(misspelt.err()).contains("data");
        assertThat(CliRun.of().out()).contains("quickstart", "predict", "server");
    }

    @Test
    void usageErrorsExitWithTwo() {
        CliRun run = CliRun.of("train", "--data", "x.csv");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--target");
    }

    @Test
    void profileAsJsonHasQuantilesHistogramsAndTopCategories() throws IOException {
        Path data = QuickstartCommand.extractDataset(dir);
        CliRun run = CliRun.of("data", "profile", data.toString(), "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode p = BadInputTest.json(run.out());
        assertThat(p.get("rows").asInt()).isEqualTo(1000);
        assertThat(p.get("sha256").asText()).hasSize(64);
        JsonNode duration = find(p, "duration");
        assertThat(duration.get("type").asText()).isEqualTo("integer");
        assertThat(duration.get("quantiles").get("p50").asDouble()).isEqualTo(18.0);
        assertThat(duration.get("histogram").get("counts").size()).isEqualTo(20);
        JsonNode cls = find(p, "class");
        assertThat(cls.get("topCategories").get(0).get("value").asText()).isEqualTo("good");
        assertThat(cls.get("topCategories").get(0).get("count").asInt()).isEqualTo(700);
        JsonNode foreign = find(p, "foreign_worker"); // a boolean feature: counted in the file's words
        assertThat(foreign.get("type").asText()).isEqualTo("boolean");
        assertThat(foreign.get("topCategories").get(0).get("value").asText()).isEqualTo("yes");
        assertThat(foreign.get("topCategories").get(1).get("value").asText()).isEqualTo("no");

        CliRun text = CliRun.of("data", "profile", data.toString());
        assertThat(text.out()).contains("credit_amount", "integer", "good 70%", "dataset version (sha256): " + p.get("sha256").asText());
        String foreignRow = text.out().lines().filter(l -> l.startsWith("foreign_worker")).findFirst().orElseThrow();
        assertThat(foreignRow).contains("boolean", "yes 96%, no 4%").doesNotContain("0.96");
    }

    @Test
    void trainsFromParquet() throws Exception {
        Path csv = QuickstartCommand.extractDataset(dir);
        Path parquet = dir.resolve("credit.parquet");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (SELECT * FROM read_csv_auto('" + csv + "')) TO '" + parquet + "' (FORMAT PARQUET)");
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        CliRun run = CliRun.of("train", "--data", parquet.toString(), "--target", "class", "--algorithms", "linear",
                "--out", dir.resolve("b").toString(), "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode report = BadInputTest.json(run.out());
        assertThat(report.get("rows").asInt()).isEqualTo(1000);
        assertThat(report.get("chosen").asText()).isEqualTo("linear");
        assertThat(report.get("leaderboard").get(1).get("testMetrics").get("roc_auc").asDouble()).isGreaterThan(0.65);
    }

    private static JsonNode find(JsonNode profile, String column) {
        for (JsonNode c : profile.get("columns")) {
            if (c.get("name").asText().equals(column)) {
                return c;
            }
        }
        throw new AssertionError("no column " + column);
    }
}
