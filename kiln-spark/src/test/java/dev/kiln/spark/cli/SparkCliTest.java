package dev.kiln.spark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line and the errors found before Spark starts: usage, formats, files, the bundle. */
class SparkCliTest {
    @TempDir
    Path dir;

    @Test
    void helpListsTheCommandsTheirOptionsAndTheExitCodes() {
        CliRun top = CliRun.of("--help");
        assertThat(top.exitCode()).isZero();
        assertThat(top.out()).contains("kiln spark", "predict", "validate", "drift", "profile", "spark-submit --class dev.kiln.spark.SparkMain", "Exit codes:");
        CliRun predict = CliRun.of("predict", "--help");
        assertThat(predict.exitCode()).isZero();
        assertThat(predict.out()).contains("--model", "--input", "--output", "--format", "--master", "--overwrite", "--json",
                "kiln_error");
    }

    @Test
    void aMissingOptionIsAUsageError() {
        CliRun run = CliRun.of("predict", "--input", "x.csv");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("error [invalid_argument]: Missing required options", "--model", "--output");
    }

    @Test
    void anUnknownFormatNamesTheOptionItCameFrom() throws Exception {
        Path text = Files.writeString(dir.resolve("rows.txt"), "a\n1\n");
        CliRun byExtension = CliRun.of("predict", "--model", "m", "--input", text.toString(), "--output", dir.resolve("o.csv").toString());
        assertThat(byExtension.exitCode()).isEqualTo(2);
        assertThat(byExtension.err()).startsWith("error [data_unsupported_format]: --input '" + text + "': the extension '.txt'");
        CliRun byFlag = CliRun.of("predict", "--model", "m", "--input", text.toString(), "--output", "o", "--format", "xml");
        assertThat(byFlag.exitCode()).isEqualTo(2);
        assertThat(byFlag.err()).startsWith("error [data_unsupported_format]: --format 'xml' is not a format");
        CliRun output = CliRun.of("predict", "--model", "m", "--input", text.toString(), "--input-format", "csv",
                "--output", dir.resolve("scores").toString());
        assertThat(output.err()).startsWith("error [data_unsupported_format]: --output '" + dir.resolve("scores") + "': no extension");
    }

    @Test
    void aMissingInputOrModelIsNotFoundAndAnExistingOutputAConflict() throws Exception {
        Path input = Files.writeString(dir.resolve("rows.csv"), "a\n1\n");
        CliRun noInput = CliRun.of("predict", "--model", "m", "--input", dir.resolve("absent.csv").toString(),
                "--output", dir.resolve("o.csv").toString());
        assertThat(noInput.exitCode()).isEqualTo(3);
        assertThat(noInput.err()).startsWith("error [file_not_found]: --input '" + dir.resolve("absent.csv") + "' does not exist");

        CliRun noModel = CliRun.of("predict", "--model", dir.resolve("no-bundle").toString(), "--input", input.toString(),
                "--output", dir.resolve("o.csv").toString());
        assertThat(noModel.exitCode()).isEqualTo(3);
        assertThat(noModel.err()).startsWith("error [bundle_not_found]: --model: ");

        Files.createDirectories(dir.resolve("taken.parquet"));
        CliRun taken = CliRun.of("predict", "--model", "m", "--input", input.toString(),
                "--output", dir.resolve("taken.parquet").toString());
        assertThat(taken.exitCode()).isEqualTo(4);
        assertThat(taken.err()).startsWith("error [conflict]: --output '" + dir.resolve("taken.parquet") + "' exists: pass --overwrite");
    }

    @Test
    void withJsonAnErrorIsTheJsonErrorBodyOnStdout() throws Exception {
        Path input = Files.writeString(dir.resolve("rows.csv"), "a\n1\n");
        CliRun run = CliRun.of("predict", "--model", dir.resolve("no-bundle").toString(), "--input", input.toString(),
                "--output", dir.resolve("o.csv").toString(), "--json");
        assertThat(run.exitCode()).isEqualTo(3);
        Map<?, ?> body = Json.mapper().readValue(run.out(), Map.class);
        assertThat(body.toString()).contains("bundle_not_found", "--model");
    }

    @Test
    void driftRefusesABadOptionByItsNameBeforeSparkStarts() throws Exception {
        Path ref = Files.writeString(dir.resolve("ref.csv"), "a\n1\n");
        CliRun psi = CliRun.of("drift", "--reference", ref.toString(), "--current", ref.toString(), "--psi", "-1");
        assertThat(psi.exitCode()).isEqualTo(2);
        assertThat(psi.err()).startsWith("error [invalid_argument]: --psi must be a number of 0 or more, not -1.0");
        CliRun share = CliRun.of("drift", "--reference", ref.toString(), "--current", ref.toString(), "--ks-p-value", "1.5");
        assertThat(share.exitCode()).isEqualTo(2);
        assertThat(share.err()).startsWith("error [invalid_argument]: --ks-p-value must be from 0 to 1, not 1.5");
        CliRun missing = CliRun.of("drift", "--reference", ref.toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required option", "--current");
        CliRun absent = CliRun.of("drift", "--reference", ref.toString(), "--current", dir.resolve("nope.parquet").toString());
        assertThat(absent.exitCode()).isEqualTo(3);
        assertThat(absent.err()).startsWith("error [file_not_found]: --current '" + dir.resolve("nope.parquet") + "' does not exist");
        CliRun format = CliRun.of("drift", "--reference", dir.toString(), "--current", ref.toString());
        assertThat(format.exitCode()).isEqualTo(2);
        assertThat(format.err()).startsWith("error [data_unsupported_format]: --reference '" + dir + "': no extension");
        CliRun help = CliRun.of("drift", "--help");
        assertThat(help.out()).contains("--reference", "--current", "--format", "--reference-format", "--current-format",
                "--psi", "--fail-on-drift", "--master", "--json");
    }

    @Test
    void profileRefusesABadOptionByItsNameBeforeSparkStarts() throws Exception {
        CliRun missing = CliRun.of("profile");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required option", "--data");
        CliRun absent = CliRun.of("profile", "--data", dir.resolve("nope.csv").toString());
        assertThat(absent.exitCode()).isEqualTo(3);
        assertThat(absent.err()).startsWith("error [file_not_found]: --data '" + dir.resolve("nope.csv") + "' does not exist");
        CliRun format = CliRun.of("profile", "--data", "rows.csv", "--format", "orc");
        assertThat(format.exitCode()).isEqualTo(2);
        assertThat(format.err()).startsWith("error [data_unsupported_format]: --format 'orc' is not a format");
        CliRun help = CliRun.of("profile", "--help");
        assertThat(help.out()).contains("--data", "--format", "--master", "--json", "HyperLogLog");
    }

    @Test
    void validateRefusesABadOptionOrAnUnknownModelByItsNameBeforeSparkStarts() throws Exception {
        Path rows = Files.writeString(dir.resolve("rows.csv"), "a\n1\n");
        CliRun failOn = CliRun.of("validate", "--data", rows.toString(), "--against", "m", "--fail-on", "never");
        assertThat(failOn.exitCode()).isEqualTo(2);
        assertThat(failOn.err()).startsWith("error [invalid_argument]: --fail-on must be fail or warn, got 'never'");
        CliRun jump = CliRun.of("validate", "--data", rows.toString(), "--against", "m", "--missing-jump", "2");
        assertThat(jump.exitCode()).isEqualTo(2);
        assertThat(jump.err()).contains("(--missing-jump) must be between 0 and 1");
        CliRun missing = CliRun.of("validate", "--data", rows.toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required option", "--against");
        CliRun absent = CliRun.of("validate", "--data", dir.resolve("nope.csv").toString(), "--against", "m");
        assertThat(absent.exitCode()).isEqualTo(3);
        assertThat(absent.err()).startsWith("error [file_not_found]: --data '" + dir.resolve("nope.csv") + "' does not exist");
        // A registry reference in an empty store: not found, as kiln data validate and kiln predict say it.
        Path home = dir.resolve("home");
        CliRun ghost = CliRun.of("validate", "--data", rows.toString(), "--model", "ghost@staging", "--home", home.toString());
        assertThat(ghost.exitCode()).isEqualTo(3);
        assertThat(ghost.err()).startsWith("error [model_not_found]: --against: ").contains("'ghost'");
        CliRun predict = CliRun.of("predict", "--model", "ghost:2", "--home", home.toString(), "--input", rows.toString(),
                "--output", dir.resolve("o.csv").toString());
        assertThat(predict.exitCode()).isEqualTo(3);
        assertThat(predict.err()).startsWith("error [model_not_found]: --model: ").contains("'ghost'");
        CliRun help = CliRun.of("validate", "--help");
        assertThat(help.out()).contains("--data", "--against", "--model", "--format", "--fail-on", "--missing-jump", "--home",
                "--store", "--master", "--json", "Exit codes:", "5");
    }

    @Test
    void formatsComeFromTheFlagOrTheExtension() {
        assertThat(DataFormat.of(null, "--format", "s3a://lake/day=1/scores.parquet/", "--output")).isEqualTo(DataFormat.PARQUET);
        assertThat(DataFormat.of(null, "--format", "rows.CSV", "--input")).isEqualTo(DataFormat.CSV);
        assertThat(DataFormat.of(null, "--format", "rows.jsonl", "--input")).isEqualTo(DataFormat.JSON);
        assertThat(DataFormat.of("Parquet", "--format", "rows.csv", "--input")).isEqualTo(DataFormat.PARQUET);
        assertThat(PredictJob.localPath("hdfs://nn/rows.csv")).isNull();
        assertThat(PredictJob.localPath("file:/tmp/rows.csv")).isEqualTo(Path.of("/tmp/rows.csv"));
        assertThat(PredictJob.localPath("rows.csv")).isEqualTo(Path.of("rows.csv"));
        assertThat(PredictJob.localPath("days/*/rows.csv")).as("a glob is Spark's to expand").isNull();
        assertThat(DataFormat.of(null, "--format", "days/*/rows.csv", "--input")).isEqualTo(DataFormat.CSV);
    }
}
