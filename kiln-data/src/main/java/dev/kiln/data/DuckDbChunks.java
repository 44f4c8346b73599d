package dev.kiln.data;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.duckdb.DuckDBChunkedResult;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBDataChunkReader;
import org.duckdb.DuckDBFunctions;
import org.duckdb.DuckDBPreparedStatement;
import org.duckdb.DuckDBReadableVector;

/**
 * {@link DuckDbReader#readTyped}'s fetch through DuckDB's data chunk API (duckdb_jdbc 2.0's {@code DuckDBChunkedResult}):
 * a chunk of rows per call and a vector per column, instead of JDBC's calls per cell, which made fetching most of the
 * time of reading a Parquet file (on a million rows x 20 doubles and a text column, about a third of JDBC's fetch time).
 * The values are the ones JDBC gives: doubles, integers and booleans read from the same native vectors, text as the
 * same UTF-8 bytes.
 *
 * <p>Only the plain types are fetched this way: DOUBLE, BIGINT, INTEGER, SMALLINT, TINYINT, BOOLEAN and VARCHAR. A
 * column fetched as text (a label column, {@link ReadOptions#otherColumns}) of one of the others gets the text JDBC's
 * {@code getString} gives it: Java's {@code toString} of the value ({@link #text}). Any other type, and any error DuckDB
 * reports, gives null: the caller then fetches through JDBC, which also words the error as before.
 */
final class DuckDbChunks {
    // The C API's type ids (duckdb.h, duckdb_type), which DuckDBChunkedResult.columnTypeId returns.
    private static final int BOOLEAN = 1;
    private static final int TINYINT = 2;
    private static final int SMALLINT = 3;
    private static final int INTEGER = 4;
    private static final int BIGINT = 5;
    private static final int DOUBLE = 11;
    private static final int VARCHAR = 17;

    private DuckDbChunks() {
    }

    /** The file's columns as {@link DuckDbReader#readTyped} makes them, or null to fetch them through JDBC. */
    static List<DataColumn> readTyped(Path path, String sql, ReadOptions options, Set<String> named) {
        DuckDbLibrary.require();
        try (Connection connection = DuckDbReader.connection();
             DuckDBPreparedStatement statement = connection.unwrap(DuckDBConnection.class).prepare(sql);
             DuckDBChunkedResult result = statement.query()) {
            if (hasJson(statement)) {
                return null;
            }
            int width = (int) result.columnCount();
            List<String> names = new ArrayList<>(width);
            int[] types = new int[width];
            List<TypedColumn> typed = new ArrayList<>(width);
            for (int c = 0; c < width; c++) {
                String name = result.columnName(c);
                int type = result.columnTypeId(c);
                String sqlType = sqlType(type);
                if (sqlType == null) {
                    return null;
                }
                names.add(name);
                types[c] = type;
                typed.add(TypedColumn.forColumn(name, sqlType, options, named));
            }
            if (width == 0) {
                return null; // JDBC's path names the problem
            }
            int rows = 0;
            while (result.nextChunk()) {
                DuckDBDataChunkReader chunk = result.chunk();
                int n = Math.toIntExact(chunk.rowCount());
                for (int c = 0; c < width; c++) {
                    typed.get(c).add(chunk.vector(c), types[c], n);
                }
                rows += n;
            }
            if (rows == 0) {
                return null;
            }
            return DuckDbReader.columns(typed, names, path, options);
        } catch (SQLException | DuckDBFunctions.FunctionException e) {
            return null;
        }
    }

    /** The JDBC type name {@link TypedColumn#of} takes for a C API type this reads, or null. */
    static String sqlType(int type) {
        return switch (type) {
            case BOOLEAN -> "BOOLEAN";
            case TINYINT -> "TINYINT";
            case SMALLINT -> "SMALLINT";
            case INTEGER -> "INTEGER";
            case BIGINT -> "BIGINT";
            case DOUBLE -> "DOUBLE";
            case VARCHAR -> "VARCHAR";
            default -> null;
        };
    }

    /**
     * Whether a column of the statement's result is of DuckDB's JSON type, whose vectors are VARCHAR's: the chunk
     * routes leave such a result to JDBC, which names the type and whose readers take a JSON string's quotes off
     * ({@link JsonCells}).
     */
    static boolean hasJson(DuckDBPreparedStatement statement) throws SQLException {
        java.sql.ResultSetMetaData meta = statement.getMetaData();
        for (int c = 1; c <= meta.getColumnCount(); c++) {
            if (JsonCells.isJson(meta.getColumnTypeName(c))) {
                return true;
            }
        }
        return false;
    }

    /** Row {@code r} (not null) as text, as JDBC's getString gives it: the string, or the value's {@code toString}. */
    static String text(DuckDBReadableVector vector, int type, int r) {
        return switch (type) {
            case VARCHAR -> vector.getString(r);
            case DOUBLE -> Double.toString(vector.getDouble(r));
            case BOOLEAN -> Boolean.toString(vector.getBoolean(r));
            default -> Long.toString(integer(vector, type, r));
        };
    }

    /** Row {@code r} (not null) of an integer or boolean vector as a long (a boolean as 1 or 0), as JDBC's getLong. */
    static long integer(DuckDBReadableVector vector, int type, int r) {
        return switch (type) {
            case BIGINT -> vector.getLong(r);
            case INTEGER -> vector.getInt(r);
            case SMALLINT -> vector.getShort(r);
            case TINYINT -> vector.getByte(r);
            case BOOLEAN -> vector.getBoolean(r) ? 1 : 0;
            default -> throw new IllegalStateException("not an integer vector: type " + type);
        };
    }
}
