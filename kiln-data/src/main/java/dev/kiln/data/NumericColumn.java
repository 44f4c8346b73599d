package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.BooleanWords;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Values;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A numeric, integer, boolean (1/0) or datetime (epoch milliseconds, UTC) column; {@code NaN} marks a
 * missing value. The array is owned by the column and not copied, so callers must not modify it. A boolean column
 * carries the words its file writes the answers in ({@code yes}/{@code no}...; {@link BooleanWords#TRUE_FALSE} when
 * the reader has none), which {@link #text} shows; where the file writes an answer more than one way ({@code yes} and
 * {@code Yes}), {@code asWritten} holds each row's spelling (null when missing), and {@link #text} shows that. Any
 * other column's words and spellings are null.
 */
public record NumericColumn(String name, ColumnType type, double[] values, BooleanWords words, String[] asWritten)
        implements DataColumn {
    public NumericColumn {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(values, "values");
        if (type == null || !type.isNumericLike()) {
            throw new KilnException(ErrorCode.INTERNAL,
                    "column '" + name + "': a numeric column cannot have type " + type);
        }
        words = type != ColumnType.BOOLEAN ? null : words != null ? words : BooleanWords.TRUE_FALSE;
        asWritten = type != ColumnType.BOOLEAN ? null : asWritten;
        if (asWritten != null && asWritten.length != values.length) {
            throw new KilnException(ErrorCode.INTERNAL, "column '" + name + "': " + asWritten.length + " spellings for "
                    + values.length + " rows");
        }
    }

    /** A column whose answers, if it is boolean, are each written one way: {@code words}. */
    public NumericColumn(String name, ColumnType type, double[] values, BooleanWords words) {
        this(name, type, values, words, null);
    }

    /** A column without words of its own: a boolean one says true/false. */
    public NumericColumn(String name, ColumnType type, double[] values) {
        this(name, type, values, null, null);
    }

    @Override
    public int size() {
        return values.length;
    }

    @Override
    public boolean isMissing(int row) {
        return Double.isNaN(values[row]);
    }

    @Override
    public Double value(int row) {
        return values[row];
    }

    @Override
    public String text(int row) {
        double d = values[row];
        if (Double.isNaN(d)) {
            return null;
        }
        return switch (type) {
            case DATETIME -> Instant.ofEpochMilli((long) d).toString();
            case BOOLEAN -> asWritten != null ? asWritten[row] : words.word(d);
            default -> Values.canonicalNumberText(d);
        };
    }

    /** The raw double (NaN when missing), without boxing. */
    public double get(int row) {
        return values[row];
    }

    @Override
    public NumericColumn select(int[] rows) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = values[rows[i]];
        }
        String[] spelled = null;
        if (asWritten != null) {
            spelled = new String[rows.length];
            for (int i = 0; i < rows.length; i++) {
                spelled[i] = asWritten[rows[i]];
            }
        }
        return new NumericColumn(name, type, out, words, spelled);
    }

    // Records compare arrays by identity; compare contents so equal columns are equal (NaN == NaN here).
    @Override
    public boolean equals(Object o) {
        return o instanceof NumericColumn c && name.equals(c.name) && type == c.type
                && Arrays.equals(values, c.values) && Objects.equals(words, c.words) && Arrays.equals(asWritten, c.asWritten);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(values));
    }

    @Override
    public String toString() {
        return "NumericColumn[" + name + ", " + type.wireName() + ", " + values.length + " rows]";
    }
}
