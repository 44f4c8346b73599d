package dev.kiln.data;

import dev.kiln.runtime.schema.ColumnType;

/**
 * One column of a {@link DataFrame}, held in the internal value form shared with scoring (see
 * {@link dev.kiln.runtime.schema.Values}): numeric-like types as doubles with {@code NaN} for missing,
 * categorical and text as strings with {@code null} for missing.
 */
public sealed interface DataColumn permits NumericColumn, StringColumn {
    String name();

    ColumnType type();

    int size();

    boolean isMissing(int row);

    /** The value in internal form: a {@code Double} (NaN when missing) or a {@code String} (null when missing). */
    Object value(int row);

    /**
     * The value as a user would have written it, null when missing: a string as held; a number as canonical text
     * ({@link dev.kiln.runtime.schema.Values#canonicalNumberText}); a datetime as an ISO instant; a boolean in the
     * column's words ({@link NumericColumn#words}).
     */
    String text(int row);

    /** A new column holding the given rows, in the given order. */
    DataColumn select(int[] rows);

    /** Number of missing values. */
    default int missingCount() {
        int missing = 0;
        for (int i = 0, n = size(); i < n; i++) {
            if (isMissing(i)) {
                missing++;
            }
        }
        return missing;
    }
}
