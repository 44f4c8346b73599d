package dev.kiln.data;

import dev.kiln.runtime.schema.BooleanWords;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The spellings of a boolean column's values as a reader meets them (trimmed bytes: {@code yes}, {@code Yes},
 * {@code false}...) and how many rows write each, from which the column's {@link BooleanWords} are chosen. A value
 * the boolean rules take is at most five ASCII bytes, so a column has a few dozen spellings at the very most: they are
 * kept in a short list, and the one the last row used is tried first (a column writes its answers one way, or two).
 */
final class BooleanSpellings {
    private byte[][] spellings = new byte[4][];
    private long[] rows = new long[4];
    private int size;
    private int last = -1;
    private String[] strings;

    /** Counts the trimmed value {@code a[s, e)}, a spelling of a boolean answer; returns the spelling's index. */
    int add(byte[] a, int s, int e) {
        if (last >= 0 && Arrays.equals(spellings[last], 0, spellings[last].length, a, s, e)) {
            rows[last]++;
            return last;
        }
        for (int i = 0; i < size; i++) {
            if (Arrays.equals(spellings[i], 0, spellings[i].length, a, s, e)) {
                rows[i]++;
                last = i;
                return i;
            }
        }
        append(Arrays.copyOfRange(a, s, e), 1);
        return last;
    }

    /** Spelling {@code i} (in the order first met), one String per spelling. */
    String spelling(int i) {
        if (strings == null || strings.length < size) {
            strings = Arrays.copyOf(strings == null ? new String[0] : strings, size);
        }
        if (strings[i] == null) {
            strings[i] = new String(spellings[i], StandardCharsets.UTF_8);
        }
        return strings[i];
    }

    /** Adds another count's spellings and rows (a later chunk's). */
    void addAll(BooleanSpellings other) {
        if (other == null) {
            return;
        }
        for (int j = 0; j < other.size; j++) {
            byte[] spelled = other.spellings[j];
            int i = 0;
            while (i < size && !Arrays.equals(spellings[i], spelled)) {
                i++;
            }
            if (i < size) {
                rows[i] += other.rows[j];
            } else {
                append(spelled, other.rows[j]);
            }
        }
    }

    private void append(byte[] spelled, long count) {
        if (size == spellings.length) {
            spellings = Arrays.copyOf(spellings, size * 2);
            rows = Arrays.copyOf(rows, size * 2);
        }
        spellings[size] = spelled;
        rows[size] = count;
        last = size++;
    }

    /** Rows per spelling, in the order they were first met. */
    private Map<String, Long> rowsBySpelling() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
            out.put(new String(spellings[i], StandardCharsets.UTF_8), rows[i]);
        }
        return out;
    }

    /** The column's words ({@link BooleanWords#of}). */
    BooleanWords words() {
        return BooleanWords.of(rowsBySpelling());
    }
}
