package dev.kiln.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The text of one column before typing. All values share one growing char array plus an end offset
 * per value, which costs about 2 bytes per char + 4 per value instead of a String object per cell;
 * that keeps a 100,000 x 20 file at a few megabytes while inference runs.
 *
 * <p>A column made by {@link #keepingLevels()} (whose reader has a String per cell already: DuckDB's, the JSON-lines
 * parser's) keeps its distinct values and a code per row instead, while it has at most {@value #MAX_LEVELS} of them:
 * 4 bytes a row, and {@link SchemaInference} then types, parses and checks each distinct value once instead of once
 * a row (a yes/no column of a million rows: two values to look at). Past that it turns into chars, as above.
 */
final class RawColumn {
    static final int MAX_LEVELS = 1 << 16;

    private char[] chars = new char[1024];
    private int[] ends = new int[256];
    private int size;
    private int length;
    /** While levels are kept: each distinct value's code, the values by code, and each row's code; else null. */
    private Map<String, Integer> index;
    private List<String> levels;
    private int[] codes;

    RawColumn() {
    }

    /** A column that keeps distinct values and codes while it has few (see the class comment). */
    static RawColumn keepingLevels() {
        RawColumn column = new RawColumn();
        column.index = new HashMap<>();
        column.levels = new ArrayList<>();
        column.codes = new int[256];
        return column;
    }

    void add(char[] src, int offset, int count) {
        if (index != null) {
            toChars();
        }
        if (length + count > chars.length) {
            chars = Arrays.copyOf(chars, Math.max(chars.length * 2, length + count));
        }
        System.arraycopy(src, offset, chars, length, count);
        length += count;
        appendEnd();
    }

    /** Adds a value; {@code null} (a missing value from a typed source) is stored as empty text. */
    void add(String value) {
        String s = value == null ? "" : value;
        if (index != null) {
            Integer code = index.get(s);
            if (code == null && levels.size() < MAX_LEVELS) {
                code = levels.size();
                levels.add(s);
                index.put(s, code);
            }
            if (code != null) {
                if (size == codes.length) {
                    codes = Arrays.copyOf(codes, codes.length * 2);
                }
                codes[size++] = code;
                return;
            }
            toChars();
        }
        if (length + s.length() > chars.length) {
            chars = Arrays.copyOf(chars, Math.max(chars.length * 2, length + s.length()));
        }
        s.getChars(0, s.length(), chars, length);
        length += s.length();
        appendEnd();
    }

    /** Stops keeping levels: the rows so far as chars. */
    private void toChars() {
        List<String> kept = levels;
        int[] keptCodes = codes;
        int rows = size;
        index = null;
        levels = null;
        codes = null;
        size = 0;
        for (int i = 0; i < rows; i++) {
            add(kept.get(keptCodes[i]));
        }
    }

    private void appendEnd() {
        if (size == ends.length) {
            ends = Arrays.copyOf(ends, ends.length * 2);
        }
        ends[size++] = length;
    }

    int size() {
        return size;
    }

    String get(int i) {
        if (index != null) {
            return levels.get(codes[i]);
        }
        int start = i == 0 ? 0 : ends[i - 1];
        return new String(chars, start, ends[i] - start);
    }

    /** The distinct values by code while levels are kept, else null. */
    List<String> levels() {
        return levels;
    }

    /** Row {@code i}'s code while levels are kept. */
    int code(int i) {
        return codes[i];
    }
}
