package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.duckdb.DuckDBChunkedResult;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBDataChunkReader;
import org.duckdb.DuckDBFunctions;
import org.duckdb.DuckDBPreparedStatement;

/**
 * {@link BatchedReader}'s read of a Parquet or JSON lines file: DuckDB's result streamed a data chunk at a time
 * ({@code jdbc_stream_results}, so DuckDB holds a few chunks, not the file), each batch's columns fetched typed from
 * the chunks' vectors as {@link DuckDbChunks} fetches a whole file, and typed as {@link DataReader#read} types them
 * ({@link ForcedTypes} on the typed columns). A batch whose values the typed columns cannot give exactly (a forced type
 * they do not pair with, a column with no value in this batch) is typed from its text instead: the same values as
 * JDBC's {@code getString} gives ({@link TypedColumn#text}), by {@link SchemaInference}, as the text route types the
 * whole file, with errors naming the file's row.
 */
final class DuckDbBatches {
    private DuckDbBatches() {
    }

    /**
     * Hands the file's rows to {@code batches} in batches of about {@code batchSize} rows (whole chunks of DuckDB's, 2,048
     * rows each) and returns the number of rows, or -1 when a column's type is not one the chunks are fetched as: then
     * nothing was handed over and the caller reads another way. A DuckDB error once rows were handed over is thrown.
     */
    static long read(Path path, DuckDbReader.Format format, ReadOptions options, BatchSize batchSize,
                     Consumer<DataFrame> batches) {
        DuckDbLibrary.require();
        String source = path.toString();
        ReadOptions inferring = options.withTypes(Map.of()); // forced types are applied to the typed columns after
        Set<String> named = options.types().keySet();
        long rows = 0;
        try (Connection connection = DuckDbReader.streamingConnection();
             DuckDBPreparedStatement statement = connection.unwrap(DuckDBConnection.class)
                     .prepare("SELECT * FROM " + DuckDbReader.scan(path, format));
             DuckDBChunkedResult result = statement.query()) {
            if (DuckDbChunks.hasJson(statement)) {
                return -1; // the text route takes a JSON string's quotes off
            }
            int width = (int) result.columnCount();
            List<String> names = new ArrayList<>(width);
            int[] types = new int[width];
            String[] sqlTypes = new String[width];
            for (int c = 0; c < width; c++) {
                names.add(result.columnName(c));
                types[c] = result.columnTypeId(c);
                sqlTypes[c] = DuckDbChunks.sqlType(types[c]);
                if (sqlTypes[c] == null) {
                    return -1;
                }
            }
            if (width == 0) {
                return -1;
            }
            int perBatch = batchSize.rowsFor(width);
            List<TypedColumn> typed = fresh(names, sqlTypes, inferring, named);
            int size = 0;
            while (nextChunk(result, rows > 0, path, format)) {
                DuckDBDataChunkReader chunk = result.chunk();
                int n = Math.toIntExact(chunk.rowCount());
                for (int c = 0; c < width; c++) {
                    typed.get(c).add(chunk.vector(c), types[c], n);
                }
                size += n;
                if (size >= perBatch) {
                    batches.accept(batch(typed, names, size, rows, source, options, inferring));
                    rows += size;
                    typed = fresh(names, sqlTypes, inferring, named);
                    size = 0;
                }
            }
            if (size > 0) {
                batches.accept(batch(typed, names, size, rows, source, options, inferring));
                rows += size;
            }
        } catch (SQLException | DuckDBFunctions.FunctionException e) {
            if (rows == 0) {
                return -1; // nothing handed over: the caller's other way words the error
            }
            throw DuckDbReader.failure(path, format, e);
        }
        if (rows == 0) {
            throw new KilnException(ErrorCode.DATA_EMPTY, "file " + path + " has no data rows", Map.of("file", source));
        }
        return rows;
    }

    /** The next chunk; a failure once rows were handed over is thrown as DuckDB's error on the file. */
    private static boolean nextChunk(DuckDBChunkedResult result, boolean started, Path path, DuckDbReader.Format format) {
        if (!started) {
            return result.nextChunk(); // a failure before any row: the caller reads another way
        }
        try {
            return result.nextChunk();
        } catch (DuckDBFunctions.FunctionException e) {
            throw DuckDbReader.failure(path, format, e);
        }
    }

    private static List<TypedColumn> fresh(List<String> names, String[] sqlTypes, ReadOptions options, Set<String> named) {
        List<TypedColumn> typed = new ArrayList<>(names.size());
        for (int c = 0; c < names.size(); c++) {
            typed.add(TypedColumn.forColumn(names.get(c), sqlTypes[c], options, named));
        }
        return typed;
    }

    /** One batch's frame: the typed columns with the forced types applied, else the batch's text typed. */
    private static DataFrame batch(List<TypedColumn> typed, List<String> names, int size, long before, String source,
                                   ReadOptions options, ReadOptions inferring) {
        List<DataColumn> columns;
        try {
            List<DataColumn> read = new ArrayList<>(names.size());
            for (int c = 0; c < names.size(); c++) {
                read.add(typed.get(c).column(names.get(c), source, inferring));
            }
            columns = ForcedTypes.applied(read, options.types());
        } catch (KilnException e) {
            if (e.code() != ErrorCode.DATA_MALFORMED) {
                throw e;
            }
            columns = null; // an other column's value does not fit: the text route names it, with the file's row
        }
        if (columns == null) {
            List<RawColumn> text = new ArrayList<>(names.size());
            for (TypedColumn column : typed) {
                text.add(column.text());
            }
            int[] positions = new int[size];
            for (int i = 0; i < size; i++) {
                positions[i] = (int) Math.min(Integer.MAX_VALUE, before + i + 1); // positions are ints, as CSV lines
            }
            columns = SchemaInference.columns(new RawTable(source, names, text, positions, "row"), options);
        }
        return new DataFrame(columns, source, null);
    }
}
