package dev.kiln.data;

import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.runtime.schema.ColumnType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Supplier;
import org.duckdb.DuckDBChunkedResult;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBDataChunkReader;
import org.duckdb.DuckDBFunctions;
import org.duckdb.DuckDBPreparedStatement;
import org.duckdb.DuckDBReadableVector;

/**
 * Sketches or profiles a Parquet file as DuckDB's data chunks are fetched ({@link DuckDbChunks}' API): a column of
 * numbers or booleans goes to its {@link ChunkedColumns} chunk by chunk, in row order, without building the column; a
 * string column is built as the whole read builds it and handed over at the end. The sketches, types and profiles are
 * exactly those of reading the file whole ({@link DataReader#read}) and sketching or profiling the frame, since each
 * value is the one {@link TypedColumn} would store.
 *
 * <p>Gives null, and the caller reads the file another way, for a type the chunks are not fetched as, label and
 * "other" columns, a forced type other than the column's own, a string column in a file too big to read whole, any
 * DuckDB error, and a number column the whole read would type from its text instead (no value present, an
 * infinity, an integer over 18 digits: {@link TypedColumn}'s rules), found only once the file is fetched.
 */
final class DuckDbChunkColumns {
    private static final long MAX_INTEGER = 999_999_999_999_999_999L; // TypedColumn's bound: 18 digits
    private static final int DOUBLE = 11;
    private static final int BOOLEAN = 1;

    private DuckDbChunkColumns() {
    }

    /** Waits for {@code task} whatever interrupts come, and gives its failure, or null. */
    private static Throwable join(Future<?> task) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    task.get();
                    return null;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    return e.getCause();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** What the chunks have added so far, per column. */
    private static final class Columns {
        final int[] types;
        final TypedColumn[] text;
        final ChunkedColumns<?> numbers;
        final long[] present;
        final boolean[] typedFromText;
        /** One array of a chunk's values per thread. */
        final double[][] scratch = {new double[0], new double[0]};

        Columns(int[] types, TypedColumn[] text, ChunkedColumns<?> numbers) {
            this.types = types;
            this.text = text;
            this.numbers = numbers;
            present = new long[types.length];
            typedFromText = new boolean[types.length];
        }

        /** Adds columns {@code from}, {@code from + step}, ... of the chunk's {@code n} rows, with scratch array {@code s}. */
        void add(DuckDBDataChunkReader chunk, int n, int from, int step, int s) {
            if (scratch[s].length < n) {
                scratch[s] = new double[n];
            }
            double[] values = scratch[s];
            for (int c = from; c < types.length; c += step) {
                DuckDBReadableVector vector = chunk.vector(c);
                if (text[c] != null) {
                    text[c].add(vector, types[c], n);
                    continue;
                }
                for (int r = 0; r < n; r++) {
                    double v;
                    if (vector.isNull(r)) {
                        v = Double.NaN;
                    } else if (types[c] == DOUBLE) {
                        v = vector.getDouble(r);
                        if (Double.isInfinite(v)) {
                            typedFromText[c] = true; // declined at the end: the whole read types it from its text
                            v = Double.NaN;
                        }
                        present[c] += Double.isNaN(v) ? 0 : 1;
                    } else {
                        long integer = DuckDbChunks.integer(vector, types[c], r);
                        typedFromText[c] |= types[c] != BOOLEAN && (integer > MAX_INTEGER || integer < -MAX_INTEGER);
                        present[c]++;
                        v = integer;
                    }
                    values[r] = v;
                }
                numbers.add(c, values, n);
            }
        }
    }

    /** The file's sketch and types, or null (see the class comment). */
    static Sketcher.Typed sketch(Path file, ReadOptions options, int k, int maxCategories, boolean whole) {
        return read(file, options, whole, false, width -> new SketchedColumns(width, k, maxCategories));
    }

    /** The profile of a file that fits in memory, as {@code Profiler.profile(DataReader.read(file))}, or null. */
    static DatasetProfile profile(Path file) {
        CompletableFuture<String> hash = FileHash.meanwhile(file);
        DatasetProfile profile = null;
        try {
            profile = read(file, ReadOptions.defaults(), true, true,
                    width -> new ProfiledColumns(width, file.toString(), () -> FileHash.joined(hash)));
        } catch (IllegalStateException e) {
            profile = null; // a column of more values than an array holds: the whole read says what it makes of that
        } finally {
            if (profile == null) {
                hash.cancel(false); // stops it: the whole read hashes the file itself
            }
        }
        return profile;
    }

    /**
     * What {@code collector} makes of the file's columns, or null (see the class comment); with {@code countRows}, it is
     * told the file's rows first (Parquet's metadata has them).
     */
    private static <T> T read(Path file, ReadOptions options, boolean whole, boolean countRows,
                              Function<Integer, ChunkedColumns<T>> collector) {
        if (!options.labelColumns().isEmpty() || options.otherColumns() != null) {
            return null;
        }
        DuckDbLibrary.require();
        String scan = DuckDbReader.scan(file, DuckDbReader.Format.PARQUET);
        // A file too big to read whole is streamed: a materialized result would hold all of it in DuckDB's memory.
        Supplier<T> outcome;
        try (Connection connection = whole ? DuckDbReader.connection() : DuckDbReader.streamingConnection()) {
            long expectedRows = countRows ? count(connection, scan) : -1;
            try (DuckDBPreparedStatement statement = connection.unwrap(DuckDBConnection.class).prepare("SELECT * FROM " + scan);
                 DuckDBChunkedResult result = statement.query()) {
                outcome = DuckDbChunks.hasJson(statement) ? null
                        : read(file, options, whole, expectedRows, collector, result);
            }
        } catch (SQLException | DuckDBFunctions.FunctionException e) {
            return null;
        }
        // Made once DuckDB's result is closed: a profile sorts its columns without DuckDB's copy of the file beside them.
        return outcome == null ? null : outcome.get();
    }

    private static long count(Connection connection, String scan) throws SQLException {
        try (var statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT count(*) FROM " + scan)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** What the collector makes of the chunks, made when asked; null when declined. */
    private static <T> Supplier<T> read(Path file, ReadOptions options, boolean whole, long expectedRows,
                                        Function<Integer, ChunkedColumns<T>> collector, DuckDBChunkedResult result)
            throws SQLException {
        int width = (int) result.columnCount();
        if (width == 0) {
            return null;
        }
        List<String> names = new ArrayList<>(width);
        int[] types = new int[width];
        ColumnType[] natural = new ColumnType[width];
        TypedColumn[] text = new TypedColumn[width];
        ChunkedColumns<T> numbers = collector.apply(width);
        if (expectedRows >= 0) {
            numbers.expectRows(expectedRows);
        }
        for (int c = 0; c < width; c++) {
            String name = result.columnName(c);
            String sqlType = DuckDbChunks.sqlType(result.columnTypeId(c));
            if (sqlType == null) {
                return null;
            }
            names.add(name);
            types[c] = result.columnTypeId(c);
            natural[c] = TypedColumn.typeWhenItFits(sqlType); // null for VARCHAR: typed from all its values
            ColumnType forced = options.types().get(name);
            if (forced != null && forced != natural[c] || natural[c] == null && !whole) {
                return null;
            }
            if (natural[c] == null) {
                text[c] = TypedColumn.forColumn(name, sqlType, options.withTypes(Map.of()), Set.of());
            } else {
                numbers.numbers(c);
            }
        }
        Columns state = new Columns(types, text, numbers);
        long rows = 0;
        // The columns are shared between this thread and one other, each column always on the same one (its values go
        // to their collector in row order); both are done with a chunk before the next is fetched.
        ExecutorService other = width > 1 && Runtime.getRuntime().availableProcessors() > 1
                ? Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "kiln-chunks");
                    t.setDaemon(true);
                    return t;
                }) : null;
        try {
            while (result.nextChunk()) {
                DuckDBDataChunkReader chunk = result.chunk();
                int n = Math.toIntExact(chunk.rowCount());
                if (other == null) {
                    state.add(chunk, n, 0, 1, 0);
                } else {
                    Future<?> odd = other.submit(() -> state.add(chunk, n, 1, 2, 1));
                    RuntimeException mine = null;
                    try {
                        state.add(chunk, n, 0, 2, 0);
                    } catch (RuntimeException e) {
                        mine = e;
                    }
                    // The other thread must be done with the chunk's native memory before anything moves on or closes.
                    Throwable theirs = join(odd);
                    if (mine != null) {
                        throw mine;
                    }
                    if (theirs instanceof Error error) {
                        throw error;
                    }
                    if (theirs != null) {
                        return null; // DuckDB's error, or anything unexpected: the whole read words it
                    }
                }
                rows += n;
            }
        } finally {
            if (other != null) {
                other.shutdownNow();
            }
        }
        if (rows == 0) {
            return null;
        }
        DataColumn[] built = new DataColumn[width];
        for (int c = 0; c < width; c++) {
            if (text[c] != null) {
                built[c] = text[c].column(names.get(c), file.toString(), options.withTypes(Map.of()));
                text[c] = null;
            } else if (state.present[c] == 0 || state.typedFromText[c]) {
                return null; // the whole read types this column from its text
            }
        }
        long all = rows;
        return () -> numbers.result(all, names, natural, built);
    }
}
