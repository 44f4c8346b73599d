package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.Json;
import dev.kiln.runtime.schema.ColumnType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JSON-lines column whose values are of several kinds (DuckDB types it JSON) holds the values a CSV file of the same
 * data holds: a string's text without its JSON quotes, so that its categories match those of the same data read from
 * CSV; numbers and booleans as their text. Checked on every route that fetches such a column: the whole read, a label,
 * the "other columns" of a predict-like read, a batched read, and the streamed sketch.
 */
class JsonCellsTest {
    @TempDir
    Path dir;

    private static final String[] CELLS_JSON = {"\"x\"", "3", "\"y z\"", "null", "true", "\"say \\\"hi\\\"\"", "\"é\"", "2.5"};
    private static final String[] CELLS_CSV = {"x", "3", "y z", "", "true", "\"say \"\"hi\"\"\"", "é", "2.5"};

    private Path jsonl() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            text.append("{\"id\":").append(i).append(",\"c\":").append(CELLS_JSON[i % CELLS_JSON.length]).append("}\n");
        }
        Path file = dir.resolve("mixed.jsonl");
        Files.writeString(file, text);
        return file;
    }

    private Path csv() throws IOException {
        StringBuilder text = new StringBuilder("id,c\n");
        for (int i = 0; i < 40; i++) {
            text.append(i).append(',').append(CELLS_CSV[i % CELLS_CSV.length]).append('\n');
        }
        Path file = dir.resolve("mixed.csv");
        Files.writeString(file, text);
        return file;
    }

    private static List<Object> values(DataColumn column) {
        List<Object> out = new ArrayList<>();
        for (int r = 0; r < column.size(); r++) {
            out.add(column.isMissing(r) ? null : column.value(r));
        }
        return out;
    }

    @Test
    void aStringInAColumnOfSeveralKindsIsItsTextAsInCsv() throws IOException {
        Path jsonl = jsonl();
        Path csv = csv();
        DataColumn fromJson = DataReader.read(jsonl).column("c");
        DataColumn fromCsv = DataReader.read(csv).column("c");
        assertThat(fromJson.type()).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(values(fromJson)).isEqualTo(values(fromCsv));
        assertThat(values(fromJson)).contains("x", "y z", "say \"hi\"", "é", "3", "true").doesNotContain("\"x\"");

        ReadOptions labelled = ReadOptions.labelled("c");
        assertThat(values(DataReader.read(jsonl, labelled).column("c")))
                .isEqualTo(values(DataReader.read(csv, labelled).column("c")));

        ReadOptions predictLike = ReadOptions.defaults().withTypes(Map.of("id", ColumnType.INTEGER))
                .withOtherColumnsVerbatim();
        List<Object> whole = values(DataReader.read(csv, predictLike).column("c"));
        assertThat(values(DataReader.read(jsonl, predictLike).column("c"))).isEqualTo(whole);
        List<Object> batched = new ArrayList<>();
        BatchedReader.read(jsonl, predictLike, BatchSize.rows(16), batch -> batched.addAll(values(batch.column("c"))));
        assertThat(batched).isEqualTo(whole);

        assertThat(Json.mapper().writeValueAsString(Profiler.profile(jsonl).columns().get(1)))
                .isEqualTo(Json.mapper().writeValueAsString(Profiler.profile(csv).columns().get(1)));
    }

    @Test
    void theStreamedSketchHasTheCsvCategories() throws Exception {
        Path jsonl = jsonl();
        String fromCsv = Json.mapper().writeValueAsString(Sketcher.sketchWithTypes(csv(), ReadOptions.defaults()).sketch());
        Sketcher.wholeFileLimitBytes = 0; // streamed through DuckDB, rows never held
        try {
            String streamed = Json.mapper().writeValueAsString(
                    Sketcher.sketchWithTypes(jsonl, ReadOptions.defaults()).sketch());
            assertThat(streamed).isEqualTo(fromCsv).contains("\"y z\"").doesNotContain("\\\"x\\\"");
        } finally {
            Sketcher.wholeFileLimitBytes = -1;
        }
    }

    @Test
    void onlyAJsonStringLosesItsQuotes() {
        assertThat(JsonCells.text("\"x\"")).isEqualTo("x");
        assertThat(JsonCells.text("\"a\\\"b\\u00e9\"")).isEqualTo("a\"bé");
        assertThat(JsonCells.text("\"\"")).isEmpty();
        assertThat(JsonCells.text("3")).isEqualTo("3");
        assertThat(JsonCells.text("{\"b\":1}")).isEqualTo("{\"b\":1}");
        assertThat(JsonCells.text("\"")).isEqualTo("\"");
        assertThat(JsonCells.text(null)).isNull();
    }
}
