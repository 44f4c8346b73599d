package dev.kiln.data;

import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Values;

/**
 * Which of boolean, integer, number and datetime every present value of a column seen so far fits: the type rule
 * shared by {@link SchemaInference} (a whole column in memory) and {@link Sketcher} (a column streamed). Text versus
 * categorical, decided when none of these is left, is each caller's own.
 */
final class TypeVotes {
    private boolean bool = true;
    private boolean integer = true;
    private boolean number = true;
    private boolean datetime = true;

    /**
     * Counts one present (not missing) value; returns it as a number, or as epoch milliseconds if it is a datetime
     * and not a number, else NaN. Whichever type wins, that is the value every present value parsed as.
     */
    double accept(String s) {
        if (bool && !Values.isBooleanWord(s)) {
            bool = false;
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
            // A value that is a number is never a date; skipping the date parse for it saves much of the
            // inference time on numeric columns.
            date = Double.isNaN(num) ? Values.parseDatetime(s) : Double.NaN;
            if (Double.isNaN(date)) {
                datetime = false;
            }
        }
        return Double.isNaN(num) ? date : num;
    }

    /** Whether some type still fits every value. */
    boolean anyLeft() {
        return bool || integer || number || datetime;
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
