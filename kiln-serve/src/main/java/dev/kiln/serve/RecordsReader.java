package dev.kiln.serve;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the records body most clients send — {@code {"instances":[{...}, ...]}} where every instance has exactly the
 * model's columns, in the model's order — straight from its bytes into raw values aligned with the model's columns,
 * without a JSON parser. Anything else gives null, and the caller reads the body with Jackson's streaming parse, which
 * also explains a malformed one. So this only ever has to be right about what it takes:
 * <ul>
 * <li>JSON whitespace between any two tokens, nothing after the closing brace but whitespace;</li>
 * <li>keys and string values of printable ASCII without escapes (a string value becomes the encoder's own category
 * string where it is one, see {@link InputChecks#known(int, byte[], int, int)});</li>
 * <li>{@code true}, {@code false}, {@code null};</li>
 * <li>integers of at most 18 digits, as {@code Long}; numbers with a fraction or an exponent (at most 64
 * characters), as {@code Double} through {@link Double#parseDouble}, as Jackson reads them.</li>
 * </ul>
 * For any body it takes, the rows equal those of the streaming parse (RecordsReaderTest holds it to that).
 */
final class RecordsReader {
    private static final byte[] INSTANCES = PlainJson.ascii("instances");
    private static final int MAX_INT_DIGITS = 18;   // fits a long whatever the digits
    private static final int MAX_NUMBER_CHARS = 64; // far below Jackson's limit on a number's length
    private static final int DECLINE = -1;

    private final byte[] b;
    private final int n;
    private final InputChecks checks;

    private RecordsReader(byte[] body, InputChecks checks) {
        this.b = body;
        this.n = body.length;
        this.checks = checks;
    }

    /**
     * The instances of {@code body}, each an array of {@code width} raw values (strings, booleans, longs, doubles,
     * nulls) in the model's column order; null when the body is not in the plain shape described above.
     */
    static List<Object[]> read(byte[] body, InputChecks checks, int width) {
        if (checks.width() != width) {
            return null;
        }
        return new RecordsReader(body, checks).instances(width);
    }

    private List<Object[]> instances(int width) {
        int p = space(0);
        if (at(p) != '{') {
            return null;
        }
        p = key(space(p + 1), INSTANCES);
        if (p == DECLINE || at(p = space(p)) != ':' || at(p = space(p + 1)) != '[') {
            return null;
        }
        p = space(p + 1);
        List<Object[]> rows = new ArrayList<>(2);
        while (true) {
            if (at(p) != '{') {
                return null;
            }
            p = space(p + 1);
            Object[] raw = new Object[width];
            for (int c = 0; c < width; c++) {
                if (c > 0) {
                    if (at(p) != ',') {
                        return null;
                    }
                    p = space(p + 1);
                }
                p = key(p, checks.nameBytes(c));
                if (p == DECLINE || at(p = space(p)) != ':') {
                    return null;
                }
                p = value(space(p + 1), c, raw);
                if (p == DECLINE) {
                    return null;
                }
                p = space(p);
            }
            if (at(p) != '}') {
                return null;
            }
            rows.add(raw);
            p = space(p + 1);
            int next = at(p);
            if (next == ']') {
                break;
            }
            if (next != ',') {
                return null;
            }
            p = space(p + 1);
        }
        if (at(p = space(p + 1)) != '}' || space(p + 1) != n) {
            return null;
        }
        return rows;
    }

    /** The byte at {@code p}, or -1 past the end. */
    private int at(int p) {
        return p < n ? b[p] : -1;
    }

    /** The first position from {@code p} that is not JSON whitespace. */
    private int space(int p) {
        while (p < n) {
            byte c = b[p];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                break;
            }
            p++;
        }
        return p;
    }

    /** Past the quoted key {@code name} at {@code p}, or DECLINE if another key (or anything else) is there. */
    private int key(int p, byte[] name) {
        int end = p + 1 + name.length;
        if (end >= n || b[p] != '"' || b[end] != '"') {
            return DECLINE;
        }
        for (int i = 0; i < name.length; i++) {
            if (b[p + 1 + i] != name[i]) {
                return DECLINE;
            }
        }
        return end + 1;
    }

    /** Reads the value at {@code p} into {@code raw[column]}; the position after it, or DECLINE. */
    private int value(int p, int column, Object[] raw) {
        int c = at(p);
        switch (c) {
            case '"' -> {
                int q = p + 1;
                while (q < n) {
                    byte x = b[q];
                    if (x == '"' || x == '\\' || x < 0x20 || x > 0x7e) { // x < 0: a byte of a multi-byte character
                        break;
                    }
                    q++;
                }
                if (at(q) != '"') {
                    return DECLINE;
                }
                String known = checks.known(column, b, p + 1, q - p - 1);
                raw[column] = known != null ? known : new String(b, p + 1, q - p - 1, StandardCharsets.US_ASCII);
                return q + 1;
            }
            case 't' -> {
                raw[column] = Boolean.TRUE;
                return literal(p, "true");
            }
            case 'f' -> {
                raw[column] = Boolean.FALSE;
                return literal(p, "false");
            }
            case 'n' -> {
                raw[column] = null;
                return literal(p, "null");
            }
            default -> {
                return c == '-' || (c >= '0' && c <= '9') ? number(p, column, raw) : DECLINE;
            }
        }
    }

    private int literal(int p, String word) {
        if (p + word.length() > n) {
            return DECLINE;
        }
        for (int i = 0; i < word.length(); i++) {
            if (b[p + i] != word.charAt(i)) {
                return DECLINE;
            }
        }
        return p + word.length();
    }

    /** A JSON number at {@code p}: {@code -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?}. */
    private int number(int p, int column, Object[] raw) {
        int start = p;
        boolean negative = at(p) == '-';
        if (negative) {
            p++;
        }
        int first = at(p);
        if (first == '0') {
            p++;
        } else if (first >= '1' && first <= '9') {
            p = digits(p);
        } else {
            return DECLINE;
        }
        int intEnd = p;
        boolean fraction = false;
        if (at(p) == '.') {
            int q = digits(p + 1);
            if (q == p + 1) {
                return DECLINE;
            }
            p = q;
            fraction = true;
        }
        int e = at(p);
        if (e == 'e' || e == 'E') {
            p++;
            int sign = at(p);
            if (sign == '+' || sign == '-') {
                p++;
            }
            int q = digits(p);
            if (q == p) {
                return DECLINE;
            }
            p = q;
            fraction = true;
        }
        if (p - start > MAX_NUMBER_CHARS) {
            return DECLINE;
        }
        if (fraction) {
            raw[column] = Double.parseDouble(new String(b, start, p - start, StandardCharsets.US_ASCII));
            return p;
        }
        int digitsStart = negative ? start + 1 : start;
        if (intEnd - digitsStart > MAX_INT_DIGITS) {
            return DECLINE;
        }
        long v = 0;
        for (int i = digitsStart; i < intEnd; i++) {
            v = v * 10 + (b[i] - '0');
        }
        raw[column] = negative ? -v : v;
        return p;
    }

    private int digits(int p) {
        while (p < n && b[p] >= '0' && b[p] <= '9') {
            p++;
        }
        return p;
    }
}
