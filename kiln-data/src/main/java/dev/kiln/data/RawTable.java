package dev.kiln.data;

import java.util.List;

/**
 * Untyped text read from a source, column by column, with enough position information to name where
 * a bad value sits: for CSV the 1-based line where each row starts (rows can span lines), for other
 * sources the 1-based record number.
 */
record RawTable(String source, List<String> names, List<RawColumn> columns, int[] lines, String unit) {
    int rowCount() {
        return columns.isEmpty() ? 0 : columns.get(0).size();
    }

    /** Where row {@code row} (0-based) sits, as a user would look for it: "line 17" or "row 16". */
    String location(int row) {
        return unit + " " + position(row);
    }

    int position(int row) {
        return lines != null ? lines[row] : row + 1;
    }
}
