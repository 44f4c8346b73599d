package dev.kiln.data;

import dev.kiln.runtime.profile.ColumnSketch;
import dev.kiln.runtime.profile.DatasetSketch;
import dev.kiln.runtime.profile.QuantileSketch;
import dev.kiln.runtime.schema.ColumnType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.duckdb.DuckDBChunkedResult;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBDataChunkReader;
import org.duckdb.DuckDBFunctions;
import org.duckdb.DuckDBPreparedStatement;
import org.duckdb.DuckDBReadableVector;

/**
 * Sketches a Parquet file as DuckDB's data chunks are fetched ({@link DuckDbChunks}' API): a column of numbers or
 * booleans goes into its quantile sketch chunk by chunk, in row order, without building the column; a string column is
 * built as the whole read builds it and sketched at the end. The sketches and types are exactly those of reading the
 * file whole ({@link DataReader#read}) and sketching the frame ({@link Sketcher#sketch(DataFrame, int, int)}), since
 * each value is the one {@link TypedColumn} would store.
 *
 * <p>Gives null, and the caller reads the file another way, for a type the chunks are not fetched as, label and
 * "other" columns, a forced type other than the column's own, a string column in a file too big to read whole, any
 * DuckDB error, and a number column the whole read would type from its text instead (no value present, an
 * infinity, an integer over 18 digits: {@link TypedColumn}'s rules), found only once the file is fetched.
 */
final class DuckDbChunkSketcher {
    private static final long MAX_INTEGER = 999_999_999_999_999_999L; // TypedColumn's bound: 18 digits
    private static final int DOUBLE = 11;
    private static final int BOOLEAN = 1;

    private DuckDbChunkSketcher() {
    }

    /** The file's sketch and types, or null (see the class comment). */
    static Sketcher.Typed sketch(Path file, ReadOptions options, int k, int maxCategories, boolean whole) {
        if (!options.labelColumns().isEmpty() || options.otherColumns() != null) {
            return null;
        }
        DuckDbLibrary.require();
        String sql = "SELECT * FROM " + DuckDbReader.scan(file, DuckDbReader.Format.PARQUET);
        try (Connection connection = DuckDbReader.connection();
             DuckDBPreparedStatement statement = connection.unwrap(DuckDBConnection.class).prepare(sql);
             DuckDBChunkedResult result = statement.query()) {
            int width = (int) result.columnCount();
            if (width == 0) {
                return null;
            }
            List<String> names = new ArrayList<>(width);
            int[] types = new int[width];
            ColumnType[] natural = new ColumnType[width];
            TypedColumn[] text = new TypedColumn[width];
            QuantileSketch[] quantiles = new QuantileSketch[width];
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
                    quantiles[c] = new QuantileSketch(k);
                }
            }
            long[] missing = new long[width];
            long[] present = new long[width];
            boolean[] typedFromText = new boolean[width];
            double[] values = new double[0];
            long rows = 0;
            while (result.nextChunk()) {
                DuckDBDataChunkReader chunk = result.chunk();
                int n = Math.toIntExact(chunk.rowCount());
                if (values.length < n) {
                    values = new double[n];
                }
                for (int c = 0; c < width; c++) {
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
                                typedFromText[c] = true; // declined at the end; a sketch takes no infinity
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
                    missing[c] += quantiles[c].addAllPresent(values, 0, n);
                }
                rows += n;
            }
            if (rows == 0) {
                return null;
            }
            List<ColumnSketch> columns = new ArrayList<>(width);
            Map<String, ColumnType> typed = new LinkedHashMap<>();
            for (int c = 0; c < width; c++) {
                ColumnSketch sketch;
                if (text[c] != null) {
                    DataColumn column = text[c].column(names.get(c), file.toString(), options.withTypes(Map.of()));
                    text[c] = null;
                    sketch = Sketcher.sketch(column, k, maxCategories);
                } else if (present[c] == 0 || typedFromText[c]) {
                    return null; // the whole read types this column from its text
                } else {
                    sketch = new ColumnSketch(names.get(c), natural[c], missing[c], quantiles[c], null);
                }
                columns.add(sketch);
                typed.put(names.get(c), sketch.type());
            }
            return new Sketcher.Typed(new DatasetSketch(rows, columns), typed);
        } catch (SQLException | DuckDBFunctions.FunctionException e) {
            return null;
        }
    }
}
