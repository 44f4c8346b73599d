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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

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
            while (rs.next()) {
                for (int c = 1; c <= names.size(); c++) {
                    columns.get(c - 1).add(rs.getString(c)); // null -> empty text -> missing
                }
            }
            requireRows(path, columns.isEmpty() ? 0 : columns.get(0).size());
            return new RawTable(path.toString(), names, columns, null, "row");
        });
    }

    /**
     * The file's columns as {@code SchemaInference.columns(read(path, format), options)} types them, for options that
     * force no type (label columns are honoured).
     */
    static List<DataColumn> readTyped(Path path, Format format, ReadOptions options) {
        List<RowRange> ranges = format == Format.PARQUET ? parquetRanges(path) : List.of(RowRange.ALL);
        List<List<TypedColumn>> parts;
        List<String> names;
        if (ranges.size() == 1) {
            Fetched one = fetchTyped(path, format, options, RowRange.ALL);
            names = one.names();
            parts = List.of(one.columns());
        } else {
            // Row ranges of a Parquet file on one connection each, in parallel: JDBC hands out values one at a time,
            // on the thread that asks, and that was the read's longest part.
            ExecutorService pool = Executors.newFixedThreadPool(ranges.size(), r -> {
                Thread t = new Thread(r, "kiln-parquet");
                t.setDaemon(true);
                return t;
            });
            List<Fetched> fetched = new ArrayList<>();
            try {
                List<CompletableFuture<Fetched>> futures = new ArrayList<>();
                for (RowRange range : ranges) {
                    futures.add(CompletableFuture.supplyAsync(() -> fetchTyped(path, format, options, range), pool));
                }
                for (CompletableFuture<Fetched> f : futures) {
                    fetched.add(joined(f));
                }
            } finally {
                pool.shutdownNow();
            }
            names = fetched.get(0).names();
            parts = fetched.stream().map(Fetched::columns).toList();
        }
        List<TypedColumn> typed = new ArrayList<>(parts.get(0));
        for (int p = 1; p < parts.size(); p++) {
            for (int c = 0; c < typed.size(); c++) {
                typed.get(c).append(parts.get(p).get(c));
            }
        }
        requireRows(path, typed.isEmpty() ? 0 : typed.get(0).size());
        List<DataColumn> out = new ArrayList<>(names.size());
        for (int c = 0; c < names.size(); c++) {
            out.add(typed.get(c).column(names.get(c), path.toString(), options));
            typed.set(c, null); // let each column's buffers go as soon as it is built
        }
        return out;
    }

    /** Rows {@code [from, to)} of a file by their position in it; {@link #ALL} for every row. */
    record RowRange(long from, long to) {
        static final RowRange ALL = new RowRange(-1, -1);
    }

    private record Fetched(List<String> names, List<TypedColumn> columns) {
    }

    /** A Parquet file is fetched in this many row ranges at most, each of at least {@link #minRangeRows} rows. */
    static final int MAX_RANGES = 4;
    /** Tests lower it to split small files. */
    static volatile long minRangeRows = 1L << 18;

    /**
     * How to split a Parquet file's rows between connections: one range per core (at most {@value #MAX_RANGES}) when
     * the file has enough rows, else one. Its row count comes from the file's footer. A file with a column named
     * {@code file_row_number} (the name DuckDB gives the position the ranges filter on) is read in one range.
     */
    static List<RowRange> parquetRanges(Path path) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (cores < 2) {
            return List.of(RowRange.ALL);
        }
        long rows = query(path, Format.PARQUET, "SELECT count(*) AS n, list_contains((SELECT list(name) FROM "
                + "parquet_schema(" + literal(path) + ")), 'file_row_number') AS clash FROM " + scan(path, Format.PARQUET),
                (rs, names) -> {
                    rs.next();
                    return rs.getBoolean(2) ? -1L : rs.getLong(1);
                });
        int n = (int) Math.min(Math.min(cores, MAX_RANGES), rows < 0 ? 1 : rows / Math.max(1, minRangeRows));
        if (n < 2) {
            return List.of(RowRange.ALL);
        }
        List<RowRange> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            out.add(new RowRange(rows * k / n, k == n - 1 ? Long.MAX_VALUE : rows * (k + 1) / n));
        }
        return out;
    }

    private static Fetched fetchTyped(Path path, Format format, ReadOptions options, RowRange range) {
        String sql = range == RowRange.ALL ? "SELECT * FROM " + scan(path, format)
                : "SELECT * EXCLUDE (file_row_number) FROM read_parquet(" + literal(path) + ", file_row_number = true) "
                        + "WHERE file_row_number >= " + range.from() + " AND file_row_number < " + range.to();
        return query(path, format, sql, (rs, names) -> {
            ResultSetMetaData meta = rs.getMetaData();
            List<TypedColumn> typed = new ArrayList<>(names.size());
            for (int c = 1; c <= names.size(); c++) {
                boolean label = options.labelColumns().contains(names.get(c - 1));
                typed.add(TypedColumn.of(label ? "VARCHAR" : meta.getColumnTypeName(c)));
            }
            while (rs.next()) {
                for (int c = 1; c <= names.size(); c++) {
                    typed.get(c - 1).add(rs, c);
                }
            }
            return new Fetched(names, typed);
        });
    }

    private static <T> T joined(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private interface Fetch<T> {
        T rows(ResultSet rs, List<String> names) throws SQLException;
    }

    private static String literal(Path path) {
        return "'" + path.toString().replace("'", "''") + "'";
    }

    private static String scan(Path path, Format format) {
        String literal = literal(path);
        return switch (format) {
            case PARQUET -> "read_parquet(" + literal + ")";
            case JSON_LINES -> "read_json_auto(" + literal + ", format = 'newline_delimited')";
            // A .json file may hold JSON lines or one array of objects; DuckDB tells which.
            case JSON -> "read_json_auto(" + literal + ", format = 'auto')";
        };
    }

    private static <T> T query(Path path, Format format, Fetch<T> fetch) {
        return query(path, format, "SELECT * FROM " + scan(path, format), fetch);
    }

    private static <T> T query(Path path, Format format, String sql, Fetch<T> fetch) {
        String file = path.toString();
        DuckDbLibrary.require();
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
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
            throw new KilnException(ErrorCode.DATA_MALFORMED,
                    "cannot read " + file + " as " + format.label + ": " + firstLine(e.getMessage()),
                    Map.of("file", file, "format", format.label), e);
        }
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
