package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;

/**
 * How many rows a {@link BatchedReader} batch holds: a fixed number, or about a number of cells whatever the file's
 * width (at least {@link #MIN_ROWS} rows), so that a batch of a wide file is no bigger than one of a narrow file.
 */
public record BatchSize(int rows, int cells) {
    /** No batch sized by cells is smaller than this many rows, however wide the file (the last one aside). */
    static final int MIN_ROWS = 1024;

    public BatchSize {
        if (rows < 0 || cells < 0 || (rows == 0) == (cells == 0)) {
            throw new KilnException(ErrorCode.INTERNAL, "a batch size is a positive number of rows or of cells, got "
                    + rows + " rows and " + cells + " cells");
        }
    }

    public static BatchSize rows(int rows) {
        return new BatchSize(rows, 0);
    }

    public static BatchSize cells(int cells) {
        return new BatchSize(0, cells);
    }

    /** The rows of a batch of a file of {@code columns} columns. */
    public int rowsFor(int columns) {
        return rows > 0 ? rows : Math.max(MIN_ROWS, cells / Math.max(1, columns));
    }
}
