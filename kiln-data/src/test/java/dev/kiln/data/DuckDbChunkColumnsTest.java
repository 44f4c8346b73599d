package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.Json;
import dev.kiln.runtime.profile.CategoryCounts;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.runtime.profile.QuantileSketch;
import dev.kiln.runtime.schema.ColumnType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Parquet file sketched as DuckDB's chunks are fetched ({@link DuckDbChunkColumns}) gives the sketches and types of
 * reading it whole and sketching the frame, or declines where the whole read types a column otherwise.
 */
class DuckDbChunkColumnsTest {
    @TempDir
    Path dir;

    /** Numbers, integers, booleans and text over several of DuckDB's chunks, with nulls, NaN and -0.0. */
    private static final String PLAIN = "SELECT CASE WHEN i % 7 = 0 THEN NULL WHEN i % 11 = 0 THEN 'nan'::DOUBLE "
            + "WHEN i = 6 THEN (-0.0)::DOUBLE ELSE (i * 0.37) % 101 END AS d, "
            + "CASE WHEN i % 5 = 0 THEN NULL ELSE i * 1000000007 END AS big, (i % 300)::SMALLINT AS small, "
            + "CASE WHEN i % 3 = 0 THEN NULL ELSE i % 2 = 0 END AS b, "
            + "CASE WHEN i % 4 = 0 THEN 'yes' ELSE 'no' END AS s_bool, "
            + "CASE WHEN i % 13 = 0 THEN NULL ELSE 'w' || (i % 37) END AS s, CAST(i % 9 AS VARCHAR) AS s_num "
            + "FROM range(9000) t(i)";

    @Test
    void theSketchesAndTypesOfTheWholeRead() throws Exception {
        Path file = parquet("plain", PLAIN);
        Sketcher.Typed sketched = DuckDbChunkColumns.sketch(file, ReadOptions.defaults(), 16, 10, true);
        assertThat(sketched).isNotNull();
        assertThat(text(sketched)).isEqualTo(text(whole(file, ReadOptions.defaults(), 16, 10)));
        assertThat(sketched.types()).containsEntry("d", ColumnType.NUMERIC).containsEntry("big", ColumnType.INTEGER)
                .containsEntry("b", ColumnType.BOOLEAN).containsEntry("s_bool", ColumnType.BOOLEAN)
                .containsEntry("s_num", ColumnType.INTEGER);
        // Forced to the types they have (drift reads the current file with the reference's types): the same.
        ReadOptions forced = ReadOptions.defaults().withTypes(Map.of("d", ColumnType.NUMERIC, "big", ColumnType.INTEGER,
                "absent", ColumnType.NUMERIC));
        Sketcher.Typed withTypes = DuckDbChunkColumns.sketch(file, forced, 16, 10, true);
        assertThat(withTypes).isNotNull();
        assertThat(text(withTypes)).isEqualTo(text(sketched));
        // Sketcher takes this way for Parquet, whatever the file's size when no column is text.
        assertThat(text(Sketcher.sketchWithTypes(file, ReadOptions.defaults()))).isEqualTo(text(
                DuckDbChunkColumns.sketch(file, ReadOptions.defaults(), QuantileSketch.DEFAULT_K, CategoryCounts.DEFAULT_MAX_CATEGORIES, true)));
    }

    @Test
    void whatTheWholeReadTypesOtherwiseIsDeclined() throws Exception {
        Path infinity = parquet("inf", "SELECT CASE WHEN i = 3 THEN 'inf'::DOUBLE ELSE i * 0.5 END AS d FROM range(10) t(i)");
        assertThat(DuckDbChunkColumns.sketch(infinity, ReadOptions.defaults(), 16, 10, true)).isNull();
        Path empty = parquet("nulls", "SELECT NULL::DOUBLE AS d, i AS n FROM range(10) t(i)");
        assertThat(DuckDbChunkColumns.sketch(empty, ReadOptions.defaults(), 16, 10, true)).isNull();
        Path long19 = parquet("long", "SELECT 1234567890123456789 + i AS n FROM range(10) t(i)");
        assertThat(DuckDbChunkColumns.sketch(long19, ReadOptions.defaults(), 16, 10, true)).isNull();
        Path date = parquet("date", "SELECT DATE '2024-01-01' + i::INTEGER AS day, i AS n FROM range(10) t(i)");
        assertThat(DuckDbChunkColumns.sketch(date, ReadOptions.defaults(), 16, 10, true)).isNull();
        Path plain = parquet("plain", PLAIN);
        assertThat(DuckDbChunkColumns.sketch(plain, ReadOptions.labelled("b"), 16, 10, true)).isNull();
        assertThat(DuckDbChunkColumns.sketch(plain, ReadOptions.defaults().withTypes(Map.of("d", ColumnType.TEXT)), 16,
                10, true)).isNull();
        assertThat(DuckDbChunkColumns.sketch(plain, ReadOptions.defaults(), 16, 10, false)).as("text, too big").isNull();
        Path numbers = parquet("numbers", "SELECT i * 0.5::DOUBLE AS d, i % 2 = 0 AS b FROM range(5000) t(i)");
        // Too big to read whole: streamed from DuckDB instead of materialized, the same sketches.
        Sketcher.Typed streamed = DuckDbChunkColumns.sketch(numbers, ReadOptions.defaults(), 16, 10, false);
        assertThat(streamed).isNotNull();
        assertThat(text(streamed)).isEqualTo(text(DuckDbChunkColumns.sketch(numbers, ReadOptions.defaults(), 16, 10, true)));
        // Each declined file still sketches as before, through the whole read.
        for (Path file : new Path[] {infinity, empty, long19, date}) {
            assertThat(text(Sketcher.sketchWithTypes(file, ReadOptions.defaults()))).isEqualTo(text(whole(file,
                    ReadOptions.defaults(), QuantileSketch.DEFAULT_K, CategoryCounts.DEFAULT_MAX_CATEGORIES)));
        }
    }

    /**
     * Profiled as its chunks are fetched ({@link DuckDbChunkColumns#profile}, the rows counted first), a file gives the
     * profile of reading it whole and profiling the frame; a file the whole read types otherwise is declined, and
     * {@link Profiler#profile(Path)} then reads it whole.
     */
    @Test
    void theProfileOfTheWholeRead() throws Exception {
        Path plain = parquet("plain", PLAIN);
        DatasetProfile profiled = DuckDbChunkColumns.profile(plain);
        assertThat(profiled).isNotNull();
        assertThat(Json.mapper().writeValueAsString(profiled))
                .isEqualTo(Json.mapper().writeValueAsString(Profiler.profile(DataReader.read(plain))));
        assertThat(profiled.column("d").orElseThrow().type()).isEqualTo("numeric");
        assertThat(profiled.column("s").orElseThrow().type()).isEqualTo("categorical");
        Path infinity = parquet("inf", "SELECT CASE WHEN i = 3 THEN 'inf'::DOUBLE ELSE i * 0.5 END AS d FROM range(10) t(i)");
        Path empty = parquet("nulls", "SELECT NULL::DOUBLE AS d, i AS n FROM range(10) t(i)");
        Path date = parquet("date", "SELECT DATE '2024-01-01' + i::INTEGER AS day, i AS n FROM range(10) t(i)");
        for (Path file : new Path[] {infinity, empty, date}) {
            assertThat(DuckDbChunkColumns.profile(file)).as(file.toString()).isNull();
            assertThat(Json.mapper().writeValueAsString(Profiler.profile(file)))
                    .isEqualTo(Json.mapper().writeValueAsString(Profiler.profile(DataReader.read(file))));
        }
        for (Path file : new Path[] {plain, infinity}) {
            assertThat(Json.mapper().writeValueAsString(Profiler.profile(file)))
                    .isEqualTo(Json.mapper().writeValueAsString(Profiler.profile(DataReader.read(file))));
        }
    }

    private static Sketcher.Typed whole(Path file, ReadOptions options, int k, int maxCategories) {
        DataFrame frame = DataReader.read(file, options);
        Map<String, ColumnType> types = new LinkedHashMap<>();
        for (DataColumn column : frame.columns()) {
            types.put(column.name(), column.type());
        }
        return new Sketcher.Typed(Sketcher.sketch(frame, k, maxCategories), types);
    }

    private static String text(Sketcher.Typed typed) throws Exception {
        return typed.types() + "\n" + Json.mapper().writeValueAsString(typed.sketch());
    }

    private Path parquet(String name, String table) throws Exception {
        Path file = dir.resolve(name + ".parquet");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (" + table + ") TO '" + file + "' (FORMAT PARQUET)");
        }
        return file;
    }
}
