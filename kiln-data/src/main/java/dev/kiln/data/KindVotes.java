package dev.kiln.data;

import dev.kiln.runtime.schema.ColumnType;

/**
 * Per column, the kinds of the present values the chunks read as numbers (how many, and how many were booleans,
 * integers, numbers, datetimes), added chunk by chunk: what {@link ChunkMerger} types a column by.
 */
final class KindVotes {
    private final long[] present;
    private final long[] booleans;
    private final long[] integers;
    private final long[] numeric;
    private final long[] datetimes;

    KindVotes(int width) {
        present = new long[width];
        booleans = new long[width];
        integers = new long[width];
        numeric = new long[width];
        datetimes = new long[width];
    }

    /** Adds the votes of a chunk's column {@code c}, read as numbers. */
    void add(int c, ChunkColumn column) {
        present[c] += column.present;
        booleans[c] += column.booleans;
        integers[c] += column.integers;
        numeric[c] += column.numeric;
        datetimes[c] += column.datetimes;
    }

    /** The present values column {@code c}'s chunks read as numbers. */
    long present(int c) {
        return present[c];
    }

    /** {@link ChunkMerger#numericType} of column {@code c}: null when none is present or the kinds mix. */
    ColumnType type(int c) {
        return ChunkMerger.numericType(present[c], booleans[c], integers[c], numeric[c], datetimes[c]);
    }
}
