package dev.kiln.data;

/**
 * Whether bytes are well-formed UTF-8, by the same rule as the JDK's strict decoder that {@link Utf8Source} uses
 * (Unicode's table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequence). The
 * parallel reader checks each chunk with it and leaves the exact error (line, column, byte offset) to the
 * sequential reader; ASCII runs are skipped 8 bytes at a time.
 */
final class Utf8Check {
    private Utf8Check() {
    }

    static boolean isValid(byte[] a, int from, int to) {
        int i = from;
        while (i < to) {
            if (i + 8 <= to && ByteScan.isAsciiWord(a, i)) {
                i += 8;
                continue;
            }
            int b = a[i];
            if (b >= 0) {
                i++;
                continue;
            }
            b &= 0xFF;
            if (b < 0xC2) {
                return false;
            }
            if (b < 0xE0) {
                if (i + 1 >= to || !continuation(a[i + 1])) {
                    return false;
                }
                i += 2;
            } else if (b < 0xF0) {
                if (i + 2 >= to) {
                    return false;
                }
                int b1 = a[i + 1] & 0xFF;
                if (b == 0xE0 && b1 < 0xA0 || b == 0xED && b1 > 0x9F || !continuation(b1) || !continuation(a[i + 2])) {
                    return false;
                }
                i += 3;
            } else if (b < 0xF5) {
                if (i + 3 >= to) {
                    return false;
                }
                int b1 = a[i + 1] & 0xFF;
                if (b == 0xF0 && b1 < 0x90 || b == 0xF4 && b1 > 0x8F || !continuation(b1)
                        || !continuation(a[i + 2]) || !continuation(a[i + 3])) {
                    return false;
                }
                i += 4;
            } else {
                return false;
            }
        }
        return true;
    }

    private static boolean continuation(int b) {
        return (b & 0xC0) == 0x80;
    }
}
