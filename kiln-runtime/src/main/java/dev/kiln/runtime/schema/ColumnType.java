package dev.kiln.runtime.schema;

/** The logical type of a column, as inferred from data and recorded in a bundle's schema. */
public enum ColumnType {
    NUMERIC,
    INTEGER,
    BOOLEAN,
    CATEGORICAL,
    DATETIME,
    TEXT;

    /** Numeric, integer, boolean and datetime values are held as doubles; the others as strings. */
    public boolean isNumericLike() {
        return this == NUMERIC || this == INTEGER || this == BOOLEAN || this == DATETIME;
    }

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
