package dev.kiln.data;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses the records of one chunk of a CSV file's bytes straight into {@link ChunkColumn}s, with exactly
 * {@link CsvParser}'s rules: a quote opens a quoted field only at a field's start (after optional whitespace), a
 * quote inside an unquoted value is literal, {@code ""} inside quotes is a quote, LF, CRLF and a lone CR end a
 * record (inside quotes they are part of the value), lines of whitespace only are skipped, unquoted values are
 * trimmed of bytes up to 0x20 and quoted values are kept as written (the column trims them, as
 * {@link SchemaInference} does). A chunk starts at a record's start and ends after a record's line break, or at the
 * end of the file ({@code last}). Anything wrong (a wrong field count, an unterminated quote, a character after a
 * closing quote) is a {@link Problem}: the reader then lets the sequential reader report it exactly.
 */
final class CsvChunkParser {
    /** Something the sequential reader must report; carries no stack trace (it is control flow). */
    static final class Problem extends RuntimeException {
        Problem(String message) {
            super(message, null, false, false);
        }
    }

    private final byte[] a;
    private final int from;
    private final int to;
    private final boolean last;
    private final byte delimiter;
    private final ChunkColumn[] columns;
    private final int width;
    private final List<String> header;
    private final ByteTokens tokens = new ByteTokens();
    private byte[] scratch = new byte[64];
    private int recordStart;
    private int only = -1;
    private int rows;

    private CsvChunkParser(byte[] a, int from, int to, boolean last, char delimiter, ChunkColumn[] columns,
                           List<String> header) {
        this.a = a;
        this.from = from;
        this.to = to;
        this.last = last;
        this.delimiter = (byte) delimiter;
        this.columns = columns;
        this.width = columns == null ? Integer.MAX_VALUE : columns.length;
        this.header = header;
    }

    /** A chunk's data rows: parses {@code a[from, to)} into {@code columns}; returns the number of rows. */
    static int parse(byte[] a, int from, int to, boolean last, char delimiter, ChunkColumn[] columns) {
        CsvChunkParser parser = new CsvChunkParser(a, from, to, last, delimiter, columns, null);
        return parser.parseRows();
    }

    /** The header: the first non-blank record of {@code a[from, to)}, or null when there is none. */
    static Header header(byte[] a, int from, int to, boolean last, char delimiter) {
        List<String> fields = new ArrayList<>();
        CsvChunkParser parser = new CsvChunkParser(a, from, to, last, delimiter, null, fields);
        int end = parser.record(from);
        return end < 0 ? null : new Header(fields, end);
    }

    /** The header record's fields (unquoted ones trimmed, quoted ones as written) and where the next record starts. */
    record Header(List<String> fields, int end) {
    }

    /** An upper bound on the records of {@code a[from, to)} (a record ends at a line break), for sizing columns. */
    static int capacity(byte[] a, int from, int to) {
        int lf = ByteScan.count(a, from, to, (byte) '\n');
        return lf > 0 ? lf + 1 : ByteScan.count(a, from, to, (byte) '\r') + 1;
    }

    private int parseRows() {
        int p = from;
        while (true) {
            recordStart = p;
            int next = record(p);
            if (next < 0) {
                return rows;
            }
            rows++;
            p = next;
        }
    }

    /** The first position from {@code p} holding the delimiter, a line break or a character other than a space. */
    private static int skipSpace(byte[] a, int p, int end, byte d) {
        while (p < end) {
            byte b = a[p];
            if (b == d || b < 0 || b > ' ' || b == '\n' || b == '\r') {
                return p;
            }
            p++;
        }
        return p;
    }

    /** Parses the record at or after {@code p} (blank lines skipped); the position after it, or -1 at the end. */
    private int record(int p) {
        final byte[] a = this.a;
        final int end = to;
        final byte d = delimiter;
        int lineStart = p; // where the record's first field starts untrimmed: after the blank lines skipped
        while (true) {
            p = skipSpace(a, p, end, d);
            if (p == end) {
                return -1;
            }
            if (a[p] == '\n' || a[p] == '\r') {
                p++;
                lineStart = p;
                continue;
            }
            break;
        }
        p = lineStart;
        int field = 0;
        while (true) {
            int fieldStart = p; // where an unquoted value starts untrimmed
            p = skipSpace(a, p, end, d);
            if (p == end) {
                emit(field, a, p, p);
                return finish(field, end, false);
            }
            byte b = a[p];
            if (b == d) {
                emit(field, a, p, p);
                field++;
                p++;
                continue;
            }
            if (b == '\n' || b == '\r') {
                emit(field, a, p, p);
                return finish(field, p + 1, true);
            }
            if (b == '"') {
                int contentStart = p + 1;
                int q = contentStart;
                boolean escaped = false;
                while (true) {
                    q = ByteScan.indexOf(a, q, end, (byte) '"');
                    if (q < 0) {
                        throw new Problem("unterminated quoted field");
                    }
                    if (q + 1 < end && a[q + 1] == '"') {
                        escaped = true;
                        q += 2;
                        continue;
                    }
                    break;
                }
                if (escaped) {
                    emitUnescaped(field, contentStart, q);
                } else {
                    emit(field, a, contentStart, q);
                }
                p = q + 1;
                while (p < end) {
                    byte c = a[p];
                    if (c == d || c < 0 || c > ' ' || c == '\n' || c == '\r') {
                        break;
                    }
                    p++;
                }
                if (p == end) {
                    return finish(field, end, false);
                }
                byte c = a[p];
                if (c == d) {
                    field++;
                    p++;
                    continue;
                }
                if (c == '\n' || c == '\r') {
                    return finish(field, p + 1, true);
                }
                throw new Problem("unexpected character after the closing quote of a quoted field");
            }
            int s = p;
            ChunkColumn numbers = numbersAt(field);
            int stop = numbers == null ? -1 : tokens.numberPrefix(a, s, end);
            if (stop > s && tokens.shape != ByteTokens.INFINITE
                    && (stop == end || a[stop] == d || a[stop] == '\n' || a[stop] == '\r')) {
                // A number ends right at the delimiter or line break: it is the whole value, read in one pass.
                if (!numbers.addNumber(tokens)) {
                    switchToText(field, Arrays.copyOfRange(a, s, stop));
                }
                p = stop;
            } else {
                p = ByteScan.indexOfFieldEnd(a, p + 1, end, d);
                if (keepsSpace(field)) {
                    emit(field, a, fieldStart, p); // the value with its surrounding whitespace, as CsvParser.rawStart
                } else {
                    int e = p;
                    while (a[e - 1] >= 0 && a[e - 1] <= ' ') {
                        e--; // a[s] is not whitespace, so this stops there
                    }
                    emit(field, a, s, e);
                }
            }
            if (p == end) {
                return finish(field, end, false);
            }
            if (a[p] == d) {
                field++;
                p++;
                continue;
            }
            return finish(field, p + 1, true);
        }
    }

    /**
     * The column of {@code field} when the fast path may parse its value as a number (data rows, not re-reading one
     * column as text, an inferred column in number mode), else null: {@link #emit} then takes the value.
     */
    private ChunkColumn numbersAt(int field) {
        if (header != null || only >= 0 || field >= width) {
            return null;
        }
        ChunkColumn column = columns[field];
        return column.takesNumbers() ? column : null;
    }

    /** Whether {@code field}'s column keeps an unquoted value's surrounding whitespace (data rows only). */
    private boolean keepsSpace(int field) {
        return header == null && field < width && columns[field].keepsSpace();
    }

    private int finish(int lastField, int next, boolean lineBreak) {
        if (header == null && lastField + 1 != width) {
            throw new Problem("a record has " + (lastField + 1) + " fields, expected " + width);
        }
        if (!lineBreak && !last) {
            throw new Problem("a record runs past the end of its chunk");
        }
        return next;
    }

    private void emitUnescaped(int field, int s, int e) {
        if (scratch.length < e - s) {
            scratch = new byte[Math.max(e - s, scratch.length * 2)];
        }
        int n = 0;
        for (int i = s; i < e; i++) {
            scratch[n++] = a[i];
            if (a[i] == '"') {
                i++; // the second quote of ""
            }
        }
        emit(field, scratch, 0, n);
    }

    private void emit(int field, byte[] src, int s, int e) {
        if (header != null) {
            header.add(new String(src, s, e - s, StandardCharsets.UTF_8));
            return;
        }
        if (field >= width) {
            throw new Problem("a record has more than " + width + " fields");
        }
        ChunkColumn column = columns[field];
        if (only >= 0) {
            if (field == only) {
                column.addText(src, s, e);
            }
            return;
        }
        if (!column.add(tokens, src, s, e)) {
            switchToText(field, Arrays.copyOfRange(src, s, e));
        }
    }

    /** Turns column {@code field} to text mode: feeds it this chunk's earlier rows again, then {@code value}. */
    private void switchToText(int field, byte[] value) {
        ChunkColumn column = columns[field];
        column.toText(capacity(a, from, to));
        byte[] savedScratch = scratch;
        int savedRecordStart = recordStart;
        scratch = new byte[64];
        only = field;
        int p = from;
        while (p < savedRecordStart) {
            int next = record(p);
            if (next < 0) {
                break;
            }
            p = next;
        }
        only = -1;
        scratch = savedScratch;
        column.addText(value, 0, value.length);
        if (column.size() != rows + 1) {
            throw new IllegalStateException("re-read " + column.size() + " values for " + (rows + 1) + " rows");
        }
    }
}
