package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quickstart as a user runs it, then the bundle it wrote used by predict and by the Java API. */
@Tag("slow")
class QuickstartEndToEndTest {
    @TempDir
    static Path home;

    static JsonNode report;
    static Path bundle;

    @BeforeAll
    static void runQuickstart() throws IOException {
        CliRun run = CliRun.of("quickstart", "--home", home.toString(), "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        report = BadInputTest.json(run.out());
        bundle = Path.of(report.get("bundle").asText());
    }

    @Test
    void leaderboardHasTheBaselineAndEveryCandidateAndAChoice() {
        List<String> algorithms = new ArrayList<>();
        report.get("leaderboard").forEach(c -> algorithms.add(c.get("algorithm").asText()));
        // gbdt_native: the credit data has categorical columns; gbdt_balanced is skipped (70/30 is balanced enough).
        assertThat(algorithms).containsExactly("baseline", "linear", "tree", "forest", "gbdt", "gbdt_native", "ensemble");
        assertThat(report.get("notes").toString()).contains("gbdt_balanced not trained");
        JsonNode baseline = report.get("leaderboard").get(0);
        assertThat(baseline.get("testMetrics").get("roc_auc").asDouble()).isEqualTo(0.5);
        String chosen = report.get("chosen").asText();
        assertThat(chosen).isNotEqualTo("baseline");
        report.get("leaderboard").forEach(c -> {
            assertThat(c.get("latencyP50Micros").asDouble()).isPositive();
            assertThat(c.get("bundleBytes").asLong()).isPositive();
            if (!c.get("algorithm").asText().equals("baseline")) {
                assertThat(c.get("testMetrics").get("roc_auc").asDouble()).as(c.get("algorithm").asText()).isGreaterThan(0.6);
            }
        });
        assertThat(report.get("trainRows").asInt() + report.get("testRows").asInt()).isEqualTo(1000);
        assertThat(report.get("validationRows").asInt()).as("5-fold: every training row scored out of fold")
                .isEqualTo(report.get("trainRows").asInt());
        assertThat(report.get("validation").get("kind").asText()).isEqualTo("stratified_kfold");
    }

    @Test
    void businessViewBeatsTheBaseline() {
        JsonNode b = report.get("business");
        assertThat(b.get("falseNegativeCost").asDouble()).isEqualTo(5.0);
        assertThat(b.get("threshold").asDouble()).isBetween(0.0, 1.0);
        assertThat(b.get("costPer1000").asDouble()).isLessThan(b.get("baselineCostPer1000").asDouble());
    }

    @Test
    void fairnessOnTheSensitiveAttributesIsReportedAndInTheModelCard() throws IOException {
        JsonNode slices = report.get("slices");
        List<String> columns = new ArrayList<>();
        slices.forEach(c -> columns.add(c.get("column").asText()));
        assertThat(columns).containsExactly("personal_status", "age", "foreign_worker");
        JsonNode status = slices.get(0);
        int rows = 0;
        for (JsonNode g : status.get("groups")) {
            rows += g.get("rows").asInt();
            assertThat(g.get("metrics").get("predicted_positive_rate").asDouble()).isBetween(0.0, 1.0);
        }
        assertThat(rows).isEqualTo(report.get("testRows").asInt());
        assertThat(status.get("gaps").get("parity_difference").asDouble()).isBetween(0.0, 1.0);
        assertThat(status.get("gaps").get("negative_rate_ratio").asDouble()).isBetween(0.0, 1.0);
        JsonNode interval = status.get("gapIntervals").get("parity_difference");
        assertThat(interval.get(0).asDouble()).isLessThanOrEqualTo(interval.get(1).asDouble());
        assertThat(slices.get(1).get("grouping").asText()).isEqualTo("quartiles");

        JsonNode runMetrics = json(CliRun.of("runs", "show", report.get("run_id").asText(), "--home", home.toString(), "--json"))
                .get("run").get("latestMetrics");
        assertThat(runMetrics.get("fairness.age.parity_difference").asDouble())
                .isEqualTo(slices.get(1).get("gaps").get("parity_difference").asDouble());
        // Where the time went, as metrics a runs table can sort by: the report's timings in seconds.
        JsonNode timings = report.get("timings_ms");
        assertThat(runMetrics.get("time_total_s").asDouble()).isEqualTo(timings.get("total").asLong() / 1000.0);
        assertThat(runMetrics.get("time_fits_s").asDouble() + runMetrics.get("time_outside_fits_s").asDouble())
                .isLessThanOrEqualTo(runMetrics.get("time_total_s").asDouble() + 1e-9);

        // A fairness gap as a promotion gate: too strict refuses the move (exit 4), naming it; a lax one lets it pass.
        double parity = slices.get(1).get("gaps").get("parity_difference").asDouble();
        CliRun strict = CliRun.of("models", "alias", "credit", "production", "1", "--home", home.toString(),
                "--require", "fairness.age.parity_difference<=" + parity / 2);
        assertThat(strict.exitCode()).isEqualTo(4);
        assertThat(strict.out()).contains("fairness.age.parity_difference").contains("FAIL");
        assertThat(strict.err()).contains("gate_failed");
        CliRun lax = CliRun.of("models", "alias", "credit", "production", "1", "--home", home.toString(),
                "--require", "fairness.age.parity_difference<=" + Math.min(1.0, parity * 2));
        assertThat(lax.exitCode()).as(lax.out() + lax.err()).isZero();
        CliRun unsliced = CliRun.of("models", "alias", "credit", "production", "1", "--home", home.toString(),
                "--require", "fairness.job.parity_difference<=0.5");
        assertThat(unsliced.exitCode()).isEqualTo(4);
        assertThat(unsliced.out()).contains("not trained with --slice-by job");

        CliRun card = CliRun.of("models", "card", "credit", "--home", home.toString());
        assertThat(card.exitCode()).as(card.err()).isZero();
        assertThat(card.out()).contains("## Slices and fairness (test rows)", "### By `personal_status` (values)",
                "| group | rows | actual 'bad' | predicted 'bad' | accuracy | tpr | fpr | roc_auc |", "parity_difference",
                "Gaps [95% bootstrap interval]");
    }

    @Test
    void bundleLoadsAndScoresTheSampleLikeTheReport() {
        KilnModel model = KilnModel.load(bundle);
        Prediction p = model.predict(QuickstartCommand.sampleApplicant());
        assertThat(p.prediction().toString()).isEqualTo(report.get("sample").get("prediction").asText());
        assertThat(p.probabilities().get("bad")).isEqualTo(report.get("sample").get("probabilities").get("bad").asDouble());
        assertThat(model.manifest().lineage().datasetSha256()).hasSize(64);
        assertThat(model.manifest().lineage().datasetRows()).isEqualTo(1000);
        assertThat(model.classes()).containsExactly("good", "bad");
        assertThat(Files.exists(bundle.resolve("profile.json"))).isTrue();
    }

    @Test
    void predictWritesInputColumnsPredictionAndProbabilities() throws IOException {
        Path data = home.resolve("quickstart/credit-g.csv");
        Path out = home.resolve("scored.csv");
        CliRun run = CliRun.of("predict", "--model", bundle.toString(), "--input", data.toString(), "--output", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(1001);
        assertThat(lines.get(0)).startsWith("checking_status,duration,").endsWith(",class,prediction,probability_good,probability_bad");
        String[] first = lines.get(1).split(",");
        assertThat(first[first.length - 3]).isIn("good", "bad");
        assertThat(Double.parseDouble(first[first.length - 2]) + Double.parseDouble(first[first.length - 1]))
                .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void predictRejectsAMissingColumnAndAWrongTypeNamingThem() throws IOException {
        Path data = home.resolve("quickstart/credit-g.csv");
        List<String> lines = Files.readAllLines(data);
        Path noAge = home.resolve("no-age.csv");
        Files.write(noAge, lines.stream().map(l -> l.replaceFirst(",[^,]*,([^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*)$", ",$1")).toList());
        CliRun missing = CliRun.of("predict", "--model", bundle.toString(), "--input", noAge.toString(), "--output", home.resolve("x.csv").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("column_missing").contains("'age'");

        List<String> wrong = new ArrayList<>(lines);
        wrong.set(5, wrong.get(5).replaceFirst("^([^,]*),([^,]*),", "$1,six months,"));
        Path bad = home.resolve("bad-duration.csv");
        Files.write(bad, wrong);
        CliRun typed = CliRun.of("predict", "--model", bundle.toString(), "--input", bad.toString(), "--output", home.resolve("y.csv").toString());
        assertThat(typed.exitCode()).isEqualTo(2);
        assertThat(typed.err()).contains("duration").contains("line 6").contains("six months");
        assertThat(Files.exists(home.resolve("y.csv"))).isFalse();
    }

    @Test
    void theSampleIsExplainedAndTheExplanationAddsUpToItsProbability() {
        JsonNode e = report.get("sample").get("explanation");
        assertThat(e.get("space").asText()).isEqualTo("log_odds");
        assertThat(e.get("output").asText()).isEqualTo("bad");
        double margin = e.get("base").asDouble();
        List<String> columns = new ArrayList<>();
        for (var it = e.get("contributions").fields(); it.hasNext(); ) {
            var c = it.next();
            columns.add(c.getKey());
            margin += c.getValue().asDouble();
        }
        assertThat(columns).containsExactlyInAnyOrderElementsOf(QuickstartCommand.sampleApplicant().keySet());
        assertThat(1 / (1 + Math.exp(-margin))).isCloseTo(report.get("sample").get("probabilities").get("bad").asDouble(),
                org.assertj.core.data.Offset.offset(1e-6));
        CliRun text = CliRun.of("quickstart", "--home", home.toString());
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).contains("why (log-odds of 'bad'");
    }

    @Test
    void predictExplainAddsABaseAndAContributionPerColumnThatSumToTheProbability() throws IOException {
        Path data = home.resolve("quickstart/credit-g.csv");
        Path out = home.resolve("explained.csv");
        CliRun run = CliRun.of("predict", "--model", bundle.toString(), "--input", data.toString(), "--output", out.toString(),
                "--explain", "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(BadInputTest.json(run.out()).get("explained").asBoolean()).isTrue();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(1001);
        List<String> header = List.of(lines.get(0).split(","));
        int base = header.indexOf("explanation_base");
        assertThat(header.subList(base + 1, header.size())).hasSize(20).allMatch(h -> h.startsWith("contribution_"))
                .contains("contribution_duration", "contribution_checking_status");
        for (String line : lines.subList(1, 1001)) {
            String[] cells = line.split(",");
            double margin = 0;
            for (int j = base; j < cells.length; j++) {
                margin += Double.parseDouble(cells[j]);
            }
            // A calibrated model explains its score before calibration, written beside the probability.
            int explained = header.indexOf("uncalibrated_probability_bad");
            double pBad = Double.parseDouble(cells[explained >= 0 ? explained : header.indexOf("probability_bad")]);
            assertThat(1 / (1 + Math.exp(-margin))).as(line).isCloseTo(pBad, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    /** Removes feature means and tree covers wherever they are: the estimator itself, or an ensemble's members. */
    private static void stripWhatFormat12Added(com.fasterxml.jackson.databind.JsonNode node) {
        if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            o.remove("featureMeans");
            o.remove("cover");
        }
        node.forEach(QuickstartEndToEndTest::stripWhatFormat12Added);
    }

    @Test
    void predictExplainOnABundleFromBeforeFormat12FailsBeforeWritingAnything() throws IOException {
        // The quickstart bundle as Kiln 1.1 wrote it: no tree covers nor feature means, format 1.1, checksums to match.
        Path old = home.resolve("old-bundle");
        Files.createDirectories(old);
        try (var files = Files.list(bundle)) {
            for (Path f : files.toList()) {
                Files.copy(f, old.resolve(f.getFileName()));
            }
        }
        var mapper = dev.kiln.runtime.Json.mapper();
        var estimator = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(old.resolve("estimator.json").toFile());
        stripWhatFormat12Added(estimator);
        mapper.writeValue(old.resolve("estimator.json").toFile(), estimator);
        var manifest = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(old.resolve("manifest.json").toFile());
        manifest.put("formatVersion", "1.1");
        ((com.fasterxml.jackson.databind.node.ObjectNode) manifest.get("files")).put("estimator.json",
                dev.kiln.runtime.bundle.Checksums.sha256(old.resolve("estimator.json")));
        mapper.writeValue(old.resolve("manifest.json").toFile(), manifest);

        Path out = home.resolve("never.csv");
        CliRun plain = CliRun.of("predict", "--model", old.toString(), "--input", home.resolve("quickstart/credit-g.csv").toString(),
                "--output", out.toString());
        assertThat(plain.exitCode()).as("an old bundle still scores: " + plain.err()).isZero();
        Files.delete(out);
        CliRun run = CliRun.of("predict", "--model", old.toString(), "--input", home.resolve("quickstart/credit-g.csv").toString(),
                "--output", out.toString(), "--explain");
        assertThat(run.exitCode()).isEqualTo(4);
        assertThat(run.err()).contains("explanation_unavailable").contains("format 1.1").contains("retrain");
        assertThat(Files.exists(out)).isFalse();
    }

    private static JsonNode json(CliRun run) throws IOException {
        assertThat(run.exitCode()).as(run.err()).isZero();
        return BadInputTest.json(run.out());
    }

    @Test
    void unseenCategoryGoesToTheUnknownBucket() {
        KilnModel model = KilnModel.load(bundle);
        var row = new java.util.LinkedHashMap<>(QuickstartCommand.sampleApplicant());
        row.put("purpose", "spaceship");
        Prediction p = model.predict(row);
        assertThat(p.probabilities().get("bad")).isBetween(0.0, 1.0);
    }
}
