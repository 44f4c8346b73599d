package dev.kiln.data;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The distinct values of one column within one chunk, keyed by their UTF-8 bytes (an open-addressing table over a
 * byte pool), each with how often it occurred. Rows hold an int code per value, and a String is made only once per
 * distinct value ({@link #strings}); equal bytes are equal strings since the chunk is valid UTF-8.
 */
final class ByteDictionary {
    private byte[] pool = new byte[256];
    private int poolLength;
    private int[] offsets = new int[16];
    private int[] lengths = new int[16];
    private int[] hashes = new int[16];
    private long[] counts = new long[16];
    private int size;
    private int[] table = new int[32]; // code + 1; 0 is an empty slot

    /** The code of {@code a[s, e)}, added if new; counts one occurrence. */
    int code(byte[] a, int s, int e) {
        int h = 1;
        for (int i = s; i < e; i++) {
            h = 31 * h + a[i];
        }
        h ^= h >>> 16;
        int mask = table.length - 1;
        int slot = h & mask;
        while (true) {
            int entry = table[slot];
            if (entry == 0) {
                break;
            }
            int code = entry - 1;
            if (hashes[code] == h && Arrays.equals(pool, offsets[code], offsets[code] + lengths[code], a, s, e)) {
                counts[code]++;
                return code;
            }
            slot = (slot + 1) & mask;
        }
        int code = add(a, s, e, h);
        table[slot] = code + 1;
        if (size * 2 > table.length) {
            rehash();
        }
        return code;
    }

    private int add(byte[] a, int s, int e, int h) {
        int n = e - s;
        if (poolLength + n > pool.length) {
            pool = Arrays.copyOf(pool, Math.max(pool.length * 2, poolLength + n));
        }
        System.arraycopy(a, s, pool, poolLength, n);
        if (size == offsets.length) {
            offsets = Arrays.copyOf(offsets, size * 2);
            lengths = Arrays.copyOf(lengths, size * 2);
            hashes = Arrays.copyOf(hashes, size * 2);
            counts = Arrays.copyOf(counts, size * 2);
        }
        offsets[size] = poolLength;
        lengths[size] = n;
        hashes[size] = h;
        counts[size] = 1;
        poolLength += n;
        return size++;
    }

    private void rehash() {
        table = new int[table.length * 2];
        int mask = table.length - 1;
        for (int code = 0; code < size; code++) {
            int slot = hashes[code] & mask;
            while (table[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            table[slot] = code + 1;
        }
    }

    int size() {
        return size;
    }

    long count(int code) {
        return counts[code];
    }

    /** The distinct values as strings, by code. */
    String[] strings() {
        String[] out = new String[size];
        for (int code = 0; code < size; code++) {
            out[code] = new String(pool, offsets[code], lengths[code], StandardCharsets.UTF_8);
        }
        return out;
    }
}
