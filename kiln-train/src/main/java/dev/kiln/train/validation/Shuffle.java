package dev.kiln.train.validation;

import java.util.SplittableRandom;

/** Seeded Fisher-Yates shuffles, so a plan is the same for the same seed on every JVM. */
final class Shuffle {
    private Shuffle() {
    }

    static void inPlace(int[] values, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = values[i];
            values[i] = values[j];
            values[j] = tmp;
        }
    }

    static int[] identity(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }
}
