package dev.kiln.data;

import java.util.Arrays;

/**
 * The text of one column before typing. All values share one growing char array plus an end offset
 * per value, which costs about 2 bytes per char + 4 per value instead of a String object per cell;
 * that keeps a 100,000 x 20 file at a few megabytes while inference runs.
 */
final class RawColumn {
    private char[] chars = new char[1024];
    private int[] ends = new int[256];
    private int size;
    private int length;

    void add(char[] src, int offset, int count) {
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
        if (length + s.length() > chars.length) {
            chars = Arrays.copyOf(chars, Math.max(chars.length * 2, length + s.length()));
        }
        s.getChars(0, s.length(), chars, length);
        length += s.length();
        appendEnd();
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
        int start = i == 0 ? 0 : ends[i - 1];
        return new String(chars, start, ends[i] - start);
    }
}
