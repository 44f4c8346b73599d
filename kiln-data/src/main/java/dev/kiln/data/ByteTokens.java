package dev.kiln.data;

import ch.randelshofer.fastdoubleparser.JavaDoubleParser;
import dev.kiln.runtime.schema.Values;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Classifies one trimmed CSV value straight from its UTF-8 bytes, with exactly the rules of
 * {@link Values} that {@link SchemaInference} and {@link dev.kiln.runtime.schema.TypeVotes} apply to the decoded text: missing tokens
 * ({@link Values#isMissingToken}), boolean words ({@link Values#isBooleanWord}), integers ({@link Values#isInteger}),
 * finite numbers ({@link Values#parseNumber}, whose grammar is checked here on the bytes and whose value
 * FastDoubleParser computes, correctly rounded like {@link Double#parseDouble}) and datetimes (handed to
 * {@link Values#parseDatetime} as a String; only values that start with four digits can be one).
 * Byte-level tests are exact because every token these rules accept is ASCII and no non-ASCII character case-maps
 * onto the ASCII letters they compare (checked over the whole BMP when this was written); a value with a non-ASCII
 * byte is therefore never missing, boolean, number or datetime.
 */
final class ByteTokens {
    static final int MISSING = 0;
    static final int INTEGER = 1;
    static final int NUMBER = 2;
    static final int BOOLEAN = 3;
    static final int DATETIME = 4;
    static final int OTHER = 5;

    /** The digits read so far by {@link #number}, or by {@link #digitRun} from where its caller set it. */
    long mantissa;

    /** The value of the last {@link #classify} call: the number, 1/0 for a boolean word, epoch ms for a datetime. */
    double value;

    /** The kind of the trimmed value {@code a[s, e)}; sets {@link #value} for INTEGER, NUMBER, BOOLEAN, DATETIME. */
    int classify(byte[] a, int s, int e) {
        int n = e - s;
        if (n == 0) {
            return MISSING;
        }
        byte first = a[s];
        if (first >= '0' && first <= '9' || first == '-' || first == '+' || first == '.') {
            int shape = number(a, s, e);
            if (shape >= 0) {
                return shape == 0 ? INTEGER : NUMBER;
            }
            if (shape == INFINITE) {
                return OTHER; // 1e999: the number grammar, but not finite; no date starts like that
            }
        }
        if (isMissing(a, s, e)) {
            return MISSING;
        }
        int bool = booleanWord(a, s, e);
        if (bool >= 0) {
            value = bool;
            return BOOLEAN;
        }
        if (n >= 10 && digit(a[s]) && digit(a[s + 1]) && digit(a[s + 2]) && digit(a[s + 3])) {
            double t = Values.parseDatetime(new String(a, s, n, StandardCharsets.UTF_8));
            if (!Double.isNaN(t)) {
                value = t;
                return DATETIME;
            }
        }
        return OTHER;
    }

    private static final int NOT_A_NUMBER = -1;
    static final int INFINITE = -2;
    private static final long EXACT_MANTISSA = 1L << 53;
    private static final long[] POWERS_OF_TEN_LONG = {1L, 10L, 100L, 1000L, 10_000L, 100_000L, 1_000_000L,
        10_000_000L, 100_000_000L};
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final double[] POWERS_OF_TEN = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
        1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    /**
     * Checks {@code a[s, e)} against {@code [+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?} and sets {@link #value}: 0 when it
     * is also an integer of at most 18 digits ({@code [+-]?\d{1,18}}), 1 for another finite number, NOT_A_NUMBER, or
     * INFINITE when it overflows. The value is exact by Clinger's fast path when the digits fit 53 bits and the power
     * of ten is at most 22 (one correctly rounded multiplication or division of two exact doubles, as
     * {@link Double#parseDouble} rounds); otherwise FastDoubleParser computes it.
     */
    int number(byte[] a, int s, int e) {
        return numberPrefix(a, s, e) == e ? shape : NOT_A_NUMBER;
    }

    /**
     * The shape of the last number {@link #numberPrefix} read: 0 for an integer of at most 18 digits, 1 for another
     * finite number, {@link #INFINITE} when it does not fit a double.
     */
    int shape;

    /**
     * Reads the longest prefix of {@code a[s, e)} that the number grammar of {@link #number} can take (the sign, the
     * digits with at most one dot, then an exponent only when it has digits) and returns where it ends, having set
     * {@link #value} (when finite) and {@link #shape}; -1 when it is not a number (no digit, or an exponent without
     * digits). The parser's fast path uses it to read a number and find its end
     * in one pass; the number is the whole value only if a delimiter or line break follows.
     */
    int numberPrefix(byte[] a, int s, int e) {
        byte first = a[s];
        boolean negative = first == '-';
        int i = s + (negative | first == '+' ? 1 : 0); // no branch: signs come at random
        mantissa = 0;
        int intStart = i;
        i = digitRun(a, i, e);
        int intDigits = i - intStart;
        boolean dot = false;
        int fracDigits = 0;
        if (i < e && a[i] == '.') {
            dot = true;
            i++;
            int fracStart = i;
            i = digitRun(a, i, e);
            fracDigits = i - fracStart;
        }
        long mantissa = this.mantissa;
        int digits = intDigits + fracDigits;
        if (digits == 0) {
            return -1;
        }
        boolean exponent = false;
        int exp = 0;
        if (i < e && (a[i] == 'e' || a[i] == 'E')) {
            i++;
            boolean negativeExp = false;
            if (i < e && (a[i] == '+' || a[i] == '-')) {
                negativeExp = a[i] == '-';
                i++;
            }
            int expDigits = 0;
            while (i < e && digit(a[i])) {
                if (exp < 100_000) {
                    exp = exp * 10 + (a[i] - '0');
                }
                i++;
                expDigits++;
            }
            if (expDigits == 0) {
                return -1; // "1e" and "1e+" are not numbers (and the value cannot end before the e)
            }
            exp = negativeExp ? -exp : exp;
            exponent = true;
        }
        int power = exp - fracDigits;
        double d;
        if (digits <= 18 && mantissa <= EXACT_MANTISSA && power >= -22 && power <= 22) {
            d = power >= 0 ? (double) mantissa * POWERS_OF_TEN[power] : (double) mantissa / POWERS_OF_TEN[-power];
            d = negative ? -d : d;
        } else {
            d = JavaDoubleParser.parseDouble(a, s, i - s);
        }
        if (!Double.isFinite(d)) {
            shape = INFINITE;
            return i;
        }
        value = d;
        shape = !dot && !exponent && intDigits <= 18 ? 0 : 1;
        return i;
    }

    /** {@link Values#isMissingToken} on trimmed bytes: empty, ?, NA, N/A, NaN, null (any case). */
    static boolean isMissing(byte[] a, int s, int e) {
        return switch (e - s) {
            case 0 -> true;
            case 1 -> a[s] == '?';
            case 2 -> lower(a[s]) == 'n' && lower(a[s + 1]) == 'a';
            case 3 -> lower(a[s]) == 'n' && (a[s + 1] == '/' && lower(a[s + 2]) == 'a'
                    || lower(a[s + 1]) == 'a' && lower(a[s + 2]) == 'n');
            case 4 -> lower(a[s]) == 'n' && lower(a[s + 1]) == 'u' && lower(a[s + 2]) == 'l' && lower(a[s + 3]) == 'l';
            default -> false;
        };
    }

    /** 1 for true/yes, 0 for false/no (any case), -1 otherwise: {@link Values#isBooleanWord} and its value. */
    static int booleanWord(byte[] a, int s, int e) {
        return switch (e - s) {
            case 2 -> lower(a[s]) == 'n' && lower(a[s + 1]) == 'o' ? 0 : -1;
            case 3 -> lower(a[s]) == 'y' && lower(a[s + 1]) == 'e' && lower(a[s + 2]) == 's' ? 1 : -1;
            case 4 -> lower(a[s]) == 't' && lower(a[s + 1]) == 'r' && lower(a[s + 2]) == 'u' && lower(a[s + 3]) == 'e'
                    ? 1 : -1;
            case 5 -> lower(a[s]) == 'f' && lower(a[s + 1]) == 'a' && lower(a[s + 2]) == 'l' && lower(a[s + 3]) == 's'
                    && lower(a[s + 4]) == 'e' ? 0 : -1;
            default -> -1;
        };
    }

    /**
     * Consumes the digits from {@code i} (before {@code e}), 8 at a time where the array allows, appending them to
     * {@link #mantissa} (which overflows harmlessly past 18 digits: the caller then does not use it); returns where
     * the digits end. The 8-digit conversion is the SWAR method of Lemire's fast_float and FastDoubleParser.
     */
    int digitRun(byte[] a, int i, int e) {
        long m = mantissa;
        while (i + 8 <= a.length) {
            long word = (long) LONGS.get(a, i);
            long nonDigits = ((word & 0xF0F0F0F0F0F0F0F0L) ^ 0x3030303030303030L)
                    | (((word + 0x0606060606060606L) & 0xF0F0F0F0F0F0F0F0L) ^ 0x3030303030303030L);
            int n = nonDigits == 0 ? 8 : Long.numberOfTrailingZeros(nonDigits) >>> 3;
            if (n > e - i) {
                n = e - i;
            }
            if (n == 0) {
                mantissa = m;
                return i;
            }
            long v = (word - 0x3030303030303030L) << ((8 - n) << 3); // n digits, after 8 - n leading zeros
            v = v * 10 + (v >>> 8);
            v = ((v & 0x000000FF000000FFL) * (100 + (1000000L << 32))
                    + ((v >>> 16) & 0x000000FF000000FFL) * (1 + (10000L << 32))) >>> 32;
            m = m * POWERS_OF_TEN_LONG[n] + v;
            i += n;
            if (n < 8) {
                mantissa = m;
                return i;
            }
        }
        while (i < e && digit(a[i])) {
            m = m * 10 + (a[i] - '0');
            i++;
        }
        mantissa = m;
        return i;
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static int lower(byte b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }
}
