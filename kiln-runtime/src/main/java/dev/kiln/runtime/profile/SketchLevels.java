package dev.kiln.runtime.profile;

import java.util.Arrays;

/**
 * The levels of a {@link QuantileSketch} and their compaction (see its class comment for the rules). Items are held
 * as {@link SortKeys sort keys}. Compacting a level needs it sorted; promoted items come out of a sorted level in
 * order and are merged into the level above, so the levels above 0 stay sorted and are compacted without a sort
 * ({@code sorted[h]}; a {@link QuantileSketch#merge} appends and clears it). The items of each level, and so the
 * sketch, are exactly those of sorting every level at each compaction: the ascending order of keys is unique.
 */
final class SketchLevels {
    static final int MAX_LEVELS = 61;
    private static final int MIN_LEVEL_CAPACITY = 8;
    private static final long PARITY_SEED = 0x4B494C4E4B4C4C31L; // "KILNKLL1"

    private final int k;
    long[][] keys;
    int[] sizes;
    boolean[] sorted;
    long[] compactions;
    int retained;
    // Spare room for sorting and merging a level; after a merge it becomes the level and the level's array the spare.
    private long[] scratch = new long[0];
    private int capacityLevels = -1;
    private int capacityCache;
    private int[] capacities;

    SketchLevels(int k, int levels) {
        this.k = k;
        this.keys = new long[levels][];
        this.sizes = new int[levels];
        this.sorted = new boolean[levels];
        this.compactions = new long[levels];
        Arrays.fill(sorted, true);
    }

    int count() {
        return keys.length;
    }

    /** Appends to level h (growing the levels if needed); the level is then taken as unsorted. */
    void append(int h, long key) {
        if (h >= keys.length) {
            grow(h + 1);
        }
        ensureRoom(h, 1);
        keys[h][sizes[h]++] = key;
        sorted[h] = false;
        retained++;
    }

    /** Makes room for {@code more} items on level h. */
    void ensureRoom(int h, int more) {
        int needed = sizes[h] + more;
        if (needed > keys[h].length) {
            keys[h] = Arrays.copyOf(keys[h], Math.max(needed, Math.max(8, 2 * keys[h].length)));
        }
    }

    void grow(int n) {
        if (n > MAX_LEVELS) {
            throw new IllegalStateException("quantile sketch has too many levels");
        }
        int old = keys.length;
        keys = Arrays.copyOf(keys, n);
        sizes = Arrays.copyOf(sizes, n);
        sorted = Arrays.copyOf(sorted, n);
        compactions = Arrays.copyOf(compactions, n);
        for (int h = old; h < n; h++) {
            keys[h] = new long[8];
            sorted[h] = true;
        }
    }

    private int capacity(int h) {
        totalCapacity(); // refreshes the per-level cache when the number of levels changed
        return capacities[h];
    }

    /** The capacities depend only on k and the number of levels: computed once per level count (Math.pow is slow). */
    int totalCapacity() {
        if (capacityLevels == keys.length) {
            return capacityCache;
        }
        int[] each = new int[keys.length];
        int total = 0;
        for (int h = 0; h < keys.length; h++) {
            int depth = keys.length - 1 - h;
            each[h] = Math.max(MIN_LEVEL_CAPACITY, (int) Math.ceil(k * Math.pow(2.0 / 3.0, depth)));
            total += each[h];
        }
        capacities = each;
        capacityLevels = keys.length;
        capacityCache = total;
        return total;
    }

    void compress() {
        while (retained > totalCapacity()) {
            int h = 0;
            while (h < keys.length && sizes[h] < capacity(h)) {
                h++;
            }
            if (h == keys.length) {
                return; // cannot happen: the sizes sum past the capacities
            }
            compact(h);
        }
    }

    private void compact(int h) {
        if (h + 1 >= keys.length) {
            grow(h + 2);
        }
        long[] items = keys[h];
        int n = sizes[h];
        if (!sorted[h]) {
            SortKeys.sort(items, n, scratch(n));
        }
        int start = n & 1; // an odd item out (the smallest) stays on this level
        int offset = parity(h, compactions[h]);
        int promoted = (n - start) / 2;
        for (int c = 0; c < promoted; c++) { // every other item, gathered after the odd one out
            items[start + c] = items[start + offset + 2 * c];
        }
        promote(h + 1, items, start, start + promoted);
        retained -= n - start; // removed from level h (promote counted the promoted ones back)
        sizes[h] = start;
        sorted[h] = true;
        compactions[h]++;
    }

    /** Adds the ascending {@code src[from..to)} to level h, merged in when the level is sorted. */
    private void promote(int h, long[] src, int from, int to) {
        int size = sizes[h];
        int count = to - from;
        if (sorted[h]) {
            long[] merged = scratch(size + count);
            SortKeys.merge(keys[h], 0, size, src, from, to, merged, 0);
            scratch = keys[h];
            keys[h] = merged;
        } else {
            ensureRoom(h, count);
            System.arraycopy(src, from, keys[h], size, count);
        }
        sizes[h] = size + count;
        retained += count;
    }

    private long[] scratch(int n) {
        if (scratch.length < n) {
            scratch = new long[Math.max(n, 2 * scratch.length)];
        }
        return scratch;
    }

    private static int parity(int level, long compaction) {
        long z = PARITY_SEED + level * 0x9E3779B97F4A7C15L + compaction * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (int) (z >>> 63);
    }

    /** Level h's keys in ascending order (a copy). */
    long[] sortedKeys(int h) {
        long[] copy = Arrays.copyOf(keys[h], sizes[h]);
        if (!sorted[h]) {
            Arrays.sort(copy);
        }
        return copy;
    }

    /** Level h's values in ascending order. */
    double[] sortedValues(int h) {
        long[] copy = sortedKeys(h);
        double[] out = new double[copy.length];
        for (int i = 0; i < copy.length; i++) {
            out[i] = SortKeys.value(copy[i]);
        }
        return out;
    }
}
