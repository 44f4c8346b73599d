package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.schema.ColumnType;
import java.util.Arrays;
import java.util.Objects;

/**
 * A categorical or text column; {@code null} marks a missing value. The array is owned by the column
 * and not copied, so callers must not modify it.
 */
public record StringColumn(String name, ColumnType type, String[] values) implements DataColumn {
    public StringColumn {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(values, "values");
        if (type != ColumnType.CATEGORICAL && type != ColumnType.TEXT) {
            throw new KilnException(ErrorCode.INTERNAL,
                    "column '" + name + "': a string column cannot have type " + type);
        }
    }

    @Override
    public int size() {
        return values.length;
    }

    @Override
    public boolean isMissing(int row) {
        return values[row] == null;
    }

    @Override
    public String value(int row) {
        return values[row];
    }

    @Override
    public String text(int row) {
        return values[row];
    }

    @Override
    public StringColumn select(int[] rows) {
        String[] out = new String[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = values[rows[i]];
        }
        return new StringColumn(name, type, out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StringColumn c && name.equals(c.name) && type == c.type
                && Arrays.equals(values, c.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(values));
    }

    @Override
    public String toString() {
        return "StringColumn[" + name + ", " + type.wireName() + ", " + values.length + " rows]";
    }
}
