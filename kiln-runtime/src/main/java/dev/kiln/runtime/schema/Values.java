package dev.kiln.runtime.schema;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The value rules shared by data reading (training) and scoring, so a value means the same thing on
 * both sides. Numeric-like types (numeric, integer, boolean, datetime) become doubles, with datetimes
 * as epoch milliseconds in UTC; categorical and text values stay strings; missing is {@code NaN} or
 * {@code null}.
 */
public final class Values {
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern DATE_SLASH = Pattern.compile("\\d{4}/\\d{2}/\\d{2}");
    private static final Pattern DATE_TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:?\\d{2})?");

    private Values() {
    }

    /** Tokens read as missing in text sources: empty, NA, N/A, ?, null, NaN (case-insensitive, trimmed). Not "none": in real data (credit-g) it is a category. */
    public static boolean isMissingToken(String raw) {
        if (raw == null) {
            return true;
        }
        // Called for every value read or scored: no trimmed or lower-cased copies (they showed in the serving profile).
        int start = 0;
        int end = raw.length();
        while (start < end && raw.charAt(start) <= ' ') {
            start++;
        }
        while (end > start && raw.charAt(end - 1) <= ' ') {
            end--;
        }
        int n = end - start;
        return switch (n) {
            case 0 -> true;
            case 1 -> raw.charAt(start) == '?';
            case 2 -> raw.regionMatches(true, start, "na", 0, 2);
            case 3 -> raw.regionMatches(true, start, "n/a", 0, 3) || raw.regionMatches(true, start, "nan", 0, 3);
            case 4 -> raw.regionMatches(true, start, "null", 0, 4);
            default -> false;
        };
    }

    /** Parses a decimal number; returns NaN when the text is not one (callers check missing first). */
    public static double parseNumber(String raw) {
        String s = raw.trim();
        if (!isNumberText(s)) {
            return Double.NaN;
        }
        double v = Double.parseDouble(s);
        return Double.isFinite(v) ? v : Double.NaN;
    }

    /** Whether {@code raw}, trimmed, is an integer of at most 18 digits: {@code [+-]?\d{1,18}}. */
    public static boolean isInteger(String raw) {
        String s = raw.trim();
        int i = s.isEmpty() || s.charAt(0) != '+' && s.charAt(0) != '-' ? 0 : 1;
        int digits = s.length() - i;
        if (digits < 1 || digits > 18) {
            return false;
        }
        for (; i < s.length(); i++) {
            if (!isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code s} (as it is, not trimmed) is a decimal number: {@code [+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?},
     * ASCII digits only. Checked by hand, not by a regular expression: it runs for every value read or scored, and
     * the matcher's allocation and backtracking were a tenth of {@code kiln predict}'s time.
     */
    public static boolean isNumberText(CharSequence s) {
        int n = s.length();
        int i = 0;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int exponentDigits = 0;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                exponentDigits++;
            }
            if (exponentDigits == 0) {
                return false;
            }
        }
        return i == n;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** true/false, yes/no, t/f, y/n (any case) and 1/0; NaN when none of them. */
    public static double parseBoolean(String raw) {
        return switch (raw.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "t", "y", "1" -> 1.0;
            case "false", "no", "f", "n", "0" -> 0.0;
            default -> Double.NaN;
        };
    }

    /** Strict boolean words, used by inference: 1/0 alone make an integer column, not a boolean one. */
    public static boolean isBooleanWord(String raw) {
        return switch (raw.trim().toLowerCase(Locale.ROOT)) {
            case "true", "false", "yes", "no" -> true;
            default -> false;
        };
    }

    /**
     * ISO dates ({@code 2014-03-01}, {@code 2014/03/01}) and date-times with optional seconds, fraction
     * and offset; a time without offset is read as UTC. Returns epoch milliseconds, or NaN.
     */
    public static double parseDatetime(String raw) {
        String s = raw.trim();
        try {
            if (DATE.matcher(s).matches()) {
                return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            }
            if (DATE_SLASH.matcher(s).matches()) {
                return LocalDate.parse(s.replace('/', '-')).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            }
            if (DATE_TIME.matcher(s).matches()) {
                String iso = s.replace(' ', 'T');
                if (iso.endsWith("Z") || iso.matches(".*[+-]\\d{2}:?\\d{2}$") && iso.length() > 16
                        && (iso.charAt(iso.length() - 6) == '+' || iso.charAt(iso.length() - 6) == '-'
                        || iso.charAt(iso.length() - 5) == '+' || iso.charAt(iso.length() - 5) == '-')) {
                    if (!iso.endsWith("Z") && iso.charAt(iso.length() - 3) != ':') {
                        iso = iso.substring(0, iso.length() - 2) + ":" + iso.substring(iso.length() - 2);
                    }
                    return OffsetDateTime.parse(iso).toInstant().toEpochMilli();
                }
                if (iso.length() == 16) {
                    iso = iso + ":00";
                }
                return LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC).toEpochMilli();
            }
        } catch (DateTimeParseException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** Parses text of a numeric-like type; NaN when missing or unparseable (check {@link #isMissingToken}). */
    public static double parseAs(ColumnType type, String raw) {
        if (isMissingToken(raw)) {
            return Double.NaN;
        }
        return switch (type) {
            case NUMERIC, INTEGER -> parseNumber(raw);
            case BOOLEAN -> parseBoolean(raw);
            case DATETIME -> parseDatetime(raw);
            default -> throw new IllegalArgumentException(type + " is not numeric-like");
        };
    }

    /**
     * The value of {@code raw} in a column of numeric-like {@code type}, or NaN when it does not fit: what
     * {@link #parseAs} refuses, and a number with a fraction for INTEGER. The one rule for a value of a forced type, so
     * that reading, sketching, validating (here and on Spark) agree on it.
     */
    public static double parseFitting(ColumnType type, String raw) {
        double d = parseAs(type, raw);
        return type == ColumnType.INTEGER && d != Math.rint(d) ? Double.NaN : d;
    }

    /**
     * Converts a value handed to the scoring API (or read from a row) into the internal form for the
     * field's type: a {@code Double} (NaN = missing) for numeric-like types, a {@code String} (null =
     * missing) otherwise. Throws {@link ErrorCode#VALUE_INVALID} naming the field when the value does not
     * fit, including NaN and infinities passed as numbers (missing must be {@code null}).
     */
    public static Object coerce(Field field, Object value) {
        if (value == null) {
            return field.type().isNumericLike() ? (Object) Double.NaN : null;
        }
        if (field.type().isNumericLike()) {
            return coerceNumeric(field, value);
        }
        if (value instanceof String s) {
            return isMissingToken(s) ? null : s.trim();
        }
        if (value instanceof Number n) {
            double d = n.doubleValue();
            if (!Double.isFinite(d)) {
                throw invalid(field, value, "a finite value or null");
            }
            return canonicalNumberText(d);
        }
        if (value instanceof Boolean b) {
            return b.toString();
        }
        throw invalid(field, value, "a string");
    }

    private static Double coerceNumeric(Field field, Object value) {
        double d;
        if (value instanceof Number n) {
            d = n.doubleValue();
            if (!Double.isFinite(d)) {
                throw invalid(field, value, "a finite number or null");
            }
            if (field.type() == ColumnType.BOOLEAN && d != 0.0 && d != 1.0) {
                throw invalid(field, value, "a boolean (true/false, 1/0)");
            }
            return d;
        }
        if (value instanceof Boolean b) {
            if (field.type() == ColumnType.BOOLEAN || field.type() == ColumnType.INTEGER
                    || field.type() == ColumnType.NUMERIC) {
                return b ? 1.0 : 0.0;
            }
            throw invalid(field, value, "a datetime");
        }
        if (field.type() == ColumnType.DATETIME) {
            Double t = temporalMillis(value);
            if (t != null) {
                return t;
            }
        }
        if (value instanceof String s) {
            if (isMissingToken(s)) {
                return Double.NaN;
            }
            d = parseAs(field.type(), s);
            if (Double.isNaN(d)) {
                throw invalid(field, value, expectation(field.type()));
            }
            return d;
        }
        throw invalid(field, value, expectation(field.type()));
    }

    private static Double temporalMillis(Object value) {
        if (value instanceof Instant i) {
            return (double) i.toEpochMilli();
        }
        if (value instanceof LocalDate d) {
            return (double) d.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        }
        if (value instanceof LocalDateTime t) {
            return (double) t.toInstant(ZoneOffset.UTC).toEpochMilli();
        }
        if (value instanceof OffsetDateTime t) {
            return (double) t.toInstant().toEpochMilli();
        }
        if (value instanceof ZonedDateTime t) {
            return (double) t.toInstant().toEpochMilli();
        }
        if (value instanceof Date d) {
            return (double) d.getTime();
        }
        return null;
    }

    private static String expectation(ColumnType type) {
        return switch (type) {
            case NUMERIC -> "a number";
            case INTEGER -> "an integer";
            case BOOLEAN -> "a boolean (true/false, yes/no, 1/0)";
            case DATETIME -> "a date or date-time (ISO 8601, e.g. 2014-03-01 or 2014-03-01T12:00:00Z)";
            default -> "a string";
        };
    }

    /**
     * Integral numbers print without a fraction so 4 and 4.0 name the same category; others as
     * {@link Double#toString(double)} prints them.
     */
    public static String canonicalNumberText(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        String decimal = shortDecimalText(d);
        return decimal != null ? decimal : Double.toString(d);
    }

    /** 10^k for the fraction digits k that shortDecimalText tries (each exact as a double). */
    private static final double[] POWERS_OF_TEN = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
        1e13, 1e14, 1e15, 1e16, 1e17, 1e18};

    /**
     * {@link Double#toString(double)}'s text of a number that is not integral, in its plain range [10^-3, 10^7), and
     * the double nearest a decimal of at most 15 significant digits (what a file or a person writes: -1.841735); null
     * for any other. Double.toString prints as many fraction digits as distinguish the value from its neighbours, and
     * no more; for such a number that is the least k for which the k-digit decimal nearest to it reads back as it
     * (a quotient of two exact doubles is correctly rounded, as parsing is), and only one k-digit decimal can: 10^-k is
     * then more than four of the number's ulps. The JDK's general algorithm (FloatingDecimal) takes most of
     * {@code kiln predict}'s time to echo a million rows of input numbers; this is a loop of a few multiplications.
     * {@code CanonicalNumberTextPropertiesTest} compares the two on random decimals and doubles.
     */
    static String shortDecimalText(double d) {
        double a = Math.abs(d);
        if (!(a >= 1e-3 && a < 1e7)) {
            return null;
        }
        for (int k = 1; k < POWERS_OF_TEN.length; k++) {
            // The product is within 0.2 of the integer nearest the exact one when a has at most 15 digits: see above.
            double m = Math.rint(a * POWERS_OF_TEN[k]);
            if (m >= 1e15) {
                return null; // more than 15 significant digits: the general algorithm decides
            }
            if (m / POWERS_OF_TEN[k] == a) {
                return plainDecimal(d < 0, (long) m, k);
            }
        }
        return null;
    }

    /**
     * {@code digits} * 10^-k as Double.toString writes it: an integer part (0 when none), '.', k fraction digits
     * (digits has at most 15, k at most 18). Written backwards into bytes: a String of ASCII bytes is made without the
     * StringBuilder's copies.
     */
    private static String plainDecimal(boolean negative, long digits, int k) {
        byte[] text = new byte[24];
        int at = text.length;
        long rest = digits;
        for (int i = 0; i < k; i++) {
            text[--at] = (byte) ('0' + rest % 10);
            rest /= 10;
        }
        text[--at] = '.';
        do {
            text[--at] = (byte) ('0' + rest % 10);
            rest /= 10;
        } while (rest > 0);
        if (negative) {
            text[--at] = '-';
        }
        return new String(text, at, text.length - at, StandardCharsets.US_ASCII);
    }

    private static KilnException invalid(Field field, Object value, String expected) {
        String shown = String.valueOf(value);
        if (shown.length() > 60) {
            shown = shown.substring(0, 57) + "...";
        }
        return new KilnException(ErrorCode.VALUE_INVALID,
                "column '" + field.name() + "': value '" + shown + "' is not " + expected,
                Map.of("column", field.name(), "value", shown, "expected", field.type().wireName()));
    }
}
