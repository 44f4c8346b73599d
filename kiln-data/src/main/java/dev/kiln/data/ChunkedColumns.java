package dev.kiln.data;

import dev.kiln.runtime.schema.ColumnType;
import java.util.List;

/**
 * What a reader that hands a file's columns over chunk by chunk, in row order ({@link JsonLinesChunkColumns},
 * {@link DuckDbChunkColumns}), makes of them: each numeric column's values go to {@link #add} as they come, each textual
 * column is built whole by the reader (its type depends on all its values), and {@link #result} makes the outcome:
 * sketches for drift ({@link SketchedColumns}) or a profile ({@link ProfiledColumns}).
 */
interface ChunkedColumns<T> {
    /** About how many rows the file holds, as the reader knows it so far (called any number of times, or never). */
    default void expectRows(long rows) {
    }

    /** Column {@code c} is numeric: its values come to {@link #add}. Called once per such column, before any chunk. */
    void numbers(int c);

    /** A chunk's {@code n} values of numeric column {@code c} in row order, NaN where missing (a chunk of only missing values may not come). */
    void add(int c, double[] values, int n);

    /**
     * The outcome: every column's name and type, the rows, and per column either null (numeric: made of what
     * {@link #add} took) or the column built whole.
     */
    T result(long rows, List<String> names, ColumnType[] types, DataColumn[] built);
}
