package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.data.DataColumn;
import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.data.ReadOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kiln predict: cells a spreadsheet would run are disarmed, and --model takes registry references. */
class PredictCommandTest {
    @TempDir
    static Path home;
    static Path bundle;
    static Path data;

    /** The input cells of the 'note' column as the CSV holds them (quoted or not), and the value they hold. */
    static final String[][] NOTES = {
            {"=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0"},
            {"\"+HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\"", "+HYPERLINK(\"http://evil.example\",\"click\")"},
            {"@SUM(1+1)", "@SUM(1+1)"},
            {"-2+3", "-2+3"},
            {"\"\t=1+2\"", "\t=1+2"},
            {"\t=5+5", "\t=5+5"},
            {"\"\r=1+2\"", "\r=1+2"},
            {"-3.5", "-3.5"},
            {"+4", "+4"},
            {"just text", "just text"},
            {"a-b=c", "a-b=c"},
    };

    @BeforeAll
    static void train() throws IOException {
        data = QuickstartCommand.extractDataset(home.resolve("data"));
        CliRun train = CliRun.of("train", "--home", home.toString(), "--data", data.toString(), "--target", "class",
                "--algorithms", "linear", "--register", "credit", "--json");
        assertThat(train.exitCode()).as(train.err()).isZero();
        bundle = Path.of(BadInputTest.json(train.out()).get("bundle").asText());
    }

    /** The first rows of the credit data with a 'note' column holding {@link #NOTES}. */
    private static Path withNotes() throws IOException {
        List<String> lines = Files.readAllLines(data, StandardCharsets.UTF_8);
        StringBuilder csv = new StringBuilder(lines.get(0)).append(",note\n");
        for (int i = 0; i < NOTES.length; i++) {
            csv.append(lines.get(i + 1)).append(',').append(NOTES[i][0]).append('\n');
        }
        return Files.writeString(home.resolve("notes.csv"), csv.toString(), StandardCharsets.UTF_8);
    }

    private static List<String> column(Path csv, String name) {
        DataFrame f = DataReader.read(csv, ReadOptions.defaults().withOtherColumnsVerbatim());
        DataColumn c = f.column(name);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < f.rowCount(); i++) {
            values.add(String.valueOf(c.value(i)));
        }
        return values;
    }

    @Test
    void cellsASpreadsheetWouldRunGetALeadingQuoteAndNumbersStayNumbers() throws IOException {
        Path out = home.resolve("scored.csv");
        CliRun run = CliRun.of("predict", "--model", bundle.toString(), "--input", withNotes().toString(), "--output", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(column(out, "note")).containsExactly(
                "'=cmd|' /C calc'!A0",
                "'+HYPERLINK(\"http://evil.example\",\"click\")",
                "'@SUM(1+1)",
                "'-2+3",
                "'\t=1+2",
                "'\t=5+5",
                "'\r=1+2",
                "-3.5",
                "+4",
                "just text",
                "a-b=c");
        String text = Files.readString(out);
        assertThat(text).doesNotContain("\n=", ",=", ",+H", ",@", ",-2+3");
        assertThat(column(out, "prediction")).allMatch(p -> p.equals("good") || p.equals("bad"));
        assertThat(CliRun.of("predict", "--help").out()).contains("--no-formula-escape", "OWASP");
    }

    @Test
    void withoutEscapingEveryCellIsCopiedAsWrittenIncludingAProtectiveLeadingTab() throws IOException {
        Path out = home.resolve("raw.csv");
        CliRun run = CliRun.of("predict", "--model", bundle.toString(), "--input", withNotes().toString(), "--output", out.toString(),
                "--no-formula-escape");
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> expected = new ArrayList<>();
        for (String[] note : NOTES) {
            expected.add(note[1]);
        }
        assertThat(column(out, "note")).containsExactlyElementsOf(expected);
    }

    /**
     * Rows are scored a chunk at a time on every core: over several chunks, each output row is still its own input row,
     * in the input's order, with the probabilities the model gives that row alone.
     */
    /** The model reads foreign_worker as a boolean; the output copies it as the file writes it, yes/no. */
    @Test
    void aYesNoFeatureIsCopiedInTheFilesWords() throws IOException {
        Path out = home.resolve("words-scored.csv");
        CliRun run = CliRun.of("predict", "--model", bundle.toString(), "--input", data.toString(), "--output", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> written = column(data, "foreign_worker");
        assertThat(written).contains("yes", "no").doesNotContain("true", "false");
        assertThat(column(out, "foreign_worker")).isEqualTo(written);

        // Spelled several ways (every 7th yes as Yes, every 11th as YES): each row as written, whatever the batches.
        List<String> lines = Files.readAllLines(data, StandardCharsets.UTF_8);
        StringBuilder csv = new StringBuilder(lines.get(0)).append('\n');
        for (int i = 1; i < lines.size(); i++) {
            String spelled = i % 7 == 0 ? "Yes" : i % 11 == 0 ? "YES" : "yes";
            csv.append(lines.get(i).replaceFirst(",yes,(good|bad)$", "," + spelled + ",$1")).append('\n');
        }
        Path mixed = Files.writeString(home.resolve("mixed-words.csv"), csv.toString(), StandardCharsets.UTF_8);
        List<String> mixedWritten = column(mixed, "foreign_worker");
        assertThat(mixedWritten).contains("yes", "Yes", "YES", "no");
        for (int size : new int[] {1, 37, Integer.MAX_VALUE}) {
            CliRun batched = predictInBatches(size, "predict", "--model", bundle.toString(), "--input", mixed.toString(),
                    "--output", out.toString());
            assertThat(batched.exitCode()).as(batched.err()).isZero();
            assertThat(column(out, "foreign_worker")).as("batches of %d", size).isEqualTo(mixedWritten);
        }
    }

    @Test
    void rowsOfManyChunksComeOutInOrderEachScoredAsAlone() throws IOException {
        List<String> lines = Files.readAllLines(data, StandardCharsets.UTF_8);
        int rows = 3 * PredictionRows.CHUNK + 17;
        StringBuilder csv = new StringBuilder("row_id,").append(lines.get(0)).append('\n');
        for (int i = 0; i < rows; i++) {
            csv.append(i).append(',').append(lines.get(1 + i % (lines.size() - 1))).append('\n');
        }
        Path input = Files.writeString(home.resolve("many.csv"), csv.toString(), StandardCharsets.UTF_8);
        Path out = home.resolve("many-scored.csv");
        CliRun run = CliRun.of("predict", "--model", bundle.toString(), "--input", input.toString(), "--output", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();

        dev.kiln.runtime.KilnModel kiln = dev.kiln.runtime.KilnModel.load(bundle);
        java.util.Map<String, dev.kiln.runtime.schema.ColumnType> types = new java.util.LinkedHashMap<>();
        kiln.requiredFields().forEach(f -> types.put(f.name(), f.type()));
        DataFrame in = DataReader.read(input, ReadOptions.defaults().withTypes(types));
        DataFrame scored = DataReader.read(out, ReadOptions.defaults().withOtherColumnsVerbatim());
        assertThat(scored.rowCount()).isEqualTo(rows);
        String positive = kiln.classes().get(1);
        for (int i = 0; i < rows; i++) {
            java.util.Map<String, Object> row = new java.util.HashMap<>();
            for (String name : types.keySet()) {
                row.put(name, in.column(name).value(i));
            }
            dev.kiln.runtime.Prediction alone = kiln.predict(row);
            assertThat(scored.column("row_id").value(i)).isEqualTo(String.valueOf(i));
            assertThat(scored.column("prediction").value(i)).as("row %d", i).isEqualTo(alone.prediction().toString());
            assertThat(scored.column("probability_" + positive).value(i)).as("row %d", i)
                    .isEqualTo(Double.toString(alone.probabilities().get(positive)));
        }
    }

    @Test
    void aRegistryReferenceScoresLikeItsBundleDirectory() throws IOException {
        Path input = home.resolve("data").resolve(data.getFileName());
        Path direct = home.resolve("direct.csv");
        assertThat(CliRun.of("predict", "--model", bundle.toString(), "--input", input.toString(), "--output", direct.toString())
                .exitCode()).isZero();
        assertThat(CliRun.of("models", "alias", "credit", "staging", "1", "--home", home.toString()).exitCode()).isZero();
        for (String ref : new String[] {"credit:1", "credit@staging"}) {
            Path out = home.resolve("by-ref.csv");
            CliRun run = CliRun.of("predict", "--home", home.toString(), "--model", ref, "--input", input.toString(),
                    "--output", out.toString(), "--json");
            assertThat(run.exitCode()).as(ref + ": " + run.err()).isZero();
            JsonNode summary = BadInputTest.json(run.out());
            assertThat(summary.get("registered").get("name").asText()).isEqualTo("credit");
            assertThat(summary.get("registered").get("version").asInt()).isEqualTo(1);
            assertThat(Files.readString(out)).as(ref).isEqualTo(Files.readString(direct));
        }
        CliRun noProduction = CliRun.of("predict", "--home", home.toString(), "--model", "credit", "--input", input.toString(),
                "--output", home.resolve("x.csv").toString());
        assertThat(noProduction.exitCode()).as("credit means credit@production, which is not set").isEqualTo(3);
        assertThat(noProduction.err()).contains("production");
        CliRun unknown = CliRun.of("predict", "--home", home.toString(), "--model", "nosuch", "--input", input.toString(),
                "--output", home.resolve("y.csv").toString());
        assertThat(unknown.exitCode()).isEqualTo(3);
        assertThat(unknown.err()).contains("nosuch");
    }

    /** Predictions of {@link #numbered} rows with foreign_worker (the 21st cell; no cell is quoted) as true/false. */
    private static String foreignWorkerAsTrueFalse(String predictions) {
        StringBuilder out = new StringBuilder();
        for (String line : predictions.split("\n")) {
            String[] cells = line.split(",", -1);
            if (cells.length > 20) {
                cells[20] = cells[20].equals("yes") ? "true" : cells[20].equals("no") ? "false" : cells[20];
            }
            out.append(String.join(",", cells)).append('\n');
        }
        return out.toString();
    }

    /** {@link #rowsOfManyChunksComeOutInOrderEachScoredAsAlone}'s input: {@code rows} credit rows, each with its id. */
    private static Path numbered(String name, int rows) throws IOException {
        List<String> lines = Files.readAllLines(data, StandardCharsets.UTF_8);
        StringBuilder csv = new StringBuilder("row_id,").append(lines.get(0)).append('\n');
        for (int i = 0; i < rows; i++) {
            csv.append(i).append(',').append(lines.get(1 + i % (lines.size() - 1))).append('\n');
        }
        return Files.writeString(home.resolve(name), csv.toString(), StandardCharsets.UTF_8);
    }

    private static CliRun predictInBatches(int batchRows, String... args) {
        dev.kiln.data.BatchSize before = PredictCommand.batchSize;
        PredictCommand.batchSize = batchRows > 0 ? dev.kiln.data.BatchSize.rows(batchRows) : before;
        try {
            return CliRun.of(args);
        } finally {
            PredictCommand.batchSize = before;
        }
    }

    /**
     * The input is read a batch at a time: whatever the batch size, and from CSV or Parquet, the output is the same
     * bytes, and the summary counts every row. (DuckDB writes the CSV's yes/no column foreign_worker to Parquet as a
     * BOOLEAN, so the Parquet file says true/false where the CSV says yes/no: each is copied as its file writes it.)
     */
    @Test
    void batchesOfAnySizeWriteTheSameBytes() throws Exception {
        Path csv = numbered("batched.csv", 5000);
        Path parquet = home.resolve("batched.parquet");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
             java.sql.Statement s = c.createStatement()) {
            s.execute("COPY (SELECT * FROM read_csv('" + csv + "')) TO '" + parquet + "' (FORMAT PARQUET)");
        }
        Path reference = home.resolve("batched-whole.csv");
        CliRun whole = predictInBatches(Integer.MAX_VALUE, "predict", "--model", bundle.toString(), "--input", csv.toString(),
                "--output", reference.toString());
        assertThat(whole.exitCode()).as(whole.err()).isZero();
        for (Path input : List.of(csv, parquet)) {
            for (int size : new int[] {0, 1, 999, 2048, 4999}) {
                Path out = home.resolve("batched-out.csv");
                CliRun run = predictInBatches(size, "predict", "--model", bundle.toString(), "--input", input.toString(),
                        "--output", out.toString(), "--json");
                assertThat(run.exitCode()).as(run.err()).isZero();
                assertThat(BadInputTest.json(run.out()).get("rows").asLong()).isEqualTo(5000);
                if (input == csv) {
                    assertThat(Files.mismatch(out, reference)).as("%s in batches of %d", input.getFileName(), size).isEqualTo(-1);
                } else {
                    assertThat(Files.readString(out)).as("%s in batches of %d", input.getFileName(), size)
                            .isEqualTo(foreignWorkerAsTrueFalse(Files.readString(reference)));
                }
            }
        }
    }

    /** A value that does not fit in a late batch: the error names its line, and no output (or temporary file) is left. */
    @Test
    void aBadValueInALateBatchLeavesNoOutput() throws IOException {
        Path input = numbered("late-bad.csv", 3000);
        List<String> lines = new ArrayList<>(Files.readAllLines(input, StandardCharsets.UTF_8));
        String[] cells = lines.get(2800).split(",", -1);
        cells[2] = "soon"; // duration, a number
        lines.set(2800, String.join(",", cells));
        Files.write(input, lines, StandardCharsets.UTF_8);
        Path outDir = Files.createDirectories(home.resolve("late-bad-out"));
        Path out = outDir.resolve("scored.csv");
        CliRun run = predictInBatches(500, "predict", "--model", bundle.toString(), "--input", input.toString(),
                "--output", out.toString());
        assertThat(run.exitCode()).as(run.err()).isNotZero().isNotEqualTo(1);
        assertThat(run.err()).contains("line 2801", "duration", "soon");
        try (var left = Files.list(outDir)) {
            assertThat(left).as("nothing written").isEmpty();
        }
    }
}
