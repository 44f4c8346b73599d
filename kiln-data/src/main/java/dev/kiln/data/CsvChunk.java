package dev.kiln.data;

import java.nio.file.Path;

/**
 * One parsed chunk of a CSV file: which file and delimiter, where its bytes lie in the file (so a column can be parsed
 * again, as text, when other chunks show it is textual), whether it ends the file, its row count and its columns;
 * {@code order} (null when they are in the file's order) says where each column's field sits in the records.
 */
record CsvChunk(Path file, char delimiter, long fileOffset, int length, boolean last, int rows, ChunkColumn[] columns,
                int[] order) {
    CsvChunk(Path file, char delimiter, long fileOffset, int length, boolean last, int rows, ChunkColumn[] columns) {
        this(file, delimiter, fileOffset, length, last, rows, columns, null);
    }

    /**
     * The same rows with the columns in another file's order (several files read as one): {@code order[c]} is the
     * index here of new column c, which is also where that column's field sits in this chunk's records.
     */
    CsvChunk reorder(int[] order) {
        ChunkColumn[] out = new ChunkColumn[order.length];
        for (int c = 0; c < order.length; c++) {
            out[c] = columns[order[c]];
        }
        return new CsvChunk(file, delimiter, fileOffset, length, last, rows, out, order.clone());
    }
}
