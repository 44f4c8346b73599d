package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Train/test splits as sorted row-index arrays. Randomness comes from {@link SplittableRandom} seeded
 * with the caller's seed and a Fisher-Yates shuffle, so a seed always gives the same split on any JVM.
 * The test side gets {@code round(n * testFraction)} rows, clamped so that both sides are non-empty.
 */
public final class Splitter {
    /** Row indices of each side, each sorted ascending; together a partition of 0..n-1. */
    public record Split(int[] train, int[] test) {
        // Records compare arrays by identity; splits are equal when they hold the same rows.
        @Override
        public boolean equals(Object o) {
            return o instanceof Split s && Arrays.equals(train, s.train) && Arrays.equals(test, s.test);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(train) + Arrays.hashCode(test);
        }

        @Override
        public String toString() {
            return "Split[train=" + train.length + " rows, test=" + test.length + " rows]";
        }
    }

    private Splitter() {
    }

    /** A uniformly random split of rows 0..n-1. */
    public static Split random(int n, double testFraction, long seed) {
        checkFraction(testFraction);
        if (n < 2) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT,
                    "cannot split " + n + " row(s) into train and test: at least 2 rows are needed", Map.of("rows", n));
        }
        int[] rows = identity(n);
        shuffle(rows, new SplittableRandom(seed));
        int test = clamp(Math.round(n * testFraction), 1, n - 1);
        return split(rows, test);
    }

    /** Stratified split by label; null labels are an error (drop rows with a missing target first). */
    public static Split stratified(String[] labels, double testFraction, long seed) {
        // Classes are numbered in sorted label order so the split does not depend on hash order.
        TreeMap<String, Integer> ids = new TreeMap<>();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == null) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT,
                        "cannot stratify: the label of row " + i + " is missing", Map.of("row", i));
            }
            ids.putIfAbsent(labels[i], 0);
        }
        int next = 0;
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            e.setValue(next++);
        }
        int[] classIds = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            classIds[i] = ids.get(labels[i]);
        }
        return stratified(classIds, testFraction, seed);
    }

    /**
     * Stratified split: each class sends {@code round(size * testFraction)} of its rows to test, clamped
     * to [1, size - 1] so every class with at least 2 rows appears on both sides; a class with a single
     * row goes to train. Each class's share is thus within one row of its exact proportion; the test
     * total may differ from {@code round(n * testFraction)} by up to half a row per class.
     */
    public static Split stratified(int[] classIds, double testFraction, long seed) {
        checkFraction(testFraction);
        int n = classIds.length;
        if (n < 2) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT,
                    "cannot split " + n + " row(s) into train and test: at least 2 rows are needed", Map.of("rows", n));
        }
        // Bucket rows by class: classes in ascending id order, rows ascending within a class.
        int[] classes = Arrays.stream(classIds).sorted().distinct().toArray();
        int[] dense = new int[n];
        int[] offsets = new int[classes.length + 1];
        for (int i = 0; i < n; i++) {
            dense[i] = Arrays.binarySearch(classes, classIds[i]);
            offsets[dense[i] + 1]++;
        }
        for (int c = 0; c < classes.length; c++) {
            offsets[c + 1] += offsets[c];
        }
        int[] byClass = new int[n];
        int[] fill = Arrays.copyOf(offsets, classes.length);
        for (int i = 0; i < n; i++) {
            byClass[fill[dense[i]]++] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        boolean[] inTest = new boolean[n];
        int testTotal = 0;
        for (int c = 0; c < classes.length; c++) {
            int[] rows = Arrays.copyOfRange(byClass, offsets[c], offsets[c + 1]);
            int size = rows.length;
            int test = size < 2 ? 0 : clamp(Math.round(size * testFraction), 1, size - 1);
            shuffle(rows, random);
            for (int i = 0; i < test; i++) {
                inTest[rows[i]] = true;
            }
            testTotal += test;
        }
        if (testTotal == 0) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT,
                    "cannot stratify: every class has a single row, so no row can go to the test side",
                    Map.of("rows", n));
        }
        return fromFlags(inTest, testTotal);
    }

    /**
     * Time-ordered split: the latest rows go to test. Rows with equal times stay on one side: when the
     * cut would fall inside a run of equal times, the whole run goes to whichever side leaves the test
     * size closer to {@code round(n * testFraction)} while keeping both sides non-empty.
     */
    public static Split byTime(double[] times, double testFraction) {
        checkFraction(testFraction);
        int n = times.length;
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(times[i])) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT,
                        "cannot split by time: the time of row " + i + " is missing", Map.of("row", i));
            }
        }
        if (n < 2) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT,
                    "cannot split " + n + " row(s) into train and test: at least 2 rows are needed", Map.of("rows", n));
        }
        double[] sorted = times.clone();
        Arrays.sort(sorted);
        if (sorted[0] == sorted[n - 1]) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT,
                    "cannot split by time: all " + n + " rows have the same time", Map.of("rows", n));
        }
        int wanted = clamp(Math.round(n * testFraction), 1, n - 1);
        int cut = n - wanted; // first test position in sorted order
        double boundary = sorted[cut];
        // The run of times equal to the boundary spans [runStart, runEnd).
        int runStart = cut;
        while (runStart > 0 && sorted[runStart - 1] == boundary) {
            runStart--;
        }
        int runEnd = cut;
        while (runEnd < n && sorted[runEnd] == boundary) {
            runEnd++;
        }
        // Either the run goes to test (cut at runStart) or to train (cut at runEnd).
        boolean runToTestPossible = runStart > 0;
        boolean runToTrainPossible = runEnd < n;
        int chosen;
        if (runToTestPossible && runToTrainPossible) {
            chosen = (n - runStart) - wanted <= wanted - (n - runEnd) ? runStart : runEnd;
        } else {
            chosen = runToTestPossible ? runStart : runEnd;
        }
        double threshold = sorted[chosen]; // test = rows with time >= threshold
        boolean[] inTest = new boolean[n];
        for (int i = 0; i < n; i++) {
            inTest[i] = times[i] >= threshold;
        }
        return fromFlags(inTest, n - chosen);
    }

    private static void checkFraction(double testFraction) {
        if (!(testFraction > 0.0 && testFraction < 1.0)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT,
                    "test fraction must be between 0 and 1 (exclusive), got " + testFraction,
                    Map.of("testFraction", testFraction));
        }
    }

    private static int clamp(long v, int lo, int hi) {
        return (int) Math.max(lo, Math.min(hi, v));
    }

    private static int[] identity(int n) {
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = i;
        }
        return rows;
    }

    private static void shuffle(int[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Test = the first {@code test} shuffled rows; both sides sorted. */
    private static Split split(int[] shuffled, int test) {
        int[] testRows = Arrays.copyOfRange(shuffled, 0, test);
        int[] trainRows = Arrays.copyOfRange(shuffled, test, shuffled.length);
        Arrays.sort(testRows);
        Arrays.sort(trainRows);
        return new Split(trainRows, testRows);
    }

    private static Split fromFlags(boolean[] inTest, int testCount) {
        int[] test = new int[testCount];
        int[] train = new int[inTest.length - testCount];
        int t = 0;
        int r = 0;
        for (int i = 0; i < inTest.length; i++) {
            if (inTest[i]) {
                test[t++] = i;
            } else {
                train[r++] = i;
            }
        }
        return new Split(train, test);
    }
}
