package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Schema;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable, column-oriented table. {@code source} names where the data came from (a canonical
 * path, or a caller-chosen name) and {@code sha256} is the hex SHA-256 of the source bytes (null when
 * there were none, e.g. a frame built in memory). Derived frames ({@link #select}, {@link #drop}) keep
 * the source and version of the frame they came from.
 */
public record DataFrame(List<DataColumn> columns, String source, String sha256) {
    /** How many column names an error message lists before it abbreviates. */
    private static final int NAMES_IN_MESSAGE = 50;

    public DataFrame {
        columns = List.copyOf(columns);
        Set<String> names = new HashSet<>();
        int rows = columns.isEmpty() ? 0 : columns.get(0).size();
        for (DataColumn c : columns) {
            if (!names.add(c.name())) {
                throw new KilnException(ErrorCode.INTERNAL, "duplicate column name '" + c.name() + "' in data frame");
            }
            if (c.size() != rows) {
                throw new KilnException(ErrorCode.INTERNAL, "column '" + c.name() + "' has " + c.size()
                        + " rows, expected " + rows);
            }
        }
    }

    public int rowCount() {
        return columns.isEmpty() ? 0 : columns.get(0).size();
    }

    public boolean has(String name) {
        return find(name) != null;
    }

    /** The named column; {@link ErrorCode#COLUMN_MISSING} listing the available columns when absent. */
    public DataColumn column(String name) {
        DataColumn c = find(name);
        if (c == null) {
            throw columnMissing(name);
        }
        return c;
    }

    public List<String> names() {
        return columns.stream().map(DataColumn::name).toList();
    }

    /** Field per column, nullable when the column has any missing value. */
    public Schema schema() {
        List<Field> fields = new ArrayList<>(columns.size());
        for (DataColumn c : columns) {
            fields.add(new Field(c.name(), c.type(), hasMissing(c)));
        }
        return new Schema(fields);
    }

    /** A frame of the given rows (in that order); {@link ErrorCode#INVALID_ARGUMENT} for an out-of-range index. */
    public DataFrame select(int[] rows) {
        Objects.requireNonNull(rows, "rows");
        int n = rowCount();
        for (int r : rows) {
            if (r < 0 || r >= n) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT,
                        "row index " + r + " is out of range for " + n + " rows of " + source,
                        Map.of("row", r, "rows", n));
            }
        }
        List<DataColumn> out = new ArrayList<>(columns.size());
        for (DataColumn c : columns) {
            out.add(c.select(rows));
        }
        return new DataFrame(out, source, sha256);
    }

    /** A frame without the named column; {@link ErrorCode#COLUMN_MISSING} when absent. */
    public DataFrame drop(String name) {
        column(name);
        return new DataFrame(columns.stream().filter(c -> !c.name().equals(name)).toList(), source, sha256);
    }

    /** Row {@code i} as column name to internal value (Double with NaN for missing, or String / null). */
    public Map<String, Object> row(int i) {
        if (i < 0 || i >= rowCount()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT,
                    "row index " + i + " is out of range for " + rowCount() + " rows of " + source,
                    Map.of("row", i, "rows", rowCount()));
        }
        Map<String, Object> row = new LinkedHashMap<>();
        for (DataColumn c : columns) {
            row.put(c.name(), c.value(i));
        }
        return row;
    }

    private DataColumn find(String name) {
        for (DataColumn c : columns) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    private KilnException columnMissing(String name) {
        List<String> names = names();
        String listed = names.size() <= NAMES_IN_MESSAGE
                ? String.join(", ", names)
                : String.join(", ", names.subList(0, NAMES_IN_MESSAGE)) + ", ... (" + names.size() + " in all)";
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("column", name);
        details.put("available", names);
        if (source != null) {
            details.put("source", source);
        }
        return new KilnException(ErrorCode.COLUMN_MISSING,
                "column '" + name + "' not found" + (source == null ? "" : " in " + source)
                        + "; available columns: " + listed, details);
    }

    private static boolean hasMissing(DataColumn c) {
        for (int i = 0, n = c.size(); i < n; i++) {
            if (c.isMissing(i)) {
                return true;
            }
        }
        return false;
    }
}
