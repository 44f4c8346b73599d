package dev.kiln.data;

import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Values;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * One column of one chunk as it is parsed. An inferred column starts in number mode: a double per row (NaN for
 * missing; the number, 1/0 for a boolean word, epoch ms for a datetime) plus counts of each kind, which is all
 * {@link SchemaInference}'s type rule needs, since a value is at most one of boolean word, number and datetime.
 * At the first value that is none of them, or when the kinds mix, no numeric-like type can win any more: the
 * column switches to text mode (an int code per row into a {@link ByteDictionary}, -1 for missing), and the
 * parser feeds it the chunk's earlier rows again. A forced type converts as {@link SchemaInference} converts a
 * forced column; a value that does not fit is a {@link CsvChunkParser.Problem} (the sequential reader then names it).
 */
final class ChunkColumn {
    private final ColumnType forced;
    private final boolean skip;
    /**
     * A text column that keeps its values' surrounding whitespace ({@link ReadOptions#otherColumnsUntrimmed}): the
     * parser hands it unquoted values untrimmed, and it stores every value as given; missing is still decided on the
     * value trimmed, as {@link Values#isMissingToken} decides it.
     */
    private boolean keepsSpace;
    private boolean text;
    private double[] numbers;
    private int[] codes;
    private ByteDictionary levels;
    private int size;

    /** The spellings of the boolean words this column read (null until one): its words if it is typed boolean. */
    BooleanSpellings spellings;
    /** The spelling of the first row of each answer (indices into {@link #spellings}; -1 before one). */
    private int firstFalse = -1;
    private int firstTrue = -1;
    /**
     * Per row, 1 + the index of its spelling in {@link #spellings}, 0 when missing (rows past its length too): kept
     * only once an answer is written two ways in this chunk; until then each row is spelled as its answer's first row.
     */
    byte[] spelledAs;

    long present;
    long booleans;
    long integers;
    long numeric;
    long datetimes;

    private ChunkColumn(ColumnType forced, boolean skip, boolean text, int capacity, IntFunction<double[]> arrays) {
        this.forced = forced;
        this.skip = skip;
        if (text) {
            toText(capacity);
        } else if (!skip) {
            numbers = arrays.apply(capacity);
        }
    }

    private ChunkColumn(ColumnType forced, boolean skip, boolean text, int capacity) {
        this(forced, skip, text, capacity, double[]::new);
    }

    /** A column whose type is forced ({@code forced} not null) or inferred. */
    static ChunkColumn of(ColumnType forced, int capacity) {
        return of(forced, capacity, double[]::new);
    }

    /**
     * As {@link #of(ColumnType, int)}, its number array (if it needs one) from {@code arrays}: an array of at least
     * {@code capacity} doubles, whose contents do not matter (rows are written before they are read).
     */
    static ChunkColumn of(ColumnType forced, int capacity, IntFunction<double[]> arrays) {
        boolean text = forced != null && !forced.isNumericLike();
        return new ChunkColumn(forced, false, text, capacity, arrays);
    }

    /** A column forced to TEXT that keeps its values' surrounding whitespace (see {@link #keepsSpace()}). */
    static ChunkColumn untrimmedText(int capacity) {
        ChunkColumn column = new ChunkColumn(ColumnType.TEXT, false, true, capacity);
        column.keepsSpace = true;
        return column;
    }

    /** Whether the parser must hand this column its unquoted values untrimmed. */
    boolean keepsSpace() {
        return keepsSpace;
    }

    /** A column kept as text whatever its values (re-parsing a chunk for a column that turned out textual). */
    static ChunkColumn text(int capacity) {
        return new ChunkColumn(null, false, true, capacity);
    }

    /** A column whose values are ignored. */
    static ChunkColumn skipped() {
        return new ChunkColumn(null, true, false, 0);
    }

    boolean isText() {
        return text;
    }

    int size() {
        return size;
    }

    double[] numbers() {
        return numbers;
    }

    int[] codes() {
        return codes;
    }

    ByteDictionary levels() {
        return levels;
    }

    /** Frees the rows once the merge has copied them. */
    void release() {
        numbers = null;
        codes = null;
        levels = null;
    }

    /**
     * Adds the value {@code a[s, e)} (untrimmed). False when an inferred column must switch to text first; the
     * caller then calls {@link #toText}, re-adds the earlier rows with {@link #addText} and this value too.
     */
    boolean add(ByteTokens tokens, byte[] a, int s, int e) {
        if (skip) {
            return true;
        }
        if (keepsSpace) {
            addText(a, s, e);
            return true;
        }
        while (s < e && a[s] >= 0 && a[s] <= ' ') {
            s++;
        }
        while (e > s && a[e - 1] >= 0 && a[e - 1] <= ' ') {
            e--;
        }
        if (text) {
            addTrimmed(a, s, e);
            return true;
        }
        if (size == numbers.length) {
            numbers = Arrays.copyOf(numbers, Math.max(16, size * 2));
        }
        if (forced != null) {
            double value = forcedValue(tokens, a, s, e); // before size moves on: a boolean's spelling is kept at row size
            numbers[size++] = value;
            return true;
        }
        int kind = tokens.classify(a, s, e);
        switch (kind) {
            case ByteTokens.MISSING -> {
                numbers[size++] = Double.NaN;
                return true;
            }
            case ByteTokens.INTEGER -> {
                integers++;
                numeric++;
            }
            case ByteTokens.NUMBER -> numeric++;
            case ByteTokens.BOOLEAN -> {
                booleans++;
                spelled(a, s, e, tokens.value);
            }
            case ByteTokens.DATETIME -> datetimes++;
            default -> {
                return false;
            }
        }
        present++;
        if (booleans != present && numeric != present && datetimes != present) {
            return false; // kinds mixed: every vote is lost
        }
        numbers[size++] = tokens.value;
        return true;
    }

    /**
     * Whether the parser may read this column's numbers itself and hand them to {@link #addNumber}: an inferred
     * column still in number mode, or one forced NUMERIC or INTEGER (as `kiln drift` reads the current data with the
     * reference's types).
     */
    boolean takesNumbers() {
        return !skip && !text && (forced == null || forced == ColumnType.NUMERIC || forced == ColumnType.INTEGER);
    }

    /**
     * Adds the finite number that {@code tokens} just read ({@link ByteTokens#numberPrefix}, shape 0 or 1): exactly
     * what {@link #add} does with the same value's bytes. False when the column must switch to text (the kinds mix).
     */
    boolean addNumber(ByteTokens tokens) {
        if (size == numbers.length) {
            numbers = Arrays.copyOf(numbers, Math.max(16, size * 2));
        }
        if (forced != null) { // as forcedValue: the number, which a forced INTEGER needs whole
            if (forced == ColumnType.INTEGER && tokens.value != Math.rint(tokens.value)) {
                throw new CsvChunkParser.Problem("a value does not fit the forced type " + forced.wireName());
            }
            numbers[size++] = tokens.value;
            return true;
        }
        if (tokens.shape == 0) {
            integers++;
        }
        numeric++;
        present++;
        if (booleans != present && numeric != present && datetimes != present) {
            return false; // kinds mixed: every vote is lost
        }
        numbers[size++] = tokens.value;
        return true;
    }

    private double forcedValue(ByteTokens tokens, byte[] a, int s, int e) {
        if (forced == ColumnType.NUMERIC || forced == ColumnType.INTEGER) {
            int kind = tokens.classify(a, s, e);
            if (kind == ByteTokens.MISSING) {
                return Double.NaN;
            }
            double d = tokens.value;
            if (kind != ByteTokens.INTEGER && kind != ByteTokens.NUMBER
                    || forced == ColumnType.INTEGER && d != Math.rint(d)) {
                throw new CsvChunkParser.Problem("a value does not fit the forced type " + forced.wireName());
            }
            return d;
        }
        String value = new String(a, s, e - s, StandardCharsets.UTF_8);
        if (Values.isMissingToken(value)) {
            return Double.NaN;
        }
        double d = Values.parseAs(forced, value);
        if (Double.isNaN(d)) {
            throw new CsvChunkParser.Problem("a value does not fit the forced type " + forced.wireName());
        }
        if (forced == ColumnType.BOOLEAN) {
            spelled(a, s, e, d);
        }
        return d;
    }

    /** Counts the spelling of row {@link #size}'s boolean word {@code a[s, e)} (trimmed), whose value is 1 or 0. */
    private void spelled(byte[] a, int s, int e, double value) {
        if (spellings == null) {
            spellings = new BooleanSpellings();
        }
        int i = spellings.add(a, s, e);
        int row = size;
        if (spelledAs == null) {
            if (value == 1.0 && firstTrue < 0) {
                firstTrue = i;
            } else if (value == 0.0 && firstFalse < 0) {
                firstFalse = i;
            }
            if (i == (value == 1.0 ? firstTrue : firstFalse)) {
                return;
            }
            // An answer written a second way: from here each row keeps its own spelling; the rows before had the first.
            spelledAs = new byte[Math.max(numbers.length, row + 1)];
            for (int r = 0; r < row; r++) {
                double v = numbers[r];
                spelledAs[r] = (byte) (v != v ? 0 : 1 + (v == 1.0 ? firstTrue : firstFalse));
            }
        } else if (row >= spelledAs.length) {
            spelledAs = Arrays.copyOf(spelledAs, Math.max(numbers.length, row + 1));
        }
        spelledAs[row] = (byte) (1 + i);
    }

    /** The spelling of row {@code r}, a present boolean value {@code value}, as the file writes it. */
    String spellingOf(int r, double value) {
        if (spelledAs != null) {
            return spellings.spelling((r < spelledAs.length ? spelledAs[r] : 0) - 1);
        }
        return spellings.spelling(value == 1.0 ? firstTrue : firstFalse);
    }

    /** The first spelling of the answer {@code value} (1 or 0) in this chunk, or null when no row gives it. */
    String firstSpelling(double value) {
        int i = value == 1.0 ? firstTrue : firstFalse;
        return i < 0 ? null : spellings.spelling(i);
    }

    /** Switches to text mode, dropping the rows so far (the caller re-adds them). */
    void toText(int capacity) {
        text = true;
        numbers = null;
        codes = new int[Math.max(16, capacity)];
        levels = new ByteDictionary();
        size = 0;
    }

    /** Adds a value in text mode (untrimmed bytes): trimmed, or as given when the column {@link #keepsSpace()}. */
    void addText(byte[] a, int s, int e) {
        int from = s;
        int to = e;
        while (s < e && a[s] >= 0 && a[s] <= ' ') {
            s++;
        }
        while (e > s && a[e - 1] >= 0 && a[e - 1] <= ' ') {
            e--;
        }
        if (keepsSpace) {
            if (size == codes.length) {
                codes = Arrays.copyOf(codes, Math.max(16, size * 2));
            }
            codes[size++] = ByteTokens.isMissing(a, s, e) ? -1 : levels.code(a, from, to);
            return;
        }
        addTrimmed(a, s, e);
    }

    private void addTrimmed(byte[] a, int s, int e) {
        if (size == codes.length) {
            codes = Arrays.copyOf(codes, Math.max(16, size * 2));
        }
        codes[size++] = ByteTokens.isMissing(a, s, e) ? -1 : levels.code(a, s, e);
    }
}
