package dev.kiln.data;

import static dev.kiln.data.Fixtures.assertKiln;
import static dev.kiln.data.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.profile.DatasetSketch;
import dev.kiln.runtime.schema.ColumnType;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SketcherTest {
    @TempDir
    Path dir;

    private static String json(DatasetSketch s) throws Exception {
        return Json.mapper().writeValueAsString(s);
    }

    @Test
    void streamedCsvEqualsSketchOfTheFrame() throws Exception {
        StringBuilder csv = new StringBuilder("id,amount,flag,day,city,note\n");
        for (int i = 0; i < 5000; i++) {
            csv.append(i).append(',')
                    .append(i % 13 == 0 ? "NA" : String.valueOf((i * 37 % 1000) / 10.0)).append(',')
                    .append(i % 2 == 0 ? "yes" : "no").append(',')
                    .append("2024-02-").append(String.format("%02d", 1 + i % 28)).append(',')
                    .append(i % 17 == 0 ? "" : "c" + i % 9).append(',')
                    .append("\"a rather long free text note number ").append(i).append(" with spaces\"\n");
        }
        Path f = write(dir, "d.csv", csv.toString());
        DatasetSketch streamed = Sketcher.sketch(f, ReadOptions.defaults());
        DatasetSketch viaFrame = Sketcher.sketch(DataReader.read(f));
        assertThat(json(streamed)).isEqualTo(json(viaFrame));
        assertThat(streamed.rows()).isEqualTo(5000);
        assertThat(streamed.column("id").type()).isEqualTo(ColumnType.INTEGER);
        assertThat(streamed.column("amount").type()).isEqualTo(ColumnType.NUMERIC);
        assertThat(streamed.column("amount").missing()).isEqualTo(385); // ceil(5000/13)
        assertThat(streamed.column("flag").type()).isEqualTo(ColumnType.BOOLEAN);
        assertThat(streamed.column("day").type()).isEqualTo(ColumnType.DATETIME);
        assertThat(streamed.column("city").type()).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(streamed.column("note").type()).isEqualTo(ColumnType.TEXT);
    }

    @Test
    void forcedTypesApplyAndTypesForAbsentColumnsAreIgnored() {
        Path f = write(dir, "d.csv", "a,b\n1,x\n2,y\n");
        DatasetSketch s = Sketcher.sketch(f, ReadOptions.defaults().withTypes(
                Map.of("a", ColumnType.NUMERIC, "b", ColumnType.CATEGORICAL, "gone", ColumnType.INTEGER)));
        assertThat(s.names()).containsExactly("a", "b");
        assertThat(s.column("a").type()).isEqualTo(ColumnType.NUMERIC);
        assertThat(s.column("a").quantiles().sortedValues()).containsExactly(1, 2);
    }

    @Test
    void valueNotFittingAForcedTypeNamesTheLine() {
        Path f = write(dir, "d.csv", "a,b\n1,x\n\"2\",y\n\n2.5,z\n");
        assertKiln(() -> Sketcher.sketch(f, ReadOptions.defaults().withTypes(Map.of("a", ColumnType.INTEGER))),
                ErrorCode.DATA_MALFORMED)
                .hasMessageEndingWith("line 5, column 'a': value '2.5' is not an integer (the column's type is set to integer)");
    }

    @Test
    void parseErrorsAreTheReadersErrors() {
        Path f = write(dir, "d.csv", "a,b\n1,x\n2\n");
        assertKiln(() -> Sketcher.sketch(f, ReadOptions.defaults()), ErrorCode.DATA_MALFORMED)
                .hasMessageEndingWith("line 3: expected 2 fields, found 1");
        Path empty = write(dir, "e.csv", "a,b\n");
        assertKiln(() -> Sketcher.sketch(empty, ReadOptions.defaults()), ErrorCode.DATA_EMPTY);
        assertKiln(() -> Sketcher.sketch(dir.resolve("nope.csv"), ReadOptions.defaults()), ErrorCode.FILE_NOT_FOUND);
    }

    @Test
    void tsvAndJsonLines() throws Exception {
        Path tsv = write(dir, "d.tsv", "a\tb\n1\tx\n2\ty\n");
        assertThat(Sketcher.sketch(tsv, null).column("b").categories().counts()).isEqualTo(Map.of("x", 1L, "y", 1L));
        Path jsonl = write(dir, "d.jsonl", "{\"a\": 1, \"b\": \"x\"}\n{\"a\": 3, \"b\": null}\n");
        DatasetSketch s = Sketcher.sketch(jsonl, ReadOptions.defaults().withTypes(Map.of("a", ColumnType.NUMERIC,
                "zzz", ColumnType.NUMERIC)));
        assertThat(s.rows()).isEqualTo(2);
        assertThat(s.column("a").type()).isEqualTo(ColumnType.NUMERIC);
        assertThat(s.column("b").missing()).isEqualTo(1);
    }
}
