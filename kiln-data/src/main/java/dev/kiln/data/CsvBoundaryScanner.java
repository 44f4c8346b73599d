package dev.kiln.data;

/**
 * Finds where a CSV buffer can be cut into chunks of whole records: after a line break that is not inside a quoted
 * field. It follows {@link CsvParser}'s quoting rules while looking only at the quotes (found 8 bytes at a time): a
 * quote outside quotes opens a quoted field only when nothing but whitespace separates it from the field's start (a
 * delimiter, a line break, or the buffer's start, which is always a record's start); otherwise it is literal. Inside
 * quotes, {@code ""} is an escaped quote and a single one closes the field. In a malformed file the cut points after
 * the first error may be wrong; the chunk parser that meets the error reports it, and everything is read again by
 * the sequential reader.
 *
 * <p>The scanner works on one growing buffer; when the reader cuts a chunk off its front and moves the rest to a new
 * buffer, {@link #shift} moves the scanner's positions with it.
 */
final class CsvBoundaryScanner {
    private final byte delimiter;
    private int lowBound;
    private int scanned;
    private boolean inQuotes;
    private int segmentStart;
    private int searched;
    private int lastCut = -1;

    /** {@code start}: where records begin in the first buffer (after a byte order mark). */
    CsvBoundaryScanner(char delimiter, int start) {
        this.delimiter = (byte) delimiter;
        this.lowBound = start;
        this.scanned = start;
        this.segmentStart = start;
        this.searched = start;
    }

    /**
     * Scans {@code a[scanned, length)}; {@code eof}: nothing follows. A quote at the very end of the data inside a
     * quoted field waits for the next byte (it may be the first of {@code ""}).
     */
    void scan(byte[] a, int length, boolean eof) {
        int p = scanned;
        while (p < length) {
            int q = ByteScan.indexOf(a, p, length, (byte) '"');
            if (q < 0) {
                p = length;
                break;
            }
            if (!inQuotes) {
                if (opensQuotedField(a, q)) {
                    searchCut(a, Math.max(segmentStart, searched), q);
                    inQuotes = true;
                }
                p = q + 1;
            } else if (q + 1 == length && !eof) {
                p = q;
                break;
            } else if (q + 1 < length && a[q + 1] == '"') {
                p = q + 2;
            } else {
                inQuotes = false;
                segmentStart = q + 1;
                searched = q + 1;
                p = q + 1;
            }
        }
        scanned = p;
        if (!inQuotes) {
            searchCut(a, Math.max(segmentStart, searched), p);
            searched = p;
        }
    }

    /** The end of the last complete record seen (just after its line break), or -1. */
    int lastCut() {
        return lastCut;
    }

    /** The buffer's first {@code cut} bytes were handed off; positions now count from there. */
    void shift(int cut) {
        scanned -= cut;
        segmentStart = Math.max(0, segmentStart - cut);
        searched = Math.max(0, searched - cut);
        lastCut = lastCut > cut ? lastCut - cut : -1;
        lowBound = 0;
    }

    /** Records the last line break in the quote-free stretch {@code a[from, to)}, if any. */
    private void searchCut(byte[] a, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (a[i] == '\n' || a[i] == '\r') {
                lastCut = i + 1;
                return;
            }
        }
    }

    private boolean opensQuotedField(byte[] a, int q) {
        for (int i = q - 1; i >= lowBound; i--) {
            byte b = a[i];
            if (b == delimiter || b == '\n' || b == '\r') {
                return true;
            }
            if (b < 0 || b > ' ') {
                return false;
            }
        }
        return true;
    }
}
