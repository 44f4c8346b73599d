package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Concatenates the raw text of several files into one {@link RawTable}, before any typing, so that
 * {@link SchemaInference} types every column once over all rows (a column is INTEGER only if it is in every file).
 * The files must have the same set of columns; their order may differ and follows the first file.
 */
final class RawTables {
    private final String source;
    private List<String> names;
    private String firstFile;
    private List<RawColumn> columns;
    private int[] positions = new int[1024];
    private int rows;
    private final List<RawTable.Part> parts = new ArrayList<>();

    /** {@code source} names the whole (the files' common directory). */
    RawTables(String source) {
        this.source = source;
    }

    /** Appends every row of {@code table}, which came from {@code file}. */
    void append(RawTable table, String file) {
        if (names == null) {
            names = table.names();
            firstFile = file;
            columns = new ArrayList<>(names.size());
            for (int i = 0; i < names.size(); i++) {
                columns.add(new RawColumn());
            }
        }
        int[] order = order(table, file);
        int n = table.rowCount();
        parts.add(new RawTable.Part(file, rows, table.unit()));
        for (int c = 0; c < order.length; c++) {
            RawColumn from = table.columns().get(order[c]);
            RawColumn to = columns.get(c);
            for (int r = 0; r < n; r++) {
                to.add(from.get(r));
            }
        }
        if (rows + n > positions.length) {
            positions = Arrays.copyOf(positions, Math.max(positions.length * 2, rows + n));
        }
        for (int r = 0; r < n; r++) {
            positions[rows + r] = table.position(r);
        }
        rows += n;
    }

    RawTable table() {
        return new RawTable(source, names, columns, Arrays.copyOf(positions, rows), "row", List.copyOf(parts));
    }

    /** For each column of the first file, its index in {@code table}; a different set of columns is an error. */
    private int[] order(RawTable table, String file) {
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < table.names().size(); i++) {
            index.put(table.names().get(i), i);
        }
        TreeSet<String> missing = new TreeSet<>(names);
        missing.removeAll(index.keySet());
        TreeSet<String> extra = new TreeSet<>(index.keySet());
        extra.removeAll(names);
        if (!missing.isEmpty() || !extra.isEmpty()) {
            String what = (missing.isEmpty() ? "" : "lacks column(s) " + String.join(", ", missing))
                    + (!missing.isEmpty() && !extra.isEmpty() ? " and " : "")
                    + (extra.isEmpty() ? "" : "has extra column(s) " + String.join(", ", extra));
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("file", file);
            details.put("first_file", firstFile);
            details.put("missing", List.copyOf(missing));
            details.put("extra", List.copyOf(extra));
            throw new KilnException(ErrorCode.COLUMN_MISSING, "the files of " + source + " must have the same columns: "
                    + file + " " + what + " compared with " + firstFile, details);
        }
        int[] order = new int[names.size()];
        for (int c = 0; c < order.length; c++) {
            order[c] = index.get(names.get(c));
        }
        return order;
    }
}
