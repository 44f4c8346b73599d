package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.BooleanWords;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.TypeVotes;
import dev.kiln.runtime.schema.Values;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Decides each column's type from its text and converts the text to the internal value form. Only
 * non-missing values ({@link Values#isMissingToken}) are considered, and the first rule that every one
 * of them satisfies wins:
 * <ol>
 *   <li>BOOLEAN: all are true/false/yes/no words ({@link Values#isBooleanWord}; 1/0 alone is INTEGER);</li>
 *   <li>INTEGER: all are integers of at most 18 digits ({@link Values#isInteger});</li>
 *   <li>NUMERIC: all are finite decimal numbers ({@link Values#parseNumber});</li>
 *   <li>DATETIME: all are ISO dates or date-times ({@link Values#parseDatetime});</li>
 *   <li>TEXT: free text, meaning more than half the values are distinct, the average length is over
 *       {@value #TEXT_MIN_AVG_LENGTH} characters, and at least half the values contain whitespace
 *       (the whitespace test keeps long identifiers such as hashes or UUIDs categorical);</li>
 *   <li>CATEGORICAL: anything else, including a column where every value is missing (kept, all
 *       missing, so the caller can report and drop it).</li>
 * </ol>
 * A column named in {@link ReadOptions#labelColumns} that rule 1 would type BOOLEAN is CATEGORICAL instead
 * ({@link #asRead}): class labels keep the words the file holds. String values are stored trimmed, as
 * {@link Values#coerce} does at scoring time. A forced type
 * (override) must fit every non-missing value, else {@link ErrorCode#DATA_MALFORMED} names the line,
 * column and value; a forced INTEGER also rejects numbers with a fraction.
 */
public final class SchemaInference {
    static final int TEXT_MIN_AVG_LENGTH = 30;

    private SchemaInference() {
    }

    /** The inferred type of a column given its raw text values (null or missing tokens = missing). */
    public static ColumnType inferType(List<String> values) {
        return inferType(values.size(), values::get);
    }

    /**
     * Builds a column from raw text values; {@code type} null means infer it. A value that does not fit
     * a given type is {@link ErrorCode#DATA_MALFORMED}, naming its 1-based position ("row N").
     */
    public static DataColumn column(String name, List<String> values, ColumnType type) {
        ColumnType t = type != null ? type : inferType(values);
        return convert(name, t, type != null, true, values.size(), values::get, row -> "values", row -> "row " + (row + 1));
    }

    /** Types and converts every column of a raw table, applying forced types by column name. */
    static List<DataColumn> columns(RawTable table, Map<String, ColumnType> forced) {
        return columns(table, forced, null);
    }

    static List<DataColumn> columns(RawTable table, ReadOptions options) {
        return columns(table, options.types(), options.otherColumns(),
                options.otherColumnsUntrimmed() && options.otherColumns() == ColumnType.TEXT, options.labelColumns());
    }

    static List<DataColumn> columns(RawTable table, Map<String, ColumnType> forced, ColumnType others) {
        return columns(table, forced, others, false, Set.of());
    }

    /**
     * The type a column is read as, given the type inference found for it (not a forced type): a label column
     * ({@link ReadOptions#labelColumns}) inferred BOOLEAN is CATEGORICAL, so its values stay the words written
     * (trimmed); every other inferred type is kept. Every reader that infers types applies this one rule.
     */
    public static ColumnType asRead(String column, ColumnType inferred, ReadOptions options) {
        return asRead(column, inferred, options.labelColumns());
    }

    private static ColumnType asRead(String column, ColumnType inferred, Set<String> labelColumns) {
        return inferred == ColumnType.BOOLEAN && labelColumns.contains(column) ? ColumnType.CATEGORICAL : inferred;
    }

    private static List<DataColumn> columns(RawTable table, Map<String, ColumnType> forced, ColumnType others,
                                            boolean othersUntrimmed, Set<String> labelColumns) {
        for (String name : forced.keySet()) {
            if (!table.names().contains(name)) {
                throw new KilnException(ErrorCode.COLUMN_MISSING,
                        "a type is set for column '" + name + "', which is not in " + table.source()
                                + "; available columns: " + String.join(", ", table.names()),
                        Map.of("column", name, "file", table.source(), "available", table.names()));
            }
        }
        List<DataColumn> out = new ArrayList<>(table.names().size());
        for (int c = 0; c < table.names().size(); c++) {
            String name = table.names().get(c);
            RawColumn raw = table.columns().get(c);
            ColumnType type = forced.getOrDefault(name, others);
            if (type != null) {
                boolean trim = !(othersUntrimmed && !forced.containsKey(name));
                out.add(convert(name, type, true, trim, raw, table::file, table::location));
                continue;
            }
            Inference inferred = infer(raw);
            ColumnType asRead = asRead(name, inferred.type(), labelColumns);
            out.add(inferred.parsed() != null
                    ? new NumericColumn(name, asRead, inferred.parsed())
                    : convert(name, asRead, false, true, raw, table::file, table::location));
        }
        return out;
    }

    /** A column typed by inference from its text, as {@link #columns} types it; positions are "row N". */
    static DataColumn inferred(String name, RawColumn raw, String source, ReadOptions options) {
        Inference inferred = infer(raw);
        ColumnType asRead = asRead(name, inferred.type(), options);
        return inferred.parsed() != null
                ? new NumericColumn(name, asRead, inferred.parsed())
                : convert(name, asRead, false, true, raw, row -> source, row -> "row " + (row + 1));
    }

    /**
     * A column of other columns' type ({@link ReadOptions#otherColumns}) from its text, converted as {@link #columns}
     * converts it (untrimmed when the options say so); positions are "row N".
     */
    static DataColumn asOtherColumn(String name, RawColumn raw, String source, ReadOptions options) {
        boolean trim = !(options.otherColumnsUntrimmed() && options.otherColumns() == ColumnType.TEXT);
        return convert(name, options.otherColumns(), true, trim, raw, row -> source, row -> "row " + (row + 1));
    }

    static ColumnType inferType(int n, IntFunction<String> values) {
        return infer(n, values).type();
    }

    /**
     * An inferred type, plus the parsed values when the type is INTEGER, NUMERIC or DATETIME (NaN for
     * missing), so converting does not parse every value a second time.
     */
    private record Inference(ColumnType type, double[] parsed) {
    }

    private static Inference infer(int n, IntFunction<String> values) {
        return inferEach(n, values, n, values);
    }

    /**
     * Votes on and parses each of {@code count} values once ({@code each}), in order; the free-text rule, when no type
     * is left, is judged on all {@code n} rows ({@code rows}). The parsed values are {@code each}'s.
     */
    private static Inference inferEach(int count, IntFunction<String> each, int n, IntFunction<String> rows) {
        TypeVotes votes = new TypeVotes();
        int present = 0;
        double[] parsed = new double[count];
        for (int i = 0; i < count; i++) {
            String s = each.apply(i);
            if (Values.isMissingToken(s)) {
                parsed[i] = Double.NaN;
                continue;
            }
            present++;
            parsed[i] = votes.accept(s);
            if (!votes.anyLeft()) {
                ColumnType type = looksLikeText(n, rows) ? ColumnType.TEXT : ColumnType.CATEGORICAL;
                return new Inference(type, null);
            }
        }
        if (present == 0) {
            return new Inference(ColumnType.CATEGORICAL, null);
        }
        ColumnType type = votes.type();
        return new Inference(type, type == ColumnType.BOOLEAN ? null : parsed);
    }

    /**
     * {@link #infer(int, IntFunction)} of a raw column; one that kept its distinct values ({@link RawColumn#levels})
     * has each of them voted on and parsed once, in the order they first appear. The votes only ever narrow, so the
     * type is the same as a row at a time; and each value is parsed as the type left, as it would be on any row.
     */
    private static Inference infer(RawColumn raw) {
        List<String> levels = raw.levels();
        if (levels == null) {
            return infer(raw.size(), raw::get);
        }
        Inference byLevel = inferEach(levels.size(), levels::get, raw.size(), raw::get);
        return byLevel.parsed() == null ? byLevel : new Inference(byLevel.type(), byRow(raw, byLevel.parsed()));
    }

    private static double[] byRow(RawColumn raw, double[] byLevel) {
        double[] out = new double[raw.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = byLevel[raw.code(i)];
        }
        return out;
    }

    private static boolean looksLikeText(int n, IntFunction<String> values) {
        Set<String> distinct = new HashSet<>();
        long present = 0;
        long totalLength = 0;
        long withSpace = 0;
        for (int i = 0; i < n; i++) {
            String s = values.apply(i);
            if (Values.isMissingToken(s)) {
                continue;
            }
            s = s.trim();
            present++;
            totalLength += s.length();
            distinct.add(s);
            if (containsWhitespace(s)) {
                withSpace++;
            }
        }
        return isFreeText(present, distinct.size(), totalLength, withSpace);
    }

    /**
     * The free-text rule (rule 5 of the class comment) from a column's counts of present values, distinct values, total
     * length and values with whitespace: the one rule every reader (in memory, parallel, streamed) applies.
     */
    static boolean isFreeText(long present, long distinct, long totalLength, long withSpace) {
        return present > 0
                && distinct * 2L > present
                && totalLength > TEXT_MIN_AVG_LENGTH * present
                && withSpace * 2 >= present;
    }

    static boolean containsWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@link #convert(String, ColumnType, boolean, boolean, int, IntFunction, IntFunction, IntFunction)} of a raw
     * column; one that kept its distinct values has each converted once, and a value that does not fit is reported at
     * the first row that holds it, as converting a row at a time reports it.
     */
    private static DataColumn convert(String name, ColumnType type, boolean forced, boolean trim, RawColumn raw,
                                      IntFunction<String> source, IntFunction<String> location) {
        List<String> levels = raw.levels();
        int n = raw.size();
        if (levels == null) {
            return convert(name, type, forced, trim, n, raw::get, source, location);
        }
        Converted byLevel = convertEach(type, trim, levels.size(), levels::get);
        for (int i = 0; byLevel.misfits() != null && i < n; i++) {
            if (byLevel.misfits().get(raw.code(i))) {
                throw doesNotFit(name, type, forced, raw.get(i), source.apply(i), location.apply(i));
            }
        }
        if (byLevel.numbers() != null) {
            return numericColumn(name, type, byRow(raw, byLevel.numbers()), raw::get);
        }
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = byLevel.strings()[raw.code(i)];
        }
        return new StringColumn(name, type, out);
    }

    private static DataColumn convert(String name, ColumnType type, boolean forced, boolean trim, int n,
                                      IntFunction<String> values, IntFunction<String> source,
                                      IntFunction<String> location) {
        Converted converted = convertEach(type, trim, n, values);
        if (converted.misfits() != null) {
            int i = converted.misfits().nextSetBit(0);
            throw doesNotFit(name, type, forced, values.apply(i), source.apply(i), location.apply(i));
        }
        return converted.numbers() != null
                ? numericColumn(name, type, converted.numbers(), values)
                : new StringColumn(name, type, converted.strings());
    }

    /**
     * A numeric-like column of converted {@code numbers}; a boolean one with its words, from the spellings (trimmed) of
     * its present {@code values}, and each row's spelling when an answer is written more than one way.
     */
    private static NumericColumn numericColumn(String name, ColumnType type, double[] numbers, IntFunction<String> values) {
        if (type != ColumnType.BOOLEAN) {
            return new NumericColumn(name, type, numbers);
        }
        Map<String, Long> rows = new HashMap<>();
        Map<String, String> shared = new HashMap<>();
        String[] spelled = new String[numbers.length];
        for (int i = 0; i < numbers.length; i++) {
            String s = values.apply(i);
            if (!Values.isMissingToken(s)) {
                String t = shared.computeIfAbsent(s.trim(), k -> k);
                spelled[i] = t;
                rows.merge(t, 1L, Long::sum);
            }
        }
        long yesSpellings = rows.keySet().stream().filter(k -> Values.parseBoolean(k) == 1.0).count();
        boolean mixed = yesSpellings > 1 || rows.size() - yesSpellings > 1;
        return new NumericColumn(name, type, numbers, BooleanWords.of(rows), mixed ? spelled : null);
    }

    /**
     * Values converted to {@code type}: numbers (NaN for missing) or strings (null for missing), and the indices of the
     * values that do not fit the type (null when all fit).
     */
    private record Converted(double[] numbers, String[] strings, BitSet misfits) {
    }

    private static Converted convertEach(ColumnType type, boolean trim, int count, IntFunction<String> each) {
        if (type.isNumericLike()) {
            double[] out = new double[count];
            BitSet misfits = null;
            for (int i = 0; i < count; i++) {
                String s = each.apply(i);
                if (Values.isMissingToken(s)) {
                    out[i] = Double.NaN;
                    continue;
                }
                out[i] = Values.parseFitting(type, s);
                if (Double.isNaN(out[i])) {
                    misfits = misfits == null ? new BitSet() : misfits;
                    misfits.set(i);
                }
            }
            return new Converted(out, null, misfits);
        }
        String[] out = new String[count];
        // Categorical levels repeat; sharing one String per level keeps large columns small.
        Map<String, String> levels = type == ColumnType.CATEGORICAL ? new HashMap<>() : null;
        for (int i = 0; i < count; i++) {
            String s = each.apply(i);
            if (Values.isMissingToken(s)) {
                continue;
            }
            if (trim) {
                s = s.trim();
            }
            out[i] = levels == null ? s : levels.computeIfAbsent(s, k -> k);
        }
        return new Converted(null, out, null);
    }

    static KilnException doesNotFit(String column, ColumnType type, boolean forced, String value,
                                    String source, String where) {
        String shown = value.length() > 60 ? value.substring(0, 57) + "..." : value;
        String expected = switch (type) {
            case INTEGER -> "an integer";
            case NUMERIC -> "a number";
            case BOOLEAN -> "a boolean (true/false, yes/no, 1/0)";
            case DATETIME -> "a date or date-time (ISO 8601, e.g. 2014-03-01 or 2014-03-01T12:00:00Z)";
            default -> "a string";
        };
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("file", source);
        details.put("location", where);
        details.put("column", column);
        details.put("value", shown);
        details.put("expected", type.wireName());
        // An inferred type fits every value by construction; failing here would be a bug, not bad data.
        return new KilnException(forced ? ErrorCode.DATA_MALFORMED : ErrorCode.INTERNAL,
                source + " " + where + ", column '" + column + "': value '" + shown + "' is not " + expected
                        + (forced ? " (the column's type is set to " + type.wireName() + ")" : ""), details);
    }
}
