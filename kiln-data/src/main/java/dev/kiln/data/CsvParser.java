package dev.kiln.data;

import java.io.IOException;
import java.util.Arrays;

/**
 * RFC 4180 record tokenizer over strictly decoded UTF-8. It tracks physical line numbers (LF, CRLF and
 * lone CR each end a line, also inside quoted fields) so errors can name the line a user sees in an
 * editor. Unquoted values are trimmed of surrounding whitespace ({@link #rawStart}/{@link #rawLength} give them
 * untrimmed); quoted values are kept verbatim, with whitespace allowed only outside the quotes. A quote inside an unquoted value is taken literally
 * (e.g. {@code 5'11"}), as most spreadsheet exports expect. Lines holding nothing but whitespace are
 * skipped, so a trailing newline or blank line never makes a row.
 */
final class CsvParser {
    /** A syntax error; the reader turns it into a KilnException naming the source. */
    static final class SyntaxError extends Exception {
        final int line;
        final int field;

        SyntaxError(String message, int line, int field) {
            super(message, null, false, false);
            this.line = line;
            this.field = field;
        }
    }

    private static final int START = 0;
    private static final int UNQUOTED = 1;
    private static final int QUOTED = 2;
    private static final int QUOTE_SEEN = 3;
    private static final int AFTER_QUOTE = 4;

    private final Utf8Source in;
    private final char[] buf;
    private int pos;
    private int lim;
    private char delimiter = ',';

    private int line = 1;
    private boolean prevCr;

    private char[] rec = new char[256];
    private int recLen;
    private int[] starts = new int[32];
    private int[] ends = new int[32];
    private int[] rawStarts = new int[32];
    private int[] rawEnds = new int[32];
    private int fieldCount;
    private int recordLine;

    CsvParser(Utf8Source in) throws IOException {
        this.in = in;
        this.buf = new char[1 << 16];
        prefill();
        if (lim > 0 && buf[0] == '\uFEFF') {
            pos = 1; // byte order mark: not part of the first header name
        }
    }

    /** Reads ahead as far as the buffer allows so the delimiter can be sniffed from the first lines. */
    private void prefill() throws IOException {
        try {
            while (lim < buf.length) {
                int n = in.read(buf, lim, buf.length - lim);
                if (n < 0) {
                    break;
                }
                lim += n;
            }
        } catch (Utf8Source.BadBytes e) {
            // Keep what decoded cleanly; the same error is raised again when parsing reaches it.
        }
    }

    /** The text read ahead before parsing starts (without a BOM), for delimiter sniffing. */
    String prefix() {
        return new String(buf, pos, lim - pos);
    }

    boolean prefixIsWholeInput() {
        return lim < buf.length;
    }

    void delimiter(char delimiter) {
        this.delimiter = delimiter;
    }

    /** The physical line being read right now (1-based). */
    int line() {
        return line;
    }

    /** The line on which the last record started. */
    int recordLine() {
        return recordLine;
    }

    /** How many fields the record being read (or last read) has so far. */
    int fieldCount() {
        return fieldCount;
    }

    char[] chars() {
        return rec;
    }

    int start(int field) {
        return starts[field];
    }

    int length(int field) {
        return ends[field] - starts[field];
    }

    /** Where field {@code field} starts untrimmed: an unquoted value's leading whitespace included. */
    int rawStart(int field) {
        return rawStarts[field];
    }

    /** The untrimmed length of field {@code field} (an unquoted value's surrounding whitespace included). */
    int rawLength(int field) {
        return rawEnds[field] - rawStarts[field];
    }

    String field(int i) {
        return new String(rec, starts[i], ends[i] - starts[i]);
    }

    private int next() throws IOException {
        if (pos == lim) {
            int n = in.read(buf, 0, buf.length);
            if (n < 0) {
                lim = 0;
                pos = 0;
                return -1;
            }
            pos = 0;
            lim = n;
        }
        char c = buf[pos++];
        if (c == '\n') {
            if (!prevCr) {
                line++;
            }
            prevCr = false;
        } else if (c == '\r') {
            line++;
            prevCr = true;
        } else {
            prevCr = false;
        }
        return c;
    }

    /** Reads the next non-blank record; false at the end of input. */
    boolean nextRecord() throws IOException, SyntaxError {
        recLen = 0;
        fieldCount = 0;
        boolean started = false;
        int state = START;
        int fieldStart = 0;
        int contentStart = 0; // start of the value without leading whitespace (unquoted values)
        int contentEnd = 0; // end of the value without trailing whitespace (unquoted values)
        int quoteLine = 0;
        while (true) {
            int lineBefore = line;
            int c = next();
            boolean newline = c == '\n' || c == '\r';
            switch (state) {
                case START -> {
                    if (c == -1 || newline) {
                        recLen = fieldStart; // whitespace only: an empty value
                        if (!started) {
                            if (c == -1) {
                                return false;
                            }
                            continue; // blank line
                        }
                        endField(fieldStart, recLen);
                        return true;
                    }
                    if (!started && (c == delimiter || c > ' ')) {
                        started = true;
                        recordLine = lineBefore;
                    }
                    if (c == delimiter) {
                        recLen = fieldStart; // whitespace only: an empty value
                        endField(fieldStart, recLen);
                        fieldStart = recLen;
                    } else if (c == '"') {
                        recLen = fieldStart; // whitespace before a quote is not part of the value
                        state = QUOTED;
                        quoteLine = lineBefore;
                    } else if (c > ' ') {
                        contentStart = recLen;
                        append((char) c);
                        contentEnd = recLen;
                        state = UNQUOTED;
                    } else {
                        append((char) c); // kept for rawStart: leading whitespace of an unquoted value
                    }
                }
                case UNQUOTED -> {
                    if (c == -1 || newline) {
                        endField(contentStart, contentEnd, fieldStart, recLen);
                        return true;
                    }
                    if (c == delimiter) {
                        endField(contentStart, contentEnd, fieldStart, recLen);
                        fieldStart = recLen;
                        state = START;
                    } else {
                        append((char) c);
                        if (c > ' ') {
                            contentEnd = recLen;
                        }
                    }
                }
                case QUOTED -> {
                    if (c == -1) {
                        throw new SyntaxError("unterminated quoted field: the quote opened on line " + quoteLine
                                + " is never closed", quoteLine, fieldCount);
                    }
                    if (c == '"') {
                        state = QUOTE_SEEN;
                    } else {
                        append((char) c);
                    }
                }
                case QUOTE_SEEN, AFTER_QUOTE -> {
                    if (c == '"' && state == QUOTE_SEEN) {
                        append('"'); // "" inside quotes is an escaped quote
                        state = QUOTED;
                    } else if (c == -1 || newline) {
                        endField(fieldStart, recLen);
                        return true;
                    } else if (c == delimiter) {
                        endField(fieldStart, recLen);
                        fieldStart = recLen;
                        state = START;
                    } else if (c <= ' ') {
                        state = AFTER_QUOTE;
                    } else {
                        throw new SyntaxError("unexpected character '" + (char) c
                                + "' after the closing quote of a quoted field", lineBefore, fieldCount);
                    }
                }
                default -> throw new IllegalStateException("state " + state);
            }
        }
    }

    private void append(char c) {
        if (recLen == rec.length) {
            rec = Arrays.copyOf(rec, rec.length * 2);
        }
        rec[recLen++] = c;
    }

    private void endField(int start, int end) {
        endField(start, end, start, end);
    }

    private void endField(int start, int end, int rawStart, int rawEnd) {
        if (fieldCount == starts.length) {
            starts = Arrays.copyOf(starts, starts.length * 2);
            ends = Arrays.copyOf(ends, ends.length * 2);
            rawStarts = Arrays.copyOf(rawStarts, rawStarts.length * 2);
            rawEnds = Arrays.copyOf(rawEnds, rawEnds.length * 2);
        }
        starts[fieldCount] = start;
        ends[fieldCount] = end;
        rawStarts[fieldCount] = rawStart;
        rawEnds[fieldCount] = rawEnd;
        fieldCount++;
    }
}
