package dev.kiln.runtime.profile;

import java.util.Arrays;

/**
 * {@link QuantileSketch}'s update rules as they were first written (one value at a time, every compacted level sorted
 * with {@link Arrays#sort(double[], int, int)}), kept to check that the faster code builds exactly the same sketches.
 * Only what the checks need: add, merge, state.
 */
final class ReferenceQuantileSketch {
    private static final int MIN_LEVEL_CAPACITY = 8;
    private static final long PARITY_SEED = 0x4B494C4E4B4C4C31L;

    private final int k;
    private double[][] levels;
    private int[] sizes;
    private long[] compactions;
    private long count;
    private int retained;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;

    ReferenceQuantileSketch(int k) {
        this.k = k;
        this.levels = new double[][] {new double[8]};
        this.sizes = new int[1];
        this.compactions = new long[1];
    }

    /** A sketch holding exactly {@code s} (levels in the given order). */
    static ReferenceQuantileSketch of(QuantileSketch.State s) {
        ReferenceQuantileSketch q = new ReferenceQuantileSketch(s.k());
        int n = s.levels().length;
        q.levels = new double[n][];
        q.sizes = new int[n];
        q.compactions = s.compactions().clone();
        for (int h = 0; h < n; h++) {
            q.levels[h] = Arrays.copyOf(s.levels()[h], Math.max(8, s.levels()[h].length));
            q.sizes[h] = s.levels()[h].length;
            q.retained += s.levels()[h].length;
        }
        q.count = s.count();
        if (s.count() > 0) {
            q.min = s.min();
            q.max = s.max();
        }
        return q;
    }

    void add(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("not finite: " + v);
        }
        if (v == 0.0) {
            v = 0.0;
        }
        append(0, v);
        count++;
        if (v < min) {
            min = v;
        }
        if (v > max) {
            max = v;
        }
        if (retained > totalCapacity()) {
            compress();
        }
    }

    void merge(ReferenceQuantileSketch src) {
        if (src.count == 0) {
            return;
        }
        if (src.levels.length > levels.length) {
            grow(src.levels.length);
        }
        for (int h = 0; h < src.levels.length; h++) {
            for (int i = 0; i < src.sizes[h]; i++) {
                append(h, src.levels[h][i]);
            }
            compactions[h] += src.compactions[h];
        }
        count += src.count;
        min = Math.min(min, src.min);
        max = Math.max(max, src.max);
        compress();
    }

    QuantileSketch.State state() {
        double[][] out = new double[levels.length][];
        for (int h = 0; h < levels.length; h++) {
            out[h] = Arrays.copyOf(levels[h], sizes[h]);
            Arrays.sort(out[h]);
        }
        return new QuantileSketch.State(k, count, count == 0 ? null : min, count == 0 ? null : max, out,
                compactions.clone());
    }

    private void append(int h, double v) {
        if (h >= levels.length) {
            grow(h + 1);
        }
        if (sizes[h] == levels[h].length) {
            levels[h] = Arrays.copyOf(levels[h], Math.max(8, levels[h].length * 2));
        }
        levels[h][sizes[h]++] = v;
        retained++;
    }

    private void grow(int n) {
        int old = levels.length;
        levels = Arrays.copyOf(levels, n);
        sizes = Arrays.copyOf(sizes, n);
        compactions = Arrays.copyOf(compactions, n);
        for (int h = old; h < n; h++) {
            levels[h] = new double[8];
        }
    }

    private int capacity(int h) {
        int depth = levels.length - 1 - h;
        return Math.max(MIN_LEVEL_CAPACITY, (int) Math.ceil(k * Math.pow(2.0 / 3.0, depth)));
    }

    private int totalCapacity() {
        int total = 0;
        for (int h = 0; h < levels.length; h++) {
            total += capacity(h);
        }
        return total;
    }

    private void compress() {
        while (retained > totalCapacity()) {
            int h = 0;
            while (h < levels.length && sizes[h] < capacity(h)) {
                h++;
            }
            compact(h);
        }
    }

    private void compact(int h) {
        if (h + 1 >= levels.length) {
            grow(h + 2);
        }
        double[] items = levels[h];
        int n = sizes[h];
        Arrays.sort(items, 0, n);
        int start = n & 1;
        int offset = parity(h, compactions[h]);
        for (int i = start + offset; i < n; i += 2) {
            append(h + 1, items[i]);
        }
        retained -= n - start;
        sizes[h] = start;
        compactions[h]++;
    }

    private static int parity(int level, long compaction) {
        long z = PARITY_SEED + level * 0x9E3779B97F4A7C15L + compaction * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (int) (z >>> 63);
    }
}
