package dev.kiln.spark.sketch;

import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Values;

/**
 * Which of boolean, integer, number and datetime every present value of a column seen so far fits: kiln-data's
 * {@code TypeVotes} rule (package-private there, and kiln-data is kept out of kiln-spark.jar), on the same
 * {@link Values} functions, so a column is typed as {@code kiln drift} and {@code kiln data profile} type it.
 * Votes merge across partitions by AND: the type of the whole column is the narrowest every partition allows.
 */
final class TypeVotes {
    boolean bool = true;
    boolean integer = true;
    boolean number = true;
    boolean datetime = true;

    TypeVotes() {
    }

    TypeVotes(boolean bool, boolean integer, boolean number, boolean datetime) {
        this.bool = bool;
        this.integer = integer;
        this.number = number;
        this.datetime = datetime;
    }

    /**
     * Counts one present text value; returns it as a number, as epoch milliseconds when a datetime and not a number,
     * as 1/0 when a boolean word, else NaN. After the first present value at most one of boolean, number (integer or
     * not) and datetime is left, so the value returned is always of the type that is left.
     */
    double accept(String s) {
        double bool01 = Double.NaN;
        if (bool) {
            if (Values.isBooleanWord(s)) {
                bool01 = Values.parseBoolean(s);
            } else {
                bool = false;
            }
        }
        double num = Double.NaN;
        if (integer || number) {
            num = Values.parseNumber(s);
            if (integer && (Double.isNaN(num) || !Values.isInteger(s))) {
                integer = false;
            }
            if (number && Double.isNaN(num)) {
                number = false;
            }
        }
        double date = Double.NaN;
        if (datetime) {
            date = Double.isNaN(num) ? Values.parseDatetime(s) : Double.NaN;
            if (Double.isNaN(date)) {
                datetime = false;
            }
        }
        return bool ? bool01 : Double.isNaN(num) ? date : num;
    }

    /** A value that is a number already (a Parquet or JSON number): {@code integral} when it is a whole number of at most 18 digits. */
    double acceptNumber(double value, boolean integral) {
        bool = false;
        datetime = false;
        integer &= integral;
        return value;
    }

    /** A value that is a boolean already: 1/0. */
    double acceptBoolean(boolean value) {
        integer = false;
        number = false;
        datetime = false;
        return value ? 1.0 : 0.0;
    }

    boolean anyLeft() {
        return bool || integer || number || datetime;
    }

    void and(TypeVotes o) {
        bool &= o.bool;
        integer &= o.integer;
        number &= o.number;
        datetime &= o.datetime;
    }

    /** The type every value fits, the narrowest first; null when none is left (text or categorical). */
    ColumnType type() {
        if (bool) {
            return ColumnType.BOOLEAN;
        }
        if (integer) {
            return ColumnType.INTEGER;
        }
        if (number) {
            return ColumnType.NUMERIC;
        }
        return datetime ? ColumnType.DATETIME : null;
    }
}
