package dev.kiln.data;

import static dev.kiln.data.Fixtures.assertKiln;
import static dev.kiln.data.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.schema.ColumnType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataReaderTest {
    @TempDir
    Path dir;

    /** Several typed columns missing: the first in the order given is named, the same one on every run. */
    @Test
    void aFileLackingSeveralTypedColumnsNamesTheFirstGiven() throws Exception {
        Path file = Files.writeString(dir.resolve("few.csv"), "a,b\n1,2\n");
        java.util.Map<String, ColumnType> types = new java.util.LinkedHashMap<>();
        for (String name : new String[] {"m5", "m1", "m9", "m3", "m7"}) {
            types.put(name, ColumnType.NUMERIC);
        }
        ReadOptions options = ReadOptions.defaults().withTypes(types).withOtherColumnsVerbatim();
        assertThat(options.types().keySet()).containsExactly("m5", "m1", "m9", "m3", "m7");
        assertKiln(() -> DataReader.read(file, options), ErrorCode.COLUMN_MISSING)
                .hasMessageContaining("column 'm5'");
    }

    @Test
    void missingFileDirectoryAndUnknownExtension() {
        assertKiln(() -> DataReader.read(dir.resolve("nope.csv")), ErrorCode.FILE_NOT_FOUND)
                .hasMessageContaining("file not found").hasMessageContaining("nope.csv");
        // A directory is read now (every data file under it); one without any data file is still refused.
        assertKiln(() -> DataReader.read(dir), ErrorCode.INVALID_ARGUMENT).hasMessageContaining("is a directory")
                .hasMessageContaining("no data file");
        Path xlsx = write(dir, "book.xlsx", "whatever");
        assertKiln(() -> DataReader.read(xlsx), ErrorCode.DATA_UNSUPPORTED_FORMAT)
                .hasMessageContaining("book.xlsx").hasMessageContaining(".csv");
        assertKiln(() -> DatasetVersion.sha256(dir.resolve("gone")), ErrorCode.FILE_NOT_FOUND);
    }

    @Test
    void sourceIsTheCanonicalPath() throws Exception {
        Path f = write(dir, "d.csv", "a\n1\n");
        Path sub = Files.createDirectory(dir.resolve("sub"));
        DataFrame df = DataReader.read(sub.resolve("../d.csv"));
        assertThat(df.source()).isEqualTo(f.toRealPath().toString());
        assertThat(df.sha256()).isEqualTo(DatasetVersion.sha256(f));
    }

    @Test
    void txtIsDelimitedText() {
        DataFrame df = DataReader.read(write(dir, "d.txt", "a;b\n1;2\n"));
        assertThat(df.names()).containsExactly("a", "b");
    }

    private void duck(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static final String SAMPLE = "SELECT * FROM (VALUES "
            + "(1, 2.5, 'red', true, DATE '2014-03-01', TIMESTAMP '2014-03-01 12:30:00'), "
            + "(2, NULL, 'blue', false, DATE '2014-03-02', NULL), "
            + "(3, 4.0, NULL, NULL, NULL, TIMESTAMP '2014-03-03 00:00:00.250')"
            + ") t(id, score, color, flag, day, ts)";

    private void assertSample(DataFrame df) {
        assertThat(df.rowCount()).isEqualTo(3);
        assertThat(df.names()).containsExactly("id", "score", "color", "flag", "day", "ts");
        assertThat(df.column("id").type()).isEqualTo(ColumnType.INTEGER);
        assertThat(df.column("score").type()).isEqualTo(ColumnType.NUMERIC);
        assertThat(df.column("color").type()).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(df.column("flag").type()).isEqualTo(ColumnType.BOOLEAN);
        assertThat(df.column("day").type()).isEqualTo(ColumnType.DATETIME);
        assertThat(df.column("ts").type()).isEqualTo(ColumnType.DATETIME);
        assertThat(df.column("score").isMissing(1)).isTrue();
        assertThat(df.column("color").isMissing(2)).isTrue();
        assertThat(df.column("flag").value(0)).isEqualTo(1.0);
        assertThat(df.column("day").value(1)).isEqualTo(1393718400000.0);
        assertThat(df.column("ts").value(0)).isEqualTo(1393632000000.0 + 45_000_000);
        assertThat(df.column("ts").value(2)).isEqualTo(1393804800250.0);
    }

    @Test
    void parquetRoundTrip() throws Exception {
        Path f = dir.resolve("d.parquet");
        duck("COPY (" + SAMPLE + ") TO '" + f + "' (FORMAT PARQUET)");
        DataFrame df = DataReader.read(f);
        assertSample(df);
        assertThat(df.sha256()).isEqualTo(DatasetVersion.sha256(f));
    }

    @Test
    void jsonLinesRoundTrip() throws Exception {
        Path f = dir.resolve("d.jsonl");
        duck("COPY (" + SAMPLE + ") TO '" + f + "' (FORMAT JSON)");
        assertSample(DataReader.read(f));
        Path ndjson = write(dir, "e.ndjson", Files.readAllBytes(f));
        assertSample(DataReader.read(ndjson));
        Path json = write(dir, "e.json", Files.readAllBytes(f));
        assertSample(DataReader.read(json));
    }

    @Test
    void jsonArrayFile() {
        Path f = write(dir, "a.json", "[{\"a\": 1, \"b\": \"x\"}, {\"a\": 2, \"b\": null}]");
        DataFrame df = DataReader.read(f);
        assertThat(df.rowCount()).isEqualTo(2);
        assertThat(df.column("b").isMissing(1)).isTrue();
    }

    @Test
    void brokenParquetAndJson() {
        Path parquet = write(dir, "bad.parquet", "this is not parquet");
        assertKiln(() -> DataReader.read(parquet), ErrorCode.DATA_MALFORMED)
                .hasMessageContaining("bad.parquet").hasMessageContaining("Parquet");
        Path json = write(dir, "bad.jsonl", "{\"a\": 1}\n{\"a\": \n");
        assertKiln(() -> DataReader.read(json), ErrorCode.DATA_MALFORMED).hasMessageContaining("bad.jsonl");
        Path empty = write(dir, "empty.jsonl", "");
        assertKiln(() -> DataReader.read(empty), ErrorCode.DATA_EMPTY);
    }

    @Test
    void emptyParquet() throws Exception {
        Path f = dir.resolve("none.parquet");
        duck("COPY (SELECT 1 AS a WHERE false) TO '" + f + "' (FORMAT PARQUET)");
        assertKiln(() -> DataReader.read(f), ErrorCode.DATA_EMPTY).hasMessageContaining("no data rows");
    }

    @Test
    void forcedTypeOnParquetNamesTheRow() throws Exception {
        Path f = dir.resolve("d.parquet");
        duck("COPY (" + SAMPLE + ") TO '" + f + "' (FORMAT PARQUET)");
        assertKiln(() -> DataReader.read(f, ReadOptions.defaults().withTypes(java.util.Map.of("color", ColumnType.NUMERIC))),
                ErrorCode.DATA_MALFORMED).hasMessageContaining("row 1, column 'color': value 'red' is not a number");
    }

    @Test
    void otherColumnsCanPassThroughAsText() throws Exception {
        Path csv = dir.resolve("p.csv");
        Files.writeString(csv, "id,x,flag\n007,1.50,yes\n010,2,no\n");
        DataFrame f = DataReader.read(csv, ReadOptions.defaults()
                .withTypes(java.util.Map.of("x", ColumnType.NUMERIC)).withOtherColumns(ColumnType.TEXT));
        assertThat(f.column("x").type()).isEqualTo(ColumnType.NUMERIC);
        assertThat(f.column("id").value(0)).as("not read as the number 7").isEqualTo("007");
        assertThat(f.column("flag").value(1)).as("not read as a boolean").isEqualTo("no");
    }
}
