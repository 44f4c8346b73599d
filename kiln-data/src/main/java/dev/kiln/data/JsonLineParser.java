package dev.kiln.data;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses whole lines of a JSON-lines file into columns, for {@link JsonLinesReader}: only the plain shape, where each
 * line is one flat object and every value is a number, a string, true, false or null. Lines may give their keys in
 * any order and leave any out (null, as DuckDB reads a missing key); a key the first line lacks gets a column of the
 * chunk after the first line's, in the order the chunk's lines first give them, as DuckDB orders its columns. The
 * first line's keys in its order, without white space, are read fastest. Blank lines are skipped, as DuckDB skips
 * them. Anything else (a nested value, a key twice on a line, two keys equal but for case, an escape in a key, a
 * number outside JSON's grammar or too large to read exactly, bytes that are not UTF-8) throws {@link Decline}: the
 * file is then read through DuckDB, which types it, or words its error, as before.
 *
 * <p>Numbers, true and false land in a double per row ({@code NaN} for null; booleans as 1 and 0; an integer as the
 * double of its exact value, so {@code -0} is 0 as DuckDB reads it); strings in a String per row. What each column
 * held, and on which rows first, goes to {@link Chunk} for {@link JsonLinesReader} to type the column as DuckDB's
 * sample would.
 */
final class JsonLineParser {
    /** The file is not of the plain shape: read it through DuckDB. */
    static final class Decline extends RuntimeException {
        Decline(String why) {
            super(why, null, false, false);
        }
    }

    /** What a column held in a chunk: nothing but nulls yet, numbers, booleans or strings (one of them only). */
    static final int NONE = 0;
    static final int NUMBER = 1;
    static final int BOOLEAN = 2;
    static final int STRING = 3;

    /** The most keys a chunk takes. */
    static final int MAX_KEYS = 10_000;

    /** Integers beyond 2^53 have no exact double; DuckDB reads them exactly (BIGINT, HUGEINT): leave them to it. */
    private static final long MAX_EXACT = 1L << 53;

    /** One column of a parsed chunk. First rows are chunk-local, -1 when there was none. */
    static final class Column {
        int family = NONE;
        double[] values;
        String[] texts;
        int firstValue = -1;
        int firstDouble = -1;
        /** The first string that no date, time, timestamp or UUID can be ({@link JsonText#plainText}). */
        int firstPlainText = -1;
    }

    /**
     * A chunk of lines parsed into columns, named by {@code names} (the first line's keys, then those the chunk added),
     * and the bytes it was parsed from.
     */
    record Chunk(int rows, List<String> names, Column[] columns, int bytes) {
    }

    /** The chunk's keys: the first line's, then any its lines added. */
    private byte[][] keys = new byte[0][];
    /** Each key as it is written without white space: {@code "key":}. */
    private byte[][] patterns = new byte[0][];
    private Column[] columns = new Column[0];
    private final List<String> names = new ArrayList<>();
    /** The keys in lower case: DuckDB renames a key equal to another but for case. */
    private final Set<String> folded = new HashSet<>();
    /** Each key's column, for finding a key among many. */
    private final Map<String, Integer> index = new HashMap<>();
    /** Which keys a line gave, for {@link #anyKeys}. */
    private boolean[] seen = new boolean[0];
    private final ByteTokens tokens = new ByteTokens();

    private JsonLineParser(List<String> firstKeys) {
        for (String name : firstKeys) {
            add(name);
        }
    }

    /** A column for the key {@code name}; rows before it are null. */
    private int add(String name) {
        if (!folded.add(name.toLowerCase(Locale.ROOT))) {
            throw new Decline("two keys equal but for case");
        }
        int c = keys.length;
        if (c == MAX_KEYS) {
            throw new Decline("more than " + MAX_KEYS + " keys"); // each new key copies the arrays: keep that bounded
        }
        index.put(name, c);
        byte[] key = name.getBytes(StandardCharsets.UTF_8);
        byte[] pattern = new byte[key.length + 3]; // "key":
        pattern[0] = '"';
        System.arraycopy(key, 0, pattern, 1, key.length);
        pattern[pattern.length - 2] = '"';
        pattern[pattern.length - 1] = ':';
        keys = Arrays.copyOf(keys, c + 1);
        keys[c] = key;
        patterns = Arrays.copyOf(patterns, c + 1);
        patterns[c] = pattern;
        columns = Arrays.copyOf(columns, c + 1);
        columns[c] = new Column();
        seen = Arrays.copyOf(seen, c + 1); // a line's keys so far stay seen
        names.add(name);
        return c;
    }

    /**
     * The keys of the first line, in order, from {@code a[from, to)} (the line without its line break); a Decline when
     * the line is not a flat object of distinct plain keys (DuckDB renames keys equal but for case).
     */
    static List<String> keys(byte[] a, int from, int to) {
        List<String> names = new ArrayList<>();
        Set<String> folded = new HashSet<>();
        int i = skipSpace(a, from, to);
        i = expect(a, i, to, '{');
        i = skipSpace(a, i, to);
        if (i < to && a[i] == '}') {
            throw new Decline("an object without keys");
        }
        while (true) {
            i = expect(a, i, to, '"');
            int start = i;
            i = keyEnd(a, i, to);
            if (i == to || i == start || !Utf8Check.isValid(a, start, i)) {
                throw new Decline("an empty or broken key");
            }
            String name = new String(a, start, i - start, StandardCharsets.UTF_8);
            if (!folded.add(name.toLowerCase(Locale.ROOT))) {
                throw new Decline("a key twice");
            }
            names.add(name);
            i = skipSpace(a, i + 1, to);
            i = expect(a, i, to, ':');
            i = skipValue(a, skipSpace(a, i, to), to);
            i = skipSpace(a, i, to);
            if (i < to && a[i] == ',') {
                i = skipSpace(a, i + 1, to);
                continue;
            }
            i = expect(a, i, to, '}');
            break;
        }
        return names;
    }

    /** Parses the whole lines in {@code a[from, to)} (each ends with a line break, but the file's last may not). */
    static Chunk parse(byte[] a, int from, int to, List<String> firstKeys) {
        return new JsonLineParser(firstKeys).lines(a, from, to);
    }

    private Chunk lines(byte[] a, int from, int to) {
        int capacity = ByteScan.count(a, from, to, (byte) '\n') + 1;
        int row = 0;
        int i = from;
        while (i < to) {
            int end = ByteScan.indexOf(a, i, to, (byte) '\n');
            if (end < 0) {
                end = to;
            }
            if (!blank(a, i, end)) {
                line(a, i, end, row, capacity);
                row++;
            } // else a blank line, which DuckDB skips too: no row
            i = end + 1;
        }
        return new Chunk(row, List.copyOf(names), columns, to - from);
    }

    private void line(byte[] a, int from, int to, int row, int capacity) {
        int open = expect(a, skipSpace(a, from, to), to, '{');
        int i = inOrder(a, open, to, row, capacity);
        if (i < 0) {
            anyKeys(a, open, to, row, capacity);
        } else {
            end(a, i, to);
        }
    }

    /**
     * The common case: the chunk's keys in its order from {@code a[i]} (just after the opening brace), each quoted and
     * followed by its colon, best without white space; where they end, or -1 for any other line (keys missing, added
     * or in another order), which {@link #anyKeys} reads again from its start, storing the same values again for the
     * keys read here.
     */
    private int inOrder(byte[] a, int i, int to, int row, int capacity) {
        byte[][] keys = this.keys;
        byte[][] patterns = this.patterns;
        Column[] columns = this.columns;
        for (int c = 0; c < keys.length; c++) {
            if (c > 0 && i < to && a[i] == ',') {
                i++;
            } else if (c > 0) {
                i = skipSpace(a, i, to);
                if (i == to || a[i] != ',') {
                    return -1;
                }
                i++;
            }
            byte[] pattern = patterns[c];
            if (i + pattern.length <= to && Arrays.equals(a, i, i + pattern.length, pattern, 0, pattern.length)) {
                i += pattern.length;
            } else {
                i = key(a, skipSpace(a, i, to), to, keys[c]);
                if (i < 0) {
                    return -1;
                }
                i = expect(a, skipSpace(a, i, to), to, ':');
            }
            i = value(a, skipSpace(a, i, to), to, row, columns[c], capacity);
        }
        int j = skipSpace(a, i, to);
        return j < to && a[j] == ',' ? -1 : i; // a comma: a key the chunk has not met yet
    }

    /** Where the quoted {@code key} at {@code a[i]} ends, or -1 when another key is there. */
    private static int key(byte[] a, int i, int to, byte[] key) {
        int end = i + key.length + 2;
        return end <= to && a[i] == '"' && a[end - 1] == '"' && Arrays.equals(a, i + 1, end - 1, key, 0, key.length)
                ? end : -1;
    }

    /** Where the key from {@code a[i]} (after its opening quote) ends: its closing quote, or {@code to}. */
    private static int keyEnd(byte[] a, int i, int to) {
        while (i < to && a[i] != '"') {
            if (a[i] == '\\' || (a[i] & 0xff) < 0x20) {
                throw new Decline("an escape in a key");
            }
            i++;
        }
        return i;
    }

    /** The closing brace at {@code a[i]} (after white space), and nothing but white space after it. */
    private static void end(byte[] a, int i, int to) {
        i = expect(a, skipSpace(a, i, to), to, '}');
        if (skipSpace(a, i, to) != to) {
            throw new Decline("more than one value on a line");
        }
    }

    /**
     * A line whose keys are not the chunk's in its order, from just after its opening brace {@code a[i]}: the keys may
     * come in any order and any of them may be missing (DuckDB reads a missing key as null); a new key gets a column; a
     * key given twice (an error in DuckDB) declines.
     */
    private void anyKeys(byte[] a, int i, int to, int row, int capacity) {
        Arrays.fill(seen, false);
        i = skipSpace(a, i, to);
        boolean more = i < to && a[i] != '}';
        while (more) {
            i = expect(a, i, to, '"');
            int start = i;
            i = keyEnd(a, i, to);
            int c = column(a, start, i);
            boolean[] seen = this.seen; // a new key grew it
            if (seen[c]) {
                throw new Decline("a key twice");
            }
            seen[c] = true;
            i = expect(a, skipSpace(a, i + 1, to), to, ':');
            i = skipSpace(a, value(a, skipSpace(a, i, to), to, row, columns[c], capacity), to);
            more = i < to && a[i] == ',';
            if (more) {
                i = skipSpace(a, i + 1, to);
            }
        }
        end(a, i, to);
        for (int c = 0; c < keys.length; c++) {
            if (!seen[c] && columns[c].values != null) {
                columns[c].values[row] = Double.NaN; // a missing key: null, as DuckDB reads it (texts stay null)
            }
        }
    }

    /** The column of the key {@code a[start, end)}, byte for byte; a new column for a key not seen before. */
    private int column(byte[] a, int start, int end) {
        if (keys.length <= 16) {
            for (int c = 0; c < keys.length; c++) {
                if (Arrays.equals(a, start, end, keys[c], 0, keys[c].length)) {
                    return c;
                }
            }
        }
        if (end == start || !Utf8Check.isValid(a, start, end)) {
            throw new Decline("an empty or broken key");
        }
        String name = new String(a, start, end - start, StandardCharsets.UTF_8);
        Integer known = index.get(name);
        return known != null ? known : add(name);
    }

    private int value(byte[] a, int i, int to, int row, Column column, int capacity) {
        if (i == to) {
            throw new Decline("a missing value");
        }
        byte b = a[i];
        if (b == '"') {
            return string(a, i + 1, to, row, column, capacity);
        }
        if (b == '-' || b >= '0' && b <= '9') {
            return number(a, i, to, row, column, capacity);
        }
        if (word(a, i, to, "true")) {
            store(column, BOOLEAN, row, 1, capacity);
            return i + 4;
        }
        if (word(a, i, to, "false")) {
            store(column, BOOLEAN, row, 0, capacity);
            return i + 5;
        }
        if (word(a, i, to, "null")) {
            if (column.values != null) {
                column.values[row] = Double.NaN;
            }
            return i + 4;
        }
        throw new Decline("a nested or unknown value");
    }

    /**
     * A JSON number ({@code -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?}) at {@code a[s]}, read in one pass: a decimal of at
     * most 18 digits without an exponent by Clinger's fast path (exact: one correctly rounded division of two exact
     * doubles), as {@link ByteTokens#numberPrefix} reads it; anything longer by that method itself.
     */
    private int number(byte[] a, int s, int to, int row, Column column, int capacity) {
        boolean negative = a[s] == '-';
        int i = negative ? s + 1 : s;
        int intStart = i;
        tokens.mantissa = 0;
        if (i < to && a[i] == '0') {
            i++;
        } else {
            i = tokens.digitRun(a, i, to);
        }
        int intDigits = i - intStart;
        if (intDigits == 0 || i < to && digit(a[i])) {
            throw new Decline("a number outside JSON's grammar");
        }
        int fracDigits = 0;
        boolean integer = true;
        if (i < to && a[i] == '.') {
            integer = false;
            int fracStart = ++i;
            i = tokens.digitRun(a, i, to);
            fracDigits = i - fracStart;
            if (fracDigits == 0) {
                throw new Decline("a number outside JSON's grammar");
            }
        }
        boolean exponent = false;
        if (i < to && (a[i] == 'e' || a[i] == 'E')) {
            integer = false;
            exponent = true;
            i++;
            if (i < to && (a[i] == '+' || a[i] == '-')) {
                i++;
            }
            int expStart = i;
            while (i < to && digit(a[i])) {
                i++;
            }
            if (i == expStart) {
                throw new Decline("a number outside JSON's grammar");
            }
        }
        long mantissa = tokens.mantissa; // past 18 digits it overflowed: then it is not used
        double value;
        if (integer) {
            if (intDigits > 16 || mantissa > MAX_EXACT) {
                throw new Decline("an integer beyond 2^53");
            }
            value = negative ? -mantissa : mantissa; // -0 is the integer 0, as DuckDB reads it
        } else {
            if (!exponent && intDigits + fracDigits <= 18 && mantissa <= MAX_EXACT) {
                value = mantissa / POWERS_OF_TEN[fracDigits]; // fracDigits <= 18: an exact power of ten
                value = negative ? -value : value;
            } else if (tokens.numberPrefix(a, s, i) == i && tokens.shape != ByteTokens.INFINITE) {
                value = tokens.value;
            } else {
                throw new Decline("a number too large for a double");
            }
            if (column.firstDouble < 0) {
                column.firstDouble = row;
            }
        }
        store(column, NUMBER, row, value, capacity);
        return i;
    }

    private static final double[] POWERS_OF_TEN = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
        1e13, 1e14, 1e15, 1e16, 1e17, 1e18};

    private int string(byte[] a, int i, int to, int row, Column column, int capacity) {
        int start = i;
        boolean escaped = false;
        boolean ascii = true;
        while (true) {
            if (i >= to) {
                throw new Decline("an unterminated string");
            }
            int b = a[i] & 0xff;
            if (b == '"') {
                break;
            }
            if (b < 0x20) {
                throw new Decline("a control character in a string");
            }
            if (b == '\\') {
                escaped = true;
                i += 2;
                continue;
            }
            ascii &= b < 0x80;
            i++;
        }
        if (!ascii && !Utf8Check.isValid(a, start, i)) {
            throw new Decline("bytes that are not UTF-8");
        }
        String text = escaped ? JsonText.unescaped(a, start, i) : new String(a, start, i - start,
                ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        if (column.family != STRING) {
            family(column, STRING, row);
            column.texts = new String[capacity];
        }
        column.texts[row] = text;
        if (column.firstPlainText < 0 && JsonText.plainText(text)) {
            column.firstPlainText = row;
        }
        return i + 1;
    }

    private static void store(Column column, int family, int row, double value, int capacity) {
        if (column.family != family) {
            family(column, family, row);
            column.values = new double[capacity];
            Arrays.fill(column.values, 0, row, Double.NaN);
        }
        column.values[row] = value;
    }

    private static void family(Column column, int family, int row) {
        if (column.family != NONE) {
            throw new Decline("a column holding values of two kinds");
        }
        column.family = family;
        column.firstValue = row;
    }

    private static boolean word(byte[] a, int i, int to, String word) {
        if (i + word.length() > to) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            if (a[i + k] != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** Skips the value at {@code a[i]} of the first line (its keys only are read): a Decline if it is nested. */
    private static int skipValue(byte[] a, int i, int to) {
        if (i == to || a[i] == '{' || a[i] == '[') {
            throw new Decline("a nested or missing value");
        }
        if (a[i] == '"') {
            i++;
            while (i < to && a[i] != '"') {
                i += a[i] == '\\' ? 2 : 1;
            }
            return Math.min(i + 1, to);
        }
        while (i < to && a[i] != ',' && a[i] != '}' && a[i] != ' ' && a[i] != '\t' && a[i] != '\r') {
            i++;
        }
        return i;
    }

    private static int expect(byte[] a, int i, int to, char ch) {
        if (i >= to || a[i] != ch) {
            throw new Decline("not the plain shape: '" + ch + "' expected");
        }
        return i + 1;
    }

    /** Whether the line {@code a[from, to)} is empty or white (spaces, tabs, a CR): DuckDB skips it. */
    static boolean blank(byte[] a, int from, int to) {
        return skipSpace(a, from, to) == to;
    }

    private static int skipSpace(byte[] a, int i, int to) {
        while (i < to && (a[i] == ' ' || a[i] == '\t' || a[i] == '\r')) {
            i++;
        }
        return i;
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }
}
