package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A profile's arrays are sized by this estimate once: it must hold where the rows change length along the file. */
class RowEstimateTest {
    private static final int CHUNK = 4 << 20; // what the parallel reader reads first

    @TempDir
    Path dir;

    @Test
    void shortRowsFirstDoNotMakeTheRestLookAsShort() throws IOException {
        // 2 MB of 4-byte rows, then 8 MB of 100-byte rows: the first 4 MB hold 13 times the rows per byte of the rest.
        byte[] shortRow = "1,2\n".getBytes(StandardCharsets.US_ASCII);
        byte[] longRow = ("3," + "x".repeat(97) + "\n").getBytes(StandardCharsets.US_ASCII);
        int shortRows = (2 << 20) / shortRow.length;
        int longRows = (8 << 20) / longRow.length;
        Path file = dir.resolve("short-first.csv");
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < shortRows; i++) {
                out.write(shortRow);
            }
            for (int i = 0; i < longRows; i++) {
                out.write(longRow);
            }
        }
        long size = Files.size(file);
        long rowsInFirstChunk = shortRows + (CHUNK - (long) shortRows * shortRow.length) / longRow.length;
        long total = shortRows + longRows;

        long estimate = RowEstimate.of(file, size).rows(rowsInFirstChunk, CHUNK);

        assertThat(estimate).isBetween(total, (long) (total * 1.05));
        // What the first chunk's rows per byte alone gave: more than twice the rows.
        assertThat(rowsInFirstChunk * (double) size / CHUNK).isGreaterThan(2.0 * total);
    }

    @Test
    void aUniformFileIsEstimatedFromItsFirstChunkWithinTheMargin() throws IOException {
        byte[] row = "12.5,abc,7\n".getBytes(StandardCharsets.US_ASCII);
        int rows = (6 << 20) / row.length;
        Path file = dir.resolve("uniform.csv");
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < rows; i++) {
                out.write(row);
            }
        }
        RowEstimate estimate = RowEstimate.of(file, Files.size(file));
        int firstRows = CHUNK / row.length;

        assertThat(estimate.rows(firstRows, (long) firstRows * row.length)).isBetween((long) rows, (long) (rows * 1.03));
        assertThat(estimate.rows(rows, Files.size(file))).isEqualTo(rows + 16); // all read: the rows, and the margin
    }

    @Test
    void withoutASampleTheRestIsTakenToBeLikeWhatWasRead() throws IOException {
        Path small = dir.resolve("small.csv");
        Files.writeString(small, "a\n1\n2\n");
        // A small file is not sampled; the rate read so far (10 rows in 1,000 bytes) carries over to the rest.
        assertThat(RowEstimate.of(small, 3_000).rows(10, 1_000)).isEqualTo(10 + (long) (20 * 1.02) + 16);
        // Neither is one that cannot be read (the reader names that).
        assertThat(RowEstimate.of(dir.resolve("missing.csv"), 100L << 20).rows(10, 1_000))
                .isEqualTo(10 + (long) (((100L << 20) - 1_000) / 100.0 * 1.02) + 16);
    }

    @Test
    void linesLongerThanEveryWindowFallBackToTheRateRead() throws IOException {
        Path file = dir.resolve("long-lines.jsonl");
        // Two 5 MB lines, the last without a line break: no window holds one.
        String line = "{\"t\":\"" + "y".repeat(5 << 20) + "\"}\n";
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(line.getBytes(StandardCharsets.US_ASCII));
            out.write(line.strip().getBytes(StandardCharsets.US_ASCII));
        }
        long size = Files.size(file);
        assertThat(RowEstimate.of(file, size).rows(1, line.length()))
                .isEqualTo(1 + (long) ((size - line.length()) / (double) line.length() * 1.02) + 16);
    }
}
