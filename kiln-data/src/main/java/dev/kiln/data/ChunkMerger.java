package dev.kiln.data;

import dev.kiln.runtime.schema.ColumnType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Joins the chunks of a CSV file, in file order, into the typed columns {@link SchemaInference} would make of the
 * whole file: the type by its rule over every present value (the chunks' kind counts for BOOLEAN, INTEGER, NUMERIC,
 * DATETIME; for text, TEXT versus CATEGORICAL by its {@code looksLikeText} computed from the chunks' distinct values
 * and their counts), numeric-like columns as one double array, string columns as one String array sharing one
 * String per distinct value (as SchemaInference's levels do). A column that is textual overall but was parsed as
 * numbers in some chunk needs those chunks parsed again as text ({@link #textColumns} says which; the reader does it).
 */
final class ChunkMerger {
    private final List<String> names;
    private final ColumnType[] forced;
    /**
     * First the label columns ({@link ReadOptions#labelColumns}); from the end of the constructor, the label columns
     * whose votes say BOOLEAN, which become CATEGORICAL with their words kept.
     */
    private final boolean[] labels;
    private final List<CsvChunk> chunks;
    private final boolean[] text;

    ChunkMerger(List<String> names, ColumnType[] forced, Set<String> labelColumns, List<CsvChunk> chunks) {
        this.names = names;
        this.forced = forced;
        this.labels = new boolean[names.size()];
        for (int c = 0; c < labels.length; c++) {
            labels[c] = labelColumns.contains(names.get(c));
        }
        this.chunks = chunks;
        this.text = new boolean[names.size()];
        for (int c = 0; c < text.length; c++) {
            text[c] = isText(c);
        }
    }

    private boolean isText(int c) {
        if (forced[c] != null) {
            return !forced[c].isNumericLike();
        }
        ColumnType inferred = inferredNumericType(c);
        if (labels[c] && inferred == ColumnType.BOOLEAN) {
            labels[c] = true; // stays true: this label is read as its words (SchemaInference.asRead's rule)
            return true;
        }
        labels[c] = false; // decided before any chunk is parsed again as text, which changes the votes
        return inferred == null;
    }

    /** The numeric-like type column {@code c} gets from its votes, or null when it is textual. */
    private ColumnType inferredNumericType(int c) {
        long present = 0;
        long booleans = 0;
        long integers = 0;
        long numeric = 0;
        long datetimes = 0;
        for (CsvChunk chunk : chunks) {
            ChunkColumn column = chunk.columns()[c];
            if (column.isText()) {
                return null;
            }
            present += column.present;
            booleans += column.booleans;
            integers += column.integers;
            numeric += column.numeric;
            datetimes += column.datetimes;
        }
        return numericType(present, booleans, integers, numeric, datetimes);
    }

    /**
     * The numeric-like type of a column whose present values are all of one kind: BOOLEAN, INTEGER, NUMERIC, DATETIME
     * by its votes; null when none is present (all missing: CATEGORICAL) or the kinds mix (text).
     */
    static ColumnType numericType(long present, long booleans, long integers, long numeric, long datetimes) {
        if (present == 0) {
            return null; // all missing: CATEGORICAL
        }
        if (booleans == present) {
            return ColumnType.BOOLEAN;
        }
        if (integers == present) {
            return ColumnType.INTEGER;
        }
        if (numeric == present) {
            return ColumnType.NUMERIC;
        }
        return datetimes == present ? ColumnType.DATETIME : null;
    }

    /** For chunk {@code k}: which columns must be parsed again as text, or null when none. */
    boolean[] textColumns(int k) {
        boolean[] out = null;
        ChunkColumn[] columns = chunks.get(k).columns();
        for (int c = 0; c < columns.length; c++) {
            if (text[c] && !columns[c].isText() && columns[c].present > 0) {
                if (out == null) {
                    out = new boolean[columns.length];
                }
                out[c] = true;
            }
        }
        return out;
    }

    /** The columns; call after every chunk {@link #textColumns} named was replaced by its text parse. */
    List<DataColumn> columns() {
        int rows = 0;
        for (CsvChunk chunk : chunks) {
            rows += chunk.rows();
        }
        List<DataColumn> out = new ArrayList<>(names.size());
        for (int c = 0; c < names.size(); c++) {
            out.add(text[c] ? strings(c, rows) : numbers(c, rows));
        }
        return out;
    }

    private NumericColumn numbers(int c, int rows) {
        ColumnType type = forced[c] != null ? forced[c] : inferredNumericType(c);
        double[] values = new double[rows];
        String[] asWritten = type == ColumnType.BOOLEAN ? spelledByRow(c, rows) : null;
        int at = 0;
        BooleanSpellings spellings = new BooleanSpellings();
        for (CsvChunk chunk : chunks) {
            ChunkColumn column = chunk.columns()[c];
            System.arraycopy(column.numbers(), 0, values, at, chunk.rows());
            at += chunk.rows();
            spellings.addAll(column.spellings);
            column.release();
        }
        return new NumericColumn(names.get(c), type, values, type == ColumnType.BOOLEAN ? spellings.words() : null, asWritten);
    }

    /**
     * Each row's spelling of boolean column {@code c} (null when missing), when the file writes an answer more than one
     * way (in a chunk, or from one chunk to another); else null, every answer being written as its words say.
     */
    private String[] spelledByRow(int c, int rows) {
        String yes = null;
        String no = null;
        boolean mixed = false;
        for (CsvChunk chunk : chunks) {
            ChunkColumn column = chunk.columns()[c];
            if (column.spellings == null) {
                continue; // every value missing
            }
            String chunkYes = column.firstSpelling(1.0);
            String chunkNo = column.firstSpelling(0.0);
            mixed |= column.spelledAs != null || yes != null && chunkYes != null && !yes.equals(chunkYes)
                    || no != null && chunkNo != null && !no.equals(chunkNo);
            yes = yes != null ? yes : chunkYes;
            no = no != null ? no : chunkNo;
        }
        if (!mixed) {
            return null;
        }
        String[] out = new String[rows];
        Map<String, String> shared = new HashMap<>(); // one String per spelling across the chunks
        int at = 0;
        for (CsvChunk chunk : chunks) {
            ChunkColumn column = chunk.columns()[c];
            double[] numbers = column.numbers();
            for (int r = 0; r < chunk.rows(); r++) {
                double v = numbers[r];
                out[at + r] = v != v ? null : shared.computeIfAbsent(column.spellingOf(r, v), k -> k);
            }
            at += chunk.rows();
        }
        return out;
    }

    /** A distinct value of a string column, shared by every row holding it, and how often it occurs. */
    static final class Level {
        final String value;
        long count;

        Level(String value) {
            this.value = value;
        }
    }

    private StringColumn strings(int c, int rows) {
        String[] values = new String[rows];
        Map<String, Level> levels = new HashMap<>();
        int at = 0;
        for (CsvChunk chunk : chunks) {
            ChunkColumn column = chunk.columns()[c];
            if (column.isText()) {
                ByteDictionary dictionary = column.levels();
                String[] local = dictionary.strings();
                for (int code = 0; code < local.length; code++) {
                    Level level = levels.computeIfAbsent(local[code], Level::new);
                    level.count += dictionary.count(code);
                    local[code] = level.value;
                }
                int[] codes = column.codes();
                for (int r = 0; r < chunk.rows(); r++) {
                    values[at + r] = codes[r] < 0 ? null : local[codes[r]];
                }
            } // else: a chunk where the column is all missing
            at += chunk.rows();
            column.release();
        }
        ColumnType type = forced[c] != null ? forced[c]
                : labels[c] ? ColumnType.CATEGORICAL
                : looksLikeText(levels) ? ColumnType.TEXT : ColumnType.CATEGORICAL;
        return new StringColumn(names.get(c), type, values);
    }

    /** {@link SchemaInference}'s looksLikeText, from the distinct values and their counts. */
    static boolean looksLikeText(Map<String, Level> levels) {
        long present = 0;
        long totalLength = 0;
        long withSpace = 0;
        for (Level level : levels.values()) {
            present += level.count;
            totalLength += level.count * level.value.length();
            if (SchemaInference.containsWhitespace(level.value)) {
                withSpace += level.count;
            }
        }
        return SchemaInference.isFreeText(present, levels.size(), totalLength, withSpace);
    }
}
