package dev.kiln.app;

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
        assertThat(algorithms).containsExactly("baseline", "linear", "tree", "forest", "gbdt");
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
        assertThat(report.get("trainRows").asInt() + report.get("validationRows").asInt() + report.get("testRows").asInt())
                .isEqualTo(1000);
    }

    @Test
    void businessViewBeatsTheBaseline() {
        JsonNode b = report.get("business");
        assertThat(b.get("falseNegativeCost").asDouble()).isEqualTo(5.0);
        assertThat(b.get("threshold").asDouble()).isBetween(0.0, 1.0);
        assertThat(b.get("costPer1000").asDouble()).isLessThan(b.get("baselineCostPer1000").asDouble());
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
    void unseenCategoryGoesToTheUnknownBucket() {
        KilnModel model = KilnModel.load(bundle);
        var row = new java.util.LinkedHashMap<>(QuickstartCommand.sampleApplicant());
        row.put("purpose", "spaceship");
        Prediction p = model.predict(row);
        assertThat(p.probabilities().get("bad")).isBetween(0.0, 1.0);
    }
}
