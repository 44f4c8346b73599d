package dev.kiln.data;

import java.util.List;

/**
 * Untyped text read from a source, column by column, with enough position information to name where
 * a bad value sits: for CSV the 1-based line where each row starts (rows can span lines), for other
 * sources the 1-based record number. A table concatenated from several files ({@link RawTables#concat}) has
 * {@code parts}: which file each run of rows came from, so an error names the file, not only the directory.
 */
record RawTable(String source, List<String> names, List<RawColumn> columns, int[] lines, String unit, List<Part> parts) {
    /** Rows from {@code firstRow} on (up to the next part) came from {@code file}, positioned in {@code unit}s. */
    record Part(String file, int firstRow, String unit) {
    }

    RawTable(String source, List<String> names, List<RawColumn> columns, int[] lines, String unit) {
        this(source, names, columns, lines, unit, List.of());
    }

    int rowCount() {
        return columns.isEmpty() ? 0 : columns.get(0).size();
    }

    /** Where row {@code row} (0-based) sits, as a user would look for it: "line 17" or "row 16". */
    String location(int row) {
        return part(row) == null ? unit + " " + position(row) : part(row).unit() + " " + position(row);
    }

    /** The file row {@code row} came from: the source itself unless the table was concatenated. */
    String file(int row) {
        Part p = part(row);
        return p == null ? source : p.file();
    }

    int position(int row) {
        return lines != null ? lines[row] : row + 1;
    }

    private Part part(int row) {
        Part found = null;
        for (Part p : parts) { // a handful of files: a scan is fine
            if (p.firstRow() <= row) {
                found = p;
            } else {
                break;
            }
        }
        return found;
    }
}
