package dev.kiln.runtime.schema;

/**
 * Which of boolean, integer, number and datetime every present value of a column seen so far fits: Kiln's type rule,
 * on the {@link Values} functions that reading and scoring use. kiln-data types a column in memory
 * ({@code SchemaInference}) or streamed ({@code Sketcher}) with it, kiln-spark each partition's share of a column, whose
 * votes then merge by {@link #and}: the type of the whole column is the narrowest every part allows. Text versus
 * categorical, decided when none of these is left, is each caller's own.
 */
public final class TypeVotes {
    private boolean bool;
    private boolean integer;
    private boolean number;
    private boolean datetime;

    /** Every type still open: nothing seen yet. */
    public TypeVotes() {
        this(true, true, true, true);
    }

    /** Votes as a part of a column left them (from its {@link #bool()}, {@link #integer()}, ...). */
    public TypeVotes(boolean bool, boolean integer, boolean number, boolean datetime) {
        this.bool = bool;
        this.integer = integer;
        this.number = number;
        this.datetime = datetime;
    }

    /** Votes for a column whose type is given, not inferred: only that type is open (an integer is also a number). */
    public static TypeVotes forced(ColumnType type) {
        return new TypeVotes(type == ColumnType.BOOLEAN, type == ColumnType.INTEGER,
                type == ColumnType.NUMERIC || type == ColumnType.INTEGER, type == ColumnType.DATETIME);
    }

    /**
     * Counts one present (not missing) text value; returns it as a number, as epoch milliseconds when a datetime and
     * not a number, as 1/0 when a boolean word, else NaN. After the first present value at most one of boolean, number
     * (integer or not) and datetime is left, so the value returned is always of the type that is left.
     */
    public double accept(String s) {
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
            // A value that is a number is never a date; skipping the date parse for it saves much of the
            // inference time on numeric columns.
            date = Double.isNaN(num) ? Values.parseDatetime(s) : Double.NaN;
            if (Double.isNaN(date)) {
                datetime = false;
            }
        }
        return bool ? bool01 : Double.isNaN(num) ? date : num;
    }

    /** A value that is a number already (a Parquet or JSON number): {@code integral} when it is a whole number of at most 18 digits. */
    public double acceptNumber(double value, boolean integral) {
        bool = false;
        datetime = false;
        integer &= integral;
        return value;
    }

    /** A value that is a boolean already: 1/0. */
    public double acceptBoolean(boolean value) {
        integer = false;
        number = false;
        datetime = false;
        return value ? 1.0 : 0.0;
    }

    /** Whether some type still fits every value. */
    public boolean anyLeft() {
        return bool || integer || number || datetime;
    }

    /** Narrows these votes to what {@code other}, the votes of another part of the same column, also allows. */
    public void and(TypeVotes other) {
        bool &= other.bool;
        integer &= other.integer;
        number &= other.number;
        datetime &= other.datetime;
    }

    public boolean bool() {
        return bool;
    }

    public boolean integer() {
        return integer;
    }

    public boolean number() {
        return number;
    }

    public boolean datetime() {
        return datetime;
    }

    /** The type every value fits, the narrowest first; null when none is left (text or categorical). */
    public ColumnType type() {
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
