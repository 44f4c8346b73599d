package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kiln drift compares integer and decimal values as numbers, and a column whose values do not fit the reference's
 * type is reported as a type problem while every other column is compared.
 */
class DriftTypesTest {
    @TempDir
    Path home;

    /** The credit data with decimals in credit_amount (an integer column) and, when asked, text in age. */
    private Path current(Path data, boolean textInAge) throws IOException {
        List<String> lines = Files.readAllLines(data, StandardCharsets.UTF_8);
        List<String> header = Arrays.asList(lines.get(0).split(","));
        int amount = header.indexOf("credit_amount");
        int age = header.indexOf("age");
        List<String> out = new ArrayList<>(List.of(lines.get(0)));
        for (int i = 1; i < lines.size(); i++) {
            String[] cells = lines.get(i).split(",", -1);
            cells[amount] = cells[amount] + ".011";
            if (textInAge && i % 10 == 0) {
                cells[age] = "unknown";
            }
            out.add(String.join(",", cells));
        }
        return Files.write(home.resolve(textInAge ? "current-text.csv" : "current.csv"), out, StandardCharsets.UTF_8);
    }

    private static JsonNode feature(JsonNode report, String name) {
        for (JsonNode f : report.get("features")) {
            if (f.get("name").asText().equals(name)) {
                return f;
            }
        }
        throw new AssertionError("no feature " + name + " in " + report);
    }

    @Test
    void decimalsInAnIntegerColumnAreComparedAsNumbers() throws IOException {
        Path data = QuickstartCommand.extractDataset(home.resolve("data"));
        Path current = current(data, false);
        CliRun run = CliRun.of("drift", "--reference", data.toString(), "--current", current.toString(), "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode report = BadInputTest.json(run.out());
        JsonNode amount = feature(report, "credit_amount");
        assertThat(amount.get("type").asText()).isEqualTo("numeric");
        assertThat(amount.get("ks_statistic").asDouble()).isLessThan(0.05);
        assertThat(amount.get("drift").asBoolean()).isFalse();
        assertThat(report.has("type_problems")).isFalse();

        // The same against a model's reference sketch (its integer column from training).
        CliRun train = CliRun.of("train", "--home", home.toString(), "--data", data.toString(), "--target", "class",
                "--algorithms", "baseline", "--out", home.resolve("bundle").toString());
        assertThat(train.exitCode()).as(train.err()).isZero();
        CliRun byModel = CliRun.of("drift", "--home", home.toString(), "--reference", home.resolve("bundle").toString(),
                "--current", current.toString(), "--json");
        assertThat(byModel.exitCode()).as(byModel.err()).isZero();
        assertThat(feature(BadInputTest.json(byModel.out()), "credit_amount").get("drift").asBoolean()).isFalse();
    }

    @Test
    void aColumnThatNoLongerFitsItsTypeIsATypeProblemAndTheOthersAreCompared() throws IOException {
        Path data = QuickstartCommand.extractDataset(home.resolve("data"));
        Path current = current(data, true);
        CliRun run = CliRun.of("drift", "--reference", data.toString(), "--current", current.toString(), "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode report = BadInputTest.json(run.out());
        JsonNode age = feature(report, "age");
        assertThat(age.get("drift").asBoolean()).isTrue();
        assertThat(age.get("reasons").get(0).asText()).startsWith("type problem: ").contains("'unknown'", "age");
        assertThat(report.get("type_problems").get(0).get("column").asText()).isEqualTo("age");
        assertThat(report.get("type_problems").size()).isEqualTo(1);
        JsonNode duration = feature(report, "duration");
        assertThat(duration.get("ks_statistic").asDouble()).isZero();
        assertThat(duration.get("drift").asBoolean()).isFalse();
        assertThat(feature(report, "credit_amount").get("drift").asBoolean()).isFalse();
        assertThat(feature(report, "purpose").get("chi_square_p_value").asDouble()).isGreaterThan(0.99);
        assertThat(report.get("drifted_count").asInt()).isEqualTo(1);

        CliRun text = CliRun.of("drift", "--reference", data.toString(), "--current", current.toString());
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).contains("type problem in age (compared as categories):", "'unknown'");
    }
}
