package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.duckdb.DuckDBConnection;

/**
 * Reads Parquet and JSON files through an in-memory DuckDB. Columns are typed by the same {@link SchemaInference}
 * rules as CSV, so a column means the same thing whatever file it came from. {@link #read} fetches every value as
 * text (to concatenate files before typing, and for forced types); {@link #readTyped} fetches DOUBLE, integer and
 * BOOLEAN columns as primitives straight into their columns ({@link TypedColumn}), the same columns as typing their
 * text gives, in a fifth of the time. Positions in errors are 1-based record numbers ("row N").
 */
final class DuckDbReader {
    enum Format {
        PARQUET("Parquet"),
        JSON_LINES("JSON lines"),
        JSON("JSON");

        final String label;

        Format(String label) {
            this.label = label;
        }
    }

    private DuckDbReader() {
    }

    static RawTable read(Path path, Format format) {
        return query(path, format, (rs, names) -> {
            List<RawColumn> columns = new ArrayList<>(names.size());
            for (int c = 0; c < names.size(); c++) {
                columns.add(new RawColumn());
            }
            boolean[] json = JsonCells.columns(rs);
            while (rs.next()) {
                for (int c = 1; c <= names.size(); c++) {
                    columns.get(c - 1).add(JsonCells.string(rs, c, json[c - 1])); // null -> empty text -> missing
                }
            }
            requireRows(path, columns.isEmpty() ? 0 : columns.get(0).size());
            return new RawTable(path.toString(), names, columns, null, "row");
        });
    }

    /**
     * The file's columns as {@code SchemaInference.columns(read(path, format), options)} types them, for options that
     * force no type by name (label columns are honoured). With {@link ReadOptions#otherColumns}, every column not in
     * {@code named} (the columns the caller forces by name, fetched typed here) is fetched as text and converted to
     * that type, as the text route converts it.
     */
    static List<DataColumn> readTyped(Path path, Format format, ReadOptions options, Set<String> named) {
        // Parquet by chunks. JSON lines of the plain shape are parsed here on every core (JsonLinesReader), others by
        // DuckDB through JDBC: there DuckDB's streamed chunks came slower than JDBC's materialized result (1.7-1.8 s
        // against 1.4 s for a million rows x 21 columns, in process), JSON parsing being most of the work. A .json file
        // of such lines too: DuckDB's format detection reads them as JSON lines (JsonLinesReaderPropertiesTest checks
        // it); an array of objects, or objects over several lines, the reader declines at the first line.
        List<DataColumn> fast = switch (format) {
            case PARQUET -> DuckDbChunks.readTyped(path, "SELECT * FROM " + scan(path, format), options, named);
            case JSON_LINES, JSON -> JsonLinesReader.readTyped(path, options, named);
        };
        return fast != null ? fast : readTypedByJdbc(path, format, options, named);
    }

    /** {@link #readTyped} fetching through JDBC, a call per cell: for the types {@link DuckDbChunks} leaves to it. */
    static List<DataColumn> readTypedByJdbc(Path path, Format format, ReadOptions options, Set<String> named) {
        return query(path, format, (rs, names) -> {
            ResultSetMetaData meta = rs.getMetaData();
            List<TypedColumn> typed = new ArrayList<>(names.size());
            for (int c = 1; c <= names.size(); c++) {
                typed.add(TypedColumn.forColumn(names.get(c - 1), meta.getColumnTypeName(c), options, named));
            }
            int rows = 0;
            while (rs.next()) {
                for (int c = 1; c <= names.size(); c++) {
                    typed.get(c - 1).add(rs, c);
                }
                rows++;
            }
            requireRows(path, rows);
            return columns(typed, names, path, options);
        });
    }

    /** The fetched columns, typed; each column's buffers are let go as soon as it is built. */
    static List<DataColumn> columns(List<TypedColumn> typed, List<String> names, Path path, ReadOptions options) {
        List<DataColumn> out = new ArrayList<>(names.size());
        for (int c = 0; c < names.size(); c++) {
            out.add(typed.get(c).column(names.get(c), path.toString(), options));
            typed.set(c, null);
        }
        return out;
    }

    interface Fetch<T> {
        T rows(ResultSet rs, List<String> names) throws SQLException;
    }

    private static <T> T query(Path path, Format format, Fetch<T> fetch) {
        return query(path, format, "*", fetch);
    }

    /**
     * Runs {@code SELECT columns FROM} the file and hands the result to {@code fetch}; {@code columns} is SQL the caller
     * builds from the file's own column names ({@link #quoted}). DuckDB's errors name the file and format.
     */
    static <T> T query(Path path, Format format, String columns, Fetch<T> fetch) {
        return query(path, format, columns, false, fetch);
    }

    /**
     * With {@code streamed}, DuckDB hands the rows over a chunk at a time as they are fetched ({@code jdbc_stream_results})
     * instead of materializing the whole result in native memory first: for a pass that keeps no rows.
     */
    static <T> T query(Path path, Format format, String columns, boolean streamed, Fetch<T> fetch) {
        return run(path, format, "SELECT " + columns + " FROM " + scan(path, format), streamed, fetch);
    }

    /**
     * The file's columns and their types without reading a row ({@code LIMIT 0}: a streamed {@code SELECT *} that is
     * closed at once still started the scan, about 100 ms on a 160 MB Parquet file): {@code fetch} gets an empty result.
     */
    static <T> T describe(Path path, Format format, Fetch<T> fetch) {
        return run(path, format, "SELECT * FROM " + scan(path, format) + " LIMIT 0", false, fetch);
    }

    private static <T> T run(Path path, Format format, String sql, boolean streamed, Fetch<T> fetch) {
        DuckDbLibrary.require();
        try (Connection connection = streamed ? streamingConnection() : connection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            List<String> names = new ArrayList<>(meta.getColumnCount());
            for (int c = 1; c <= meta.getColumnCount(); c++) {
                names.add(meta.getColumnName(c));
            }
            requireRows(path, names.size());
            return fetch.rows(rs, names);
        } catch (SQLException e) {
            throw failure(path, format, e);
        }
    }

    /**
     * DuckDB's error reading {@code path}, naming the file and format; for broken JSON, the line and column where
     * {@link JsonErrors} finds the first error instead of DuckDB's line, which is not the line (details: {@code line},
     * {@code byte_in_line}); for a JSON-lines value DuckDB cannot take, the line of that value (DuckDB counts values).
     */
    static KilnException failure(Path path, Format format, Exception e) {
        String file = path.toString();
        String duckDb = firstLine(e.getMessage());
        if (format != Format.PARQUET && JsonErrors.isSyntaxError(duckDb)) {
            JsonErrors.Location at = format == Format.JSON_LINES
                    ? JsonErrors.firstError(path, true, JsonErrors.valuesBefore(duckDb)) : JsonErrors.firstError(path, false);
            if (at != null) {
                return new KilnException(ErrorCode.DATA_MALFORMED, "cannot read " + file + " as " + format.label
                        + ": line " + at.line() + ", near byte " + at.column() + ": " + at.reason(),
                        Map.of("file", file, "format", format.label, "line", at.line(), "byte_in_line", at.column()), e);
            }
        }
        JsonErrors.Located value = format == Format.JSON_LINES ? JsonErrors.transformErrorOnItsLine(path, duckDb) : null;
        if (value != null) {
            return new KilnException(ErrorCode.DATA_MALFORMED, "cannot read " + file + " as " + format.label + ": "
                    + value.message(), Map.of("file", file, "format", format.label, "line", value.line()), e);
        }
        return new KilnException(ErrorCode.DATA_MALFORMED, "cannot read " + file + " as " + format.label + ": " + duckDb,
                Map.of("file", file, "format", format.label), e);
    }

    private static DuckDBConnection shared;

    /**
     * A connection to this process's one in-memory DuckDB database (a duplicate: each caller closes its own). Opening a
     * database costs about 25 ms and a duplicate about 2; `kiln drift` on Parquet asks DuckDB five or six questions
     * (each file's size in rows, its columns, its rows). Streamed results keep a database of their own, since the
     * streaming option is the database's.
     */
    static synchronized Connection connection() throws SQLException {
        if (shared == null || shared.isClosed()) {
            shared = DriverManager.getConnection("jdbc:duckdb:").unwrap(DuckDBConnection.class);
        }
        return shared.duplicate();
    }

    /**
     * A database of its own whose results come a chunk at a time as they are fetched ({@code jdbc_stream_results}). DuckDB
     * fills a streamed result up to its {@code streaming_buffer_size} ahead of the reader (1 MB by default, about 6,000
     * rows of 21 columns); 16 MB let it run further ahead: `kiln predict` on 1M rows of Parquet took 0.94x the time in
     * four farm-bench pairs, for the same peak memory.
     */
    static Connection streamingConnection() throws SQLException {
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("jdbc_stream_results", "true");
        Connection connection = DriverManager.getConnection("jdbc:duckdb:", properties);
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET streaming_buffer_size = '16MB'");
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    /**
     * The table function that reads the file. JSON objects are always read as a column per key: by default DuckDB reads
     * objects of 200 keys or more whose values share a type as one MAP column named {@code json} (its
     * {@code map_inference_threshold}), which Kiln would have typed as one text column of the whole objects. JSON is
     * typed from every row ({@code sample_size = -1}), as Kiln types CSV: from its first 20,480 rows (the default),
     * DuckDB dropped the values of a column null in those rows, rounded a fraction after them in a column of integers
     * (1.5 became 2), and failed on a key first seen after them, or on a string after numbers, booleans or dates.
     * {@link JsonLinesReader} reads the files of the plain shape without DuckDB and declines those cases.
     */
    static String scan(Path path, Format format) {
        String literal = "'" + path.toString().replace("'", "''") + "'";
        return switch (format) {
            case PARQUET -> "read_parquet(" + literal + ")";
            case JSON_LINES -> "read_json_auto(" + literal
                    + ", format = 'newline_delimited', map_inference_threshold = -1, sample_size = -1)";
            // A .json file may hold JSON lines or one array of objects; DuckDB tells which.
            case JSON -> "read_json_auto(" + literal + ", format = 'auto', map_inference_threshold = -1, sample_size = -1)";
        };
    }

    /** A column name as a quoted SQL identifier. */
    static String quoted(String column) {
        return '"' + column.replace("\"", "\"\"") + '"';
    }

    private static void requireRows(Path path, int count) {
        if (count == 0) {
            throw new KilnException(ErrorCode.DATA_EMPTY, "file " + path + " has no data rows", Map.of("file", path.toString()));
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
