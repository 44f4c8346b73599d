package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad input gives a clear error (code, message naming the thing) and no stack trace. */
class BadInputTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private CliRun train(Path data, String target, String... extra) {
        String[] base = {"train", "--data", data.toString(), "--target", target, "--out", dir.resolve("out").toString(),
                "--algorithms", "baseline,linear"};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return CliRun.of(args);
    }

    private static void assertCleanError(CliRun run, int exit, String code, String... fragments) {
        assertThat(run.exitCode()).as(run.err()).isEqualTo(exit);
        assertThat(run.err()).contains("error [" + code + "]");
        for (String f : fragments) {
            assertThat(run.err()).contains(f);
        }
        assertThat(run.err()).doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Test
    void aNegativeOrInfiniteCostNamesItsOption() throws IOException {
        Path data = write("c.csv", "a,b,y\n1,2,x\n3,4,z\n");
        assertCleanError(train(data, "y", "--cost-fp", "-1", "--cost-fn", "5"), 2, "invalid_argument", "--cost-fp must be", "-1.0");
        assertCleanError(train(data, "y", "--cost-fp", "1", "--cost-fn", "Infinity"), 2, "invalid_argument", "--cost-fn must be");
    }

    @Test
    void driftThresholdsOutOfRangeNameTheirOption() throws IOException {
        Path data = write("d.csv", "a,b\n1,2\n3,4\n");
        for (String[] bad : new String[][] {{"--ks-p-value", "2"}, {"--ks-statistic", "-0.1"}, {"--chi-square-p-value", "1.5"},
                {"--unseen-share", "NaN"}, {"--dataset-drift-share", "7"}, {"--psi", "-1"}}) {
            CliRun run = CliRun.of("drift", "--reference", data.toString(), "--current", data.toString(), bad[0], bad[1],
                    "--home", dir.toString());
            assertCleanError(run, 2, "invalid_argument", bad[0] + " must be");
        }
        CliRun json = CliRun.of("drift", "--reference", data.toString(), "--current", data.toString(), "--psi", "-1",
                "--home", dir.toString(), "--json");
        assertThat(json.exitCode()).isEqualTo(2);
        assertThat(json(json.out()).at("/error/details/option").asText()).isEqualTo("--psi");
    }

    @Test
    void emptyFile() throws IOException {
        assertCleanError(train(write("empty.csv", ""), "y"), 2, "data_empty", "empty.csv");
    }

    @Test
    void headerOnly() throws IOException {
        assertCleanError(train(write("h.csv", "a,b,y\n"), "y"), 2, "data_empty", "no data rows");
    }

    @Test
    void raggedRow() throws IOException {
        assertCleanError(train(write("r.csv", "a,b,y\n1,2,x\n3,4\n"), "y"), 2, "data_malformed", "line 3");
    }

    @Test
    void missingTarget() throws IOException {
        assertCleanError(train(write("t.csv", "a,b\n1,2\n3,4\n"), "label"), 2, "column_missing", "'label'", "a, b");
    }

    @Test
    void excludingAColumnThatDoesNotExist() throws IOException {
        assertCleanError(train(write("x.csv", "a,b,y\n1,2,x\n3,4,y\n"), "y", "--exclude", "idd"), 2, "column_missing", "'idd'", "a, b, y");
    }

    @Test
    void singleClassTarget() throws IOException {
        StringBuilder sb = new StringBuilder("a,y\n");
        for (int i = 0; i < 50; i++) {
            sb.append(i).append(",yes\n");
        }
        assertCleanError(train(write("s.csv", sb.toString()), "y", "--task", "multiclass"), 2, "target_invalid", "single class");
    }

    @Test
    void notUtf8() throws IOException {
        Path p = dir.resolve("latin1.csv");
        byte[] head = "a,y\n1,x\n".getBytes(StandardCharsets.US_ASCII);
        byte[] bad = {'2', ',', (byte) 0xE9, 't', (byte) 0xE9, '\n'};
        byte[] all = new byte[head.length + bad.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(bad, 0, all, head.length, bad.length);
        Files.write(p, all);
        assertCleanError(train(p, "y"), 2, "data_encoding", "latin1.csv", "line 3");
    }

    @Test
    void unknownOptionValues() throws IOException {
        Path p = write("ok.csv", "a,y\n1,x\n2,y\n");
        assertCleanError(train(p, "y", "--task", "ranking"), 2, "invalid_argument", "ranking");
        assertCleanError(CliRun.of("train", "--data", p.toString(), "--target", "y", "--algorithms", "svm"),
                2, "invalid_argument", "svm");
        assertCleanError(CliRun.of("train", "--data", dir.resolve("nope.csv").toString(), "--target", "y"),
                3, "file_not_found", "nope.csv");
    }

    @Test
    void allMissingColumnIsDroppedAndReported() throws IOException {
        StringBuilder sb = new StringBuilder("x,empty,y\n");
        Random r = new Random(1);
        for (int i = 0; i < 200; i++) {
            double x = r.nextGaussian();
            sb.append(x).append(",NA,").append(x + r.nextGaussian() * 0.5 > 0 ? "pos" : "neg").append('\n');
        }
        CliRun run = train(write("m.csv", sb.toString()), "y", "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode report = json(run.out());
        assertThat(report.get("notes").toString()).contains("dropped 'empty'").contains("every value is missing");
    }

    @Test
    @org.junit.jupiter.api.Tag("slow")
    void hundredThousandLevelCategoricalIsCappedAndReported() throws IOException {
        StringBuilder sb = new StringBuilder("id,x,y\n");
        Random r = new Random(2);
        for (int i = 0; i < 100_000; i++) {
            double x = r.nextGaussian();
            sb.append("c").append(i).append(',').append(x).append(',').append(x > 0 ? "a" : "b").append('\n');
        }
        CliRun run = train(write("ids.csv", sb.toString()), "y", "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(json(run.out()).get("notes").toString()).contains("'id'").contains("distinct");
    }

    @Test
    void jsonErrorShape() throws IOException {
        CliRun run = train(write("e.csv", ""), "y", "--json");
        assertThat(run.exitCode()).isEqualTo(2);
        JsonNode error = json(run.out()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("data_empty");
        assertThat(error.get("message").asText()).contains("e.csv");
    }

    static JsonNode json(String text) throws IOException {
        return Json.mapper().readTree(text);
    }
}
