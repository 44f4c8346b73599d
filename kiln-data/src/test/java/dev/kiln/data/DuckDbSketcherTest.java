package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.schema.ColumnType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Parquet or JSON lines file too big to read whole is streamed into its sketches: the same sketches and types as
 * reading it whole, with or without forced types and label columns, across DuckDB's chunks of 2,048 rows; the same
 * error where a value does not fit a forced type; a column only its text can type sends the file to the whole read.
 */
class DuckDbSketcherTest {
    @TempDir
    Path dir;

    private static final ObjectMapper JSON = Json.mapper();

    /** Every kind of column, with nulls, NaN, padded strings and yes/no words, over several of DuckDB's chunks. */
    private static final String TABLE = "SELECT CASE WHEN i % 17 = 0 THEN NULL WHEN i % 19 = 0 THEN 'nan'::DOUBLE "
            + "ELSE i * 0.37 - 500 END AS d, CASE WHEN i % 13 = 0 THEN NULL ELSE i % 1000 - 500 END AS n, i % 3 = 0 AS b, "
            + "CAST(i % 7 AS VARCHAR) AS s_num, CASE WHEN i % 2 = 0 THEN 'yes' ELSE 'no' END AS yn, 'c' || (i % 11) AS cat, "
            + "DATE '2024-01-01' + (i % 30)::INTEGER AS day, CASE WHEN i % 23 = 0 THEN NULL ELSE ' p' || (i % 5) || ' ' END AS padded "
            + "FROM range(5000) t(i)";

    @AfterEach
    void readSmallFilesWhole() {
        Sketcher.wholeFileLimitBytes = -1;
    }

    private Path write(String format, String table) throws Exception {
        Path file = dir.resolve("t-" + Math.abs(table.hashCode()) + "." + format);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (" + table + ") TO '" + file + "' (FORMAT " + (format.equals("parquet") ? "PARQUET" : "JSON") + ")");
        }
        return file;
    }

    /** The sketch and types as JSON, or the error's code. */
    private static String outcome(Supplier<Sketcher.Typed> sketch) {
        try {
            Sketcher.Typed t = sketch.get();
            return JSON.writeValueAsString(t.sketch()) + " " + t.types();
        } catch (KilnException e) {
            return e.code().name();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String streamed(Path file, ReadOptions options) {
        Sketcher.wholeFileLimitBytes = 0;
        try {
            return outcome(() -> Sketcher.sketchWithTypes(file, options));
        } finally {
            Sketcher.wholeFileLimitBytes = -1;
        }
    }

    private static String whole(Path file, ReadOptions options) {
        return outcome(() -> Sketcher.sketchWithTypes(file, options));
    }

    @ParameterizedTest
    @ValueSource(strings = {"parquet", "jsonl"})
    void streamingGivesTheSketchesAndTypesOfTheWholeRead(String format) throws Exception {
        Path file = write(format, TABLE);
        DuckDbReader.Format f = DataReader.duckDbFormat(file);
        assertThat(DuckDbSketcher.sketch(file, f, ReadOptions.defaults(), 1024, 1000)).as("streamed, not read whole").isNotNull();
        String whole = whole(file, ReadOptions.defaults());
        assertThat(whole).contains("\"rows\" : 5000");
        assertThat(streamed(file, ReadOptions.defaults())).isEqualTo(whole);
        ReadOptions labelled = ReadOptions.labelled("yn");
        assertThat(streamed(file, labelled)).isEqualTo(whole(file, labelled)).contains("yn=CATEGORICAL");
        assertThat(Sketcher.sketch(file, ReadOptions.defaults()).rows()).isEqualTo(5000);
    }

    /** Each column forced to each type (and a type for a column the file lacks, which is ignored). */
    @ParameterizedTest
    @ValueSource(strings = {"parquet", "jsonl"})
    void forcedTypesGiveTheWholeReadsSketchesOrItsError(String format) throws Exception {
        Path file = write(format, TABLE);
        int errors = 0;
        for (String column : new String[] {"d", "n", "b", "s_num", "yn", "cat", "day", "padded"}) {
            for (ColumnType type : ColumnType.values()) {
                ReadOptions options = ReadOptions.defaults().withTypes(Map.of(column, type, "absent", ColumnType.NUMERIC));
                String whole = whole(file, options);
                assertThat(streamed(file, options)).as("%s forced %s", column, type).isEqualTo(whole);
                errors += whole.equals("DATA_MALFORMED") ? 1 : 0;
            }
        }
        assertThat(errors).as("pairs that do not fit").isGreaterThan(5);
        ReadOptions allText = ReadOptions.defaults().withOtherColumns(ColumnType.TEXT);
        assertThat(streamed(file, allText)).isEqualTo(whole(file, allText));
    }

    /**
     * An infinity, an all-null DOUBLE column (Parquet; JSON types a column of nulls as JSON, typed from its text) or a
     * 19-digit integer: only their text tells the type, so the file is read whole.
     */
    @ParameterizedTest
    @ValueSource(strings = {"parquet", "jsonl"})
    void columnsOnlyTheirTextCanTypeAreReadWhole(String format) throws Exception {
        for (String table : new String[] {
                "SELECT CASE WHEN i = 3 THEN 'inf'::DOUBLE ELSE i * 0.5 END AS x FROM range(10) t(i)",
                "SELECT NULL::DOUBLE AS x, i AS y FROM range(10) t(i)",
                "SELECT CASE WHEN i = 3 THEN 1234567890123456789 ELSE i END AS x FROM range(10) t(i)"}) {
            Path file = write(format, table);
            if (format.equals("parquet") || !table.contains("NULL::DOUBLE")) {
                assertThat(DuckDbSketcher.sketch(file, DataReader.duckDbFormat(file), ReadOptions.defaults(), 1024, 1000))
                        .as(table).isNull();
            }
            assertThat(streamed(file, ReadOptions.defaults())).as(table).isEqualTo(whole(file, ReadOptions.defaults()));
        }
    }

    /** Compressed Parquet is judged by its cells, not its bytes: a small file of many rows is streamed. */
    @org.junit.jupiter.api.Test
    void aSmallParquetFileOfManyCellsDoesNotFitInMemory() throws Exception {
        Path file = write("parquet", "SELECT 1.5 AS x, i % 2 AS y FROM range(10000) t(i)");
        long size = java.nio.file.Files.size(file);
        Sketcher.wholeFileLimitBytes = 10000 * 2 * 8 - 1;
        assertThat(size).isLessThan(Sketcher.wholeFileLimitBytes);
        assertThat(Sketcher.fitsInMemory(file)).isFalse();
        Sketcher.wholeFileLimitBytes = 10000 * 2 * 8 + 1;
        assertThat(Sketcher.fitsInMemory(file)).isTrue();
        Path jsonl = write("jsonl", "SELECT 1.5 AS x FROM range(10) t(i)");
        Sketcher.wholeFileLimitBytes = java.nio.file.Files.size(jsonl) + 1;
        assertThat(Sketcher.fitsInMemory(jsonl)).as("JSON lines: by its bytes").isTrue();
    }
}
