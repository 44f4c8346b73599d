package dev.kiln.data;

import dev.kiln.runtime.schema.ColumnType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Forced column types ({@link ReadOptions#types}) applied to columns a reader fetched typed (Parquet, JSON lines),
 * where that gives exactly what converting the column's text would ({@link SchemaInference} on the values as JDBC's
 * {@code getString} writes them): a column read as the forced type (a yes/no column forced BOOLEAN, as drift forces the
 * reference's types), a column read as numbers forced NUMERIC (integers included) or one read as
 * integers forced INTEGER keeps its numbers; a column read as strings forced CATEGORICAL or TEXT keeps its strings
 * (trimmed, missing tokens missing, as a forced read keeps them). Any other pairing (numbers forced to categories, a
 * fraction forced INTEGER, a forced column the file lacks) is left to the text route, which also names what does not
 * fit: {@link #applied} then returns null. This is what lets `kiln drift` read a Parquet file with the reference's
 * types at the speed of a typed read.
 */
final class ForcedTypes {
    private ForcedTypes() {
    }

    /** {@code columns} with {@code forced} applied, or null when some forced column needs the text route. */
    static List<DataColumn> applied(List<DataColumn> columns, Map<String, ColumnType> forced) {
        if (forced.isEmpty()) {
            return columns;
        }
        Set<String> seen = new HashSet<>();
        List<DataColumn> out = new ArrayList<>(columns.size());
        for (DataColumn column : columns) {
            ColumnType type = forced.get(column.name());
            if (type == null) {
                out.add(column);
                continue;
            }
            seen.add(column.name());
            DataColumn kept = kept(column, type);
            if (kept == null) {
                return null;
            }
            out.add(kept);
        }
        return seen.size() == forced.size() ? out : null;
    }

    private static DataColumn kept(DataColumn column, ColumnType forced) {
        if (column.type() == forced) {
            return column; // inferred as the forced type: every value converted as a forced read converts it
        }
        if (column instanceof NumericColumn n) {
            boolean numbers = n.type() == ColumnType.NUMERIC || n.type() == ColumnType.INTEGER;
            if (forced == ColumnType.NUMERIC && numbers || forced == ColumnType.INTEGER && n.type() == ColumnType.INTEGER) {
                return n.type() == forced ? n : new NumericColumn(n.name(), forced, n.values());
            }
            return null;
        }
        StringColumn s = (StringColumn) column;
        if (forced == ColumnType.CATEGORICAL || forced == ColumnType.TEXT) {
            return s.type() == forced ? s : new StringColumn(s.name(), forced, s.values());
        }
        return null;
    }
}
