package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import dev.kiln.runtime.schema.ColumnType;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Fetching DOUBLE, integer and BOOLEAN columns as primitives gives the columns that typing their text gives. */
class DuckDbTypedReadTest {
    @TempDir
    Path dir;

    /** Every column kind, with the values at the edges of the typing rules, nulls and NaN. */
    private static final String TABLE = "SELECT * FROM (VALUES "
            + "(0.1::DOUBLE, 'inf'::DOUBLE, NULL::DOUBLE, 1::BIGINT, 1234567890123456789::BIGINT, 7::INTEGER, 3::TINYINT, "
            + "true, NULL::BOOLEAN, '12', 'yes', DATE '2024-03-01', TIMESTAMP '2024-03-01 12:30:00', 0.5::FLOAT, 1.25::DECIMAL(5,2), 'a b', ' x '),"
            + "((-0.0)::DOUBLE, 1.5::DOUBLE, NULL::DOUBLE, NULL::BIGINT, 5::BIGINT, (-7)::INTEGER, NULL::TINYINT, "
            + "false, NULL::BOOLEAN, '13.5', 'no', NULL::DATE, NULL::TIMESTAMP, NULL::FLOAT, (-3.10)::DECIMAL(5,2), NULL, chr(9) || '=1+1'),"
            + "('nan'::DOUBLE, (-2.0)::DOUBLE, NULL::DOUBLE, (-999999999999999999)::BIGINT, 6::BIGINT, 0::INTEGER, (-128)::TINYINT, "
            + "NULL::BOOLEAN, NULL::BOOLEAN, NULL, 'YES', DATE '1970-01-01', TIMESTAMP '1999-12-31 23:59:59.5', 1e30::FLOAT, 0::DECIMAL(5,2), 'c', 'NA'),"
            + "(1e300::DOUBLE, 0.0::DOUBLE, NULL::DOUBLE, 999999999999999999::BIGINT, 8::BIGINT, 1::INTEGER, 127::TINYINT, "
            + "true, NULL::BOOLEAN, 'NA', 'no', DATE '2024-02-29', NULL::TIMESTAMP, (-0.0)::FLOAT, 99.99::DECIMAL(5,2), '', '  ')"
            + ") AS t(d, d_inf, d_null, big, big19, i, tiny, b, b_null, s_num, s_bool, day, ts, f, dec, s, s_pad)";

    @ParameterizedTest
    @ValueSource(strings = {"parquet", "jsonl"})
    void typedColumnsEqualTheTextRoute(String format) throws Exception {
        Path file = write("t", format, TABLE);
        DuckDbReader.Format f = formatOf(format);
        List<DataColumn> viaText = SchemaInference.columns(DuckDbReader.read(file, f), ReadOptions.defaults());
        List<DataColumn> typed = DuckDbReader.readTyped(file, f, ReadOptions.defaults(), Set.of());
        assertThat(typed).isEqualTo(viaText);
        assertThat(DataReader.read(file).columns()).isEqualTo(viaText);
        // A label column keeps its words: a BOOLEAN label is read as the categories true/false, as from text.
        ReadOptions labelled = ReadOptions.labelled("b");
        List<DataColumn> labels = DuckDbReader.readTyped(file, f, labelled, Set.of());
        assertThat(labels).isEqualTo(SchemaInference.columns(DuckDbReader.read(file, f), labelled));
        assertThat(labels.get(7).type().name()).isEqualTo("CATEGORICAL");
        // The kinds this covers, so that a change in DuckDB's types cannot make the test vacuous.
        assertThat(typed.stream().map(DataColumn::type).map(Enum::name).distinct().sorted().toList())
                .contains("NUMERIC", "INTEGER", "BOOLEAN", "CATEGORICAL");
    }

    /**
     * A column forced to a type (as `kiln drift` reads the current data with the reference's types) is read typed when
     * that gives what converting its text gives, else by the text route: either way the same columns, or the same
     * error, as the text route. Every column, every type, each format; and all columns forced at once.
     */
    @ParameterizedTest
    @ValueSource(strings = {"parquet", "jsonl"})
    void forcedTypesGiveTheColumnsOfTheTextRoute(String format) throws Exception {
        Path file = write("forced", format, TABLE);
        DuckDbReader.Format f = formatOf(format);
        List<DataColumn> inferred = DataReader.read(file).columns();
        RawTable text = DuckDbReader.read(file, f);
        int typedRoute = 0;
        for (DataColumn column : inferred) {
            for (ColumnType type : ColumnType.values()) {
                ReadOptions options = ReadOptions.defaults().withTypes(Map.of(column.name(), type));
                Object viaText = outcome(() -> SchemaInference.columns(text, options));
                Object read = outcome(() -> DataReader.read(file, options).columns());
                assertThat(read).as("%s forced %s", column.name(), type).isEqualTo(viaText);
                if (ForcedTypes.applied(inferred, options.types()) != null) {
                    typedRoute++;
                }
            }
        }
        assertThat(typedRoute).as("pairs read typed").isGreaterThan(5);
        Map<String, ColumnType> allNumeric = new java.util.HashMap<>();
        for (String name : List.of("d", "big", "i", "tiny")) {
            allNumeric.put(name, ColumnType.NUMERIC);
        }
        ReadOptions numeric = ReadOptions.defaults().withTypes(allNumeric);
        assertThat(ForcedTypes.applied(DataReader.read(file).columns(), allNumeric)).isNotNull();
        assertThat(DataReader.read(file, numeric).columns())
                .isEqualTo(SchemaInference.columns(DuckDbReader.read(file, f), numeric));
        ReadOptions missing = ReadOptions.defaults().withTypes(Map.of("nope", ColumnType.NUMERIC));
        assertThat(outcome(() -> DataReader.read(file, missing).columns()))
                .isEqualTo(outcome(() -> SchemaInference.columns(DuckDbReader.read(file, f), missing)));
    }

    /**
     * With a type for every other column ({@link ReadOptions#otherColumns}), as `kiln predict` passes the columns the
     * model does not read through as written: the columns forced by name are still read typed where that is exact, the
     * others converted from their text; either way the same columns, or the same error, as the text route. Every
     * column forced to each type, with two kinds of "other columns".
     */
    @ParameterizedTest
    @ValueSource(strings = {"parquet", "jsonl"})
    void otherColumnsGiveTheColumnsOfTheTextRoute(String format) throws Exception {
        Path file = write("others", format, TABLE);
        DuckDbReader.Format f = formatOf(format);
        RawTable text = DuckDbReader.read(file, f);
        // Verbatim text (kiln predict), and numbers, which fail on some columns and so test which error comes first.
        List<ReadOptions> others = List.of(ReadOptions.defaults().withOtherColumnsVerbatim(),
                ReadOptions.defaults().withOtherColumns(ColumnType.NUMERIC));
        for (ReadOptions base : others) {
            Object all = outcome(() -> DataReader.read(file, base).columns());
            assertThat(all).isEqualTo(outcome(() -> SchemaInference.columns(text, base)));
            for (DataColumn column : DataReader.read(file).columns()) {
                for (ColumnType type : ColumnType.values()) {
                    ReadOptions options = base.withTypes(Map.of(column.name(), type));
                    assertThat(outcome(() -> DataReader.read(file, options).columns()))
                            .as("%s forced %s, others %s", column.name(), type, base.otherColumns())
                            .isEqualTo(outcome(() -> SchemaInference.columns(text, options)));
                }
            }
        }
        // Verbatim keeps what the file holds: the leading tab and the spaces around a value.
        List<DataColumn> verbatim = DataReader.read(file, ReadOptions.defaults().withOtherColumnsVerbatim()).columns();
        StringColumn padded = (StringColumn) verbatim.get(verbatim.size() - 1);
        assertThat(padded.values()).containsExactly(" x ", "\t=1+1", null, null); // NA and blank are missing
    }

    /**
     * The plain types are fetched a chunk at a time ({@link DuckDbChunks}): the same columns, or the same error, as
     * JDBC's fetch, across several of DuckDB's chunks, with nulls, NaN, infinities, -0.0, 19-digit integers, label
     * columns and "other columns" as text or numbers; a file with any other type is left to JDBC.
     */
    @ParameterizedTest
    @ValueSource(strings = {"parquet", "jsonl"})
    void chunksGiveWhatJdbcGives(String format) throws Exception {
        String plain = "SELECT CASE WHEN i % 7 = 0 THEN NULL WHEN i % 11 = 0 THEN 'nan'::DOUBLE WHEN i = 5 THEN 'inf'::DOUBLE "
                + "WHEN i = 6 THEN (-0.0)::DOUBLE ELSE i * 0.25 END AS d, "
                + "CASE WHEN i % 5 = 0 THEN NULL ELSE i * 1000000007 END AS big, "
                + "CASE WHEN i = 9 THEN 1234567890123456789 ELSE i END AS big19, "
                + "(i % 1000)::INTEGER AS int, (i % 300)::SMALLINT AS small, (i % 100 - 50)::TINYINT AS tiny, "
                + "CASE WHEN i % 3 = 0 THEN NULL ELSE i % 2 = 0 END AS b, "
                + "CASE WHEN i % 4 = 0 THEN 'yes' ELSE 'no' END AS s_bool, "
                + "CASE WHEN i % 13 = 0 THEN NULL WHEN i % 17 = 0 THEN 'NA' ELSE 'w' || (i % 37) || ' é' END AS s, "
                + "CAST(i % 9 AS VARCHAR) AS s_num FROM range(5000) t(i)";
        Path file = write("plain", format, plain);
        DuckDbReader.Format f = formatOf(format);
        String sql = "SELECT * FROM " + (format.equals("parquet") ? "read_parquet('" + file + "')"
                : "read_json_auto('" + file + "', format = 'newline_delimited')");
        List<ReadOptions> options = List.of(ReadOptions.defaults(), ReadOptions.labelled("b"), ReadOptions.labelled("s_bool"),
                ReadOptions.defaults().withOtherColumnsVerbatim(), ReadOptions.defaults().withOtherColumns(ColumnType.NUMERIC),
                ReadOptions.defaults().withOtherColumnsVerbatim().withTypes(Map.of("d", ColumnType.NUMERIC)));
        for (ReadOptions o : options) {
            Set<String> named = o.types().keySet();
            Object byJdbc = outcome(() -> DuckDbReader.readTypedByJdbc(file, f, o, named));
            Object byChunks = outcome(() -> DuckDbChunks.readTyped(file, sql, o, named));
            // DuckDB reads JSON's small integers as HUGEINT, which is left to JDBC; Parquet keeps the written types.
            if (format.equals("parquet")) {
                assertThat(byChunks).as("%s read by chunks", o).isNotNull();
            }
            if (byChunks != null) {
                assertThat(byChunks).as("%s", o).isEqualTo(byJdbc);
            }
        }
        assertThat(DuckDbChunks.readTyped(write("withDate", format, TABLE), "SELECT * FROM read_parquet('"
                + dir.resolve("withDate." + format) + "')", ReadOptions.defaults(), Set.of())).as("a DATE column").isNull();
    }

    /** {@code table} (SQL) written by DuckDB as {@code name.format}: Parquet or JSON lines. */
    private Path write(String name, String format, String table) throws Exception {
        Path file = dir.resolve(name + "." + format);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (" + table + ") TO '" + file + "' (FORMAT " + (format.equals("parquet") ? "PARQUET" : "JSON") + ")");
        }
        return file;
    }

    private static DuckDbReader.Format formatOf(String format) {
        return format.equals("parquet") ? DuckDbReader.Format.PARQUET : DuckDbReader.Format.JSON_LINES;
    }

    /** The columns, or the error's code and message. */
    private static Object outcome(java.util.function.Supplier<Object> read) {
        try {
            return read.get();
        } catch (dev.kiln.runtime.KilnException e) {
            return e.code() + ": " + e.getMessage();
        }
    }

    /** Values are gathered in blocks of {@link TypedColumn#BLOCK}: rows across several blocks, nulls on their edges. */
    @ParameterizedTest
    @ValueSource(strings = {"parquet", "jsonl"})
    void columnsLongerThanABlockAreJoinedInOrder(String format) throws Exception {
        int rows = 2 * TypedColumn.BLOCK + 7;
        String table = "SELECT CASE WHEN i % " + TypedColumn.BLOCK + " IN (0, " + (TypedColumn.BLOCK - 1)
                + ") THEN NULL ELSE i * 0.5 END AS d, CASE WHEN i % 3 = 0 THEN NULL ELSE i - 100000 END AS n, "
                + "i % 2 = 0 AS b FROM range(" + rows + ") t(i)";
        Path file = write("long", format, table);
        DuckDbReader.Format f = formatOf(format);
        List<DataColumn> typed = DuckDbReader.readTyped(file, f, ReadOptions.defaults(), Set.of());
        assertThat(typed).isEqualTo(SchemaInference.columns(DuckDbReader.read(file, f), ReadOptions.defaults()));
        double[] d = ((NumericColumn) typed.get(0)).values();
        assertThat(d).hasSize(rows);
        assertThat(d[TypedColumn.BLOCK - 1]).isNaN();
        assertThat(d[TypedColumn.BLOCK + 1]).isEqualTo((TypedColumn.BLOCK + 1) * 0.5);
        assertThat(d[rows - 1]).isEqualTo((rows - 1) * 0.5);
        assertThat(((NumericColumn) typed.get(1)).values()[rows - 1]).isEqualTo(rows - 1 - 100000);
    }
}
