package dev.kiln.data;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Word-at-a-time (SWAR) searches over byte arrays, for the CSV reader's hot loops: looking at 8 bytes per step
 * instead of one is what lets a single thread find quotes and newlines in a block faster than the disk delivers it.
 */
final class ByteScan {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long LOWS = 0x7F7F7F7F7F7F7F7FL;
    private static final long LFS = 0x0A0A0A0A0A0A0A0AL;
    private static final long CRS = 0x0D0D0D0D0D0D0D0DL;

    private ByteScan() {
    }

    /** The index of the first {@code target} in {@code [from, to)}, or -1. */
    static int indexOf(byte[] a, int from, int to, byte target) {
        long pattern = (target & 0xFFL) * ONES;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(a, i) ^ pattern;
            long zero = (x - ONES) & ~x & HIGHS; // the lowest set bit marks the first zero byte exactly
            if (zero != 0) {
                return i + (Long.numberOfTrailingZeros(zero) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (a[i] == target) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The index of the first delimiter, LF or CR in {@code [from, to)}, or {@code to}: where an unquoted value ends.
     * Each of the three zero-byte masks marks its first match exactly, so the lowest bit of their union is the first
     * of any.
     */
    static int indexOfFieldEnd(byte[] a, int from, int to, byte delimiter) {
        long delimiters = (delimiter & 0xFFL) * ONES;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long word = (long) LONGS.get(a, i);
            long x = word ^ delimiters;
            long y = word ^ LFS;
            long z = word ^ CRS;
            long found = ((x - ONES) & ~x | (y - ONES) & ~y | (z - ONES) & ~z) & HIGHS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            byte b = a[i];
            if (b == delimiter || b == '\n' || b == '\r') {
                return i;
            }
        }
        return to;
    }

    /** How many bytes of {@code [from, to)} equal {@code target}. */
    static int count(byte[] a, int from, int to, byte target) {
        long pattern = (target & 0xFFL) * ONES;
        int n = 0;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(a, i) ^ pattern;
            long y = ~(((x & LOWS) + LOWS) | x | LOWS); // exact: the high bit set in each zero byte only
            n += Long.bitCount(y);
        }
        for (; i < to; i++) {
            if (a[i] == target) {
                n++;
            }
        }
        return n;
    }

    /** Whether every byte of {@code [from, to)} is ASCII (below 0x80). */
    static boolean isAscii(byte[] a, int from, int to) {
        int i = from;
        long or = 0;
        for (; i + 8 <= to; i += 8) {
            or |= (long) LONGS.get(a, i);
        }
        for (; i < to; i++) {
            or |= a[i] & 0xFF;
        }
        return (or & HIGHS) == 0;
    }

    /** Whether {@code a[i .. i+8)} are all ASCII; the caller guarantees 8 bytes are there. */
    static boolean isAsciiWord(byte[] a, int i) {
        return ((long) LONGS.get(a, i) & HIGHS) == 0;
    }
}
