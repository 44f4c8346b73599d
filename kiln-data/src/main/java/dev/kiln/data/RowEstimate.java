package dev.kiln.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The rows of a text file of a row per line (CSV, JSON lines) as it is read in order, for a reader that knows its size
 * and not its rows and sizes its arrays once ({@link GrowingDoubles}): the rows read so far, and for the bytes not yet
 * read, the bytes per line break of those of {@value #WINDOWS} windows spread evenly over the file (read once up front)
 * that lie in the part not yet read.
 *
 * <p>Why not the rows per byte of what was read: the first chunk is the first few MB, and a file whose first rows are
 * shorter than the rest (numbers first, long text later; a log that grows wordier) would have its arrays sized by that
 * ratio, ten times too large for rows ten times as long. A file smaller than four times the windows together has no
 * sample: its first chunk is most of it.
 */
final class RowEstimate {
    static final int WINDOWS = 16;
    static final int WINDOW_BYTES = 64 << 10;
    /** A little more than the estimate: an array one value too short is copied whole to grow. */
    private static final double MARGIN = 1.02;

    private final long fileBytes;
    /** Each window's offset in the file, bytes and line breaks; empty when there is no sample. */
    private final long[] windowAt;
    private final int[] windowBytes;
    private final int[] windowBreaks;

    private RowEstimate(long fileBytes, long[] windowAt, int[] windowBytes, int[] windowBreaks) {
        this.fileBytes = fileBytes;
        this.windowAt = windowAt;
        this.windowBytes = windowBytes;
        this.windowBreaks = windowBreaks;
    }

    /**
     * The estimate for {@code file} of {@code fileBytes} bytes, its windows read now; none when the file is smaller than
     * four times the windows together, or cannot be read (the reader will name the problem).
     */
    static RowEstimate of(Path file, long fileBytes) {
        if (fileBytes < 4L * WINDOWS * WINDOW_BYTES) {
            return new RowEstimate(fileBytes, new long[0], new int[0], new int[0]);
        }
        long[] at = new long[WINDOWS];
        int[] bytes = new int[WINDOWS];
        int[] breaks = new int[WINDOWS];
        byte[] window = new byte[WINDOW_BYTES];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long step = (fileBytes - WINDOW_BYTES) / (WINDOWS - 1);
            for (int w = 0; w < WINDOWS; w++) {
                at[w] = w * step;
                bytes[w] = readFully(channel, at[w], window);
                breaks[w] = ByteScan.count(window, 0, bytes[w], (byte) '\n');
            }
        } catch (IOException | RuntimeException e) {
            return new RowEstimate(fileBytes, new long[0], new int[0], new int[0]);
        }
        return new RowEstimate(fileBytes, at, bytes, breaks);
    }

    /**
     * The file's rows, given the rows in its first {@code bytesRead} bytes: those, and for the rest the bytes per line
     * break of the windows that lie in the rest (a line break inside a quoted field counts as a row: the estimate errs
     * toward more rows). Without such windows, or a line break in them (lines longer than a window), the rest is
     * taken to be like what was read.
     */
    long rows(long rowsRead, long bytesRead) {
        long bytes = 0;
        long breaks = 0;
        for (int w = 0; w < windowAt.length; w++) {
            if (windowAt[w] >= bytesRead) {
                bytes += windowBytes[w];
                breaks += windowBreaks[w];
            }
        }
        double bytesPerRow = breaks > 0 ? (double) bytes / breaks : (double) Math.max(1, bytesRead) / Math.max(1, rowsRead);
        long unread = Math.max(0, fileBytes - bytesRead);
        return rowsRead + (long) (unread / bytesPerRow * MARGIN) + 16;
    }

    /** Reads into {@code into} from {@code position} until it is full or the file ends; the bytes read. */
    private static int readFully(FileChannel channel, long position, byte[] into) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(into);
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                break;
            }
        }
        return buffer.position();
    }
}
