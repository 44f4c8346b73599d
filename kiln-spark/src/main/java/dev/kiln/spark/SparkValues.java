package dev.kiln.spark;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;

/**
 * Spark's external row values as Kiln's scoring API takes them ({@link dev.kiln.runtime.schema.Values#coerce}): numbers,
 * booleans and strings as they are; {@code java.sql.Timestamp} as its instant and {@code java.sql.Date} as its calendar
 * date (in UTC, as Kiln reads dates), not through the JVM's time zone as {@code java.util.Date} would be.
 */
public final class SparkValues {
    private SparkValues() {
    }

    public static Object toKiln(Object value) {
        if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        if (value instanceof Date d) {
            return d.toLocalDate();
        }
        return value;
    }

    /** A value as the text Kiln's readers would type: ISO dates and instants, plain decimals. */
    public static String text(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Timestamp t) {
            return t.toInstant().toString();
        }
        if (value instanceof Date d) {
            return d.toLocalDate().toString();
        }
        if (value instanceof java.time.Instant || value instanceof java.time.LocalDate) {
            return value.toString();
        }
        if (value instanceof BigDecimal b) {
            return b.toPlainString();
        }
        return String.valueOf(value);
    }
}
