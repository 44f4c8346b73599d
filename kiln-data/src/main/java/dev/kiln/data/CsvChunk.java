package dev.kiln.data;

/**
 * One parsed chunk of a CSV file: where its bytes lie in the file (so a column can be parsed again, as text, when
 * other chunks show it is textual), whether it ends the file, its row count and its columns.
 */
record CsvChunk(long fileOffset, int length, boolean last, int rows, ChunkColumn[] columns) {
}
