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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln data validate} against a bundle trained here, registered and as a directory. */
class DataValidateCommandTest {
    @TempDir
    static Path home;

    static Path bundle;
    static List<String> lines;

    @BeforeAll
    static void trainOnce() throws IOException {
        Path data = QuickstartCommand.extractDataset(home.resolve("data"));
        lines = Files.readAllLines(data, StandardCharsets.UTF_8);
        CliRun train = CliRun.of("train", "--home", home.toString(), "--data", data.toString(), "--target", "class",
                "--algorithms", "linear", "--register", "credit", "--out", home.resolve("bundle").toString(), "--json");
        assertThat(train.exitCode()).as(train.err()).isZero();
        bundle = home.resolve("bundle");
    }

    private static int col(String name) {
        return Arrays.asList(lines.get(0).split(",")).indexOf(name);
    }

    /** Data lines 1 and 2 of credit-g (typical values), with {@code edits} applied as "row:column=value". */
    private static Path csv(String name, String... edits) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        rows.add(new ArrayList<>(Arrays.asList(lines.get(0).split(","))));
        for (int i = 0; i < 4; i++) {
            rows.add(new ArrayList<>(Arrays.asList(lines.get(1 + i % 2).split(",", -1))));
        }
        for (String e : edits) {
            int row = Integer.parseInt(e.substring(0, e.indexOf(':')));
            String column = e.substring(e.indexOf(':') + 1, e.indexOf('='));
            rows.get(row).set(col(column), e.substring(e.indexOf('=') + 1));
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> r : rows) {
            sb.append(String.join(",", r)).append('\n');
        }
        return Files.writeString(home.resolve(name), sb.toString());
    }

    private static CliRun validate(Path data, String against, String... extra) {
        List<String> args = new ArrayList<>(List.of("data", "validate", "--home", home.toString(), "--data", data.toString(),
                "--against", against));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static JsonNode column(JsonNode report, String name) {
        for (JsonNode c : report.get("columns")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no column " + name);
    }

    @Test
    void cleanDataPassesAgainstARegistryRefAndABundlePath() throws IOException {
        Path clean = csv("clean.csv");
        CliRun byRef = validate(clean, "credit:1");
        assertThat(byRef.exitCode()).as(byRef.err() + byRef.out()).isZero();
        assertThat(byRef.out()).contains("model: credit:1", "status: PASS", "extra columns (not read by the model): class",
                "credit_amount", "training range", "4 clean, 0 with warnings, 0 failing, of 4");

        CliRun byPath = validate(clean, bundle.toString(), "--json");
        assertThat(byPath.exitCode()).as(byPath.err()).isZero();
        JsonNode r = BadInputTest.json(byPath.out());
        assertThat(r.get("status").asText()).isEqualTo("pass");
        assertThat(r.get("rows").asInt()).isEqualTo(4);
        assertThat(r.get("model").get("bundle").asText()).isEqualTo(bundle.toAbsolutePath().normalize().toString());
        assertThat(r.get("extra_columns").toString()).contains("class");
        assertThat(r.get("columns").size()).isEqualTo(20);
        for (JsonNode c : r.get("columns")) {
            JsonNode n = c.get("counts");
            assertThat(n.get("valid").asLong()).as(c.get("name").asText()).isEqualTo(4);
        }
    }

    @Test
    void warningsAreReportedWithRowsAndExitZeroUnlessFailOnWarn() throws IOException {
        Path warn = csv("warn.csv", "1:credit_amount=999999", "3:purpose=spaceship", "4:purpose=spaceship",
                "2:own_telephone=", "3:own_telephone=NA");
        CliRun text = validate(warn, "credit:1");
        assertThat(text.exitCode()).as(text.err() + text.out()).isZero();
        assertThat(text.out()).contains("status: WARN", "credit_amount out_of_range (warn)", "row 1: '999999'",
                "purpose new_category (warn)", "row 3: 'spaceship', row 4: 'spaceship'",
                "own_telephone missing_rate_jump (warn)", "row 2: (missing)");

        CliRun json = validate(warn, "credit:1", "--json");
        assertThat(json.exitCode()).isZero();
        JsonNode r = BadInputTest.json(json.out());
        assertThat(r.get("status").asText()).isEqualTo("warn");
        assertThat(r.get("model").get("name").asText()).isEqualTo("credit");
        assertThat(r.get("model").get("version").asInt()).isEqualTo(1);
        JsonNode purpose = column(r, "purpose");
        assertThat(purpose.get("counts").get("new_category").asInt()).isEqualTo(2);
        assertThat(purpose.get("known_categories_complete").asBoolean()).isTrue();
        assertThat(purpose.get("issues").get(0).get("distinct_values").asInt()).isEqualTo(1);
        JsonNode amount = column(r, "credit_amount");
        assertThat(amount.get("issues").get(0).get("kind").asText()).isEqualTo("out_of_range");
        assertThat(amount.get("issues").get(0).get("examples").get(0).get("row").asInt()).isEqualTo(1);
        assertThat(amount.get("training_max").asDouble()).isLessThan(999999);
        JsonNode phone = column(r, "own_telephone");
        assertThat(phone.get("missing_rate").asDouble()).isEqualTo(0.5);
        assertThat(phone.get("training_missing_rate").asDouble()).isZero();
        assertThat(r.get("summary").get("rows_with_warnings").asInt()).isEqualTo(3);
        assertThat(r.get("summary").get("rows_clean").asInt()).isEqualTo(1);

        CliRun strict = validate(warn, "credit:1", "--fail-on", "warn");
        assertThat(strict.exitCode()).isEqualTo(5);
        CliRun lenient = validate(warn, "credit:1", "--missing-jump", "0.9");
        assertThat(lenient.out()).doesNotContain("missing_rate_jump");
    }

    @Test
    void typeViolationsAndMissingColumnsFailWithExitFive() throws IOException {
        Path bad = csv("bad.csv", "2:duration=abc", "4:duration=12.5", "3:age=old");
        CliRun run = validate(bad, bundle.toString(), "--json");
        assertThat(run.exitCode()).isEqualTo(5);
        JsonNode r = BadInputTest.json(run.out());
        assertThat(r.get("status").asText()).isEqualTo("fail");
        JsonNode duration = column(r, "duration");
        assertThat(duration.get("counts").get("invalid_type").asInt()).isEqualTo(2);
        assertThat(duration.get("issues").get(0).get("examples").toString()).contains("\"row\":2", "abc", "\"row\":4", "12.5");
        assertThat(r.get("summary").get("rows_failing").asInt()).isEqualTo(3);
        assertThat(r.get("summary").get("issues").get("invalid_type").asInt()).isEqualTo(3);

        // a file without the age column
        List<String> kept = new ArrayList<>();
        int age = col("age");
        for (String line : Files.readAllLines(csv("noage-src.csv"))) {
            List<String> cells = new ArrayList<>(Arrays.asList(line.split(",", -1)));
            cells.remove(age);
            kept.add(String.join(",", cells));
        }
        Path noAge = Files.write(home.resolve("noage.csv"), kept);
        CliRun missing = validate(noAge, "credit:1");
        assertThat(missing.exitCode()).isEqualTo(5);
        assertThat(missing.out()).contains("missing columns: age", "MISSING", "status: FAIL", "4 failing, of 4",
                "age missing_column (fail)");
    }

    @Test
    void badReferencesAndOptionsAreClearErrors() throws IOException {
        Path clean = csv("clean2.csv");
        CliRun unknown = validate(clean, "nosuch:1");
        assertThat(unknown.exitCode()).isEqualTo(3);
        assertThat(unknown.err()).contains("nosuch");
        CliRun notBundle = validate(clean, home.resolve("data").toString());
        assertThat(notBundle.exitCode()).isEqualTo(3);
        assertThat(notBundle.err()).contains("not a bundle directory");
        CliRun noData = validate(home.resolve("absent.csv"), "credit:1");
        assertThat(noData.exitCode()).isEqualTo(3);
        CliRun badOption = validate(clean, "credit:1", "--fail-on", "maybe");
        assertThat(badOption.exitCode()).isEqualTo(2);
        assertThat(badOption.err()).contains("--fail-on");
    }

    @Test
    void helpDocumentsTheExitCodes() {
        CliRun help = CliRun.of("data", "validate", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--against", "--fail-on", "--missing-jump", "Exit codes", "5", "1-based data row");
    }
}
