package dev.kiln.train.search;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Seeded synthetic binary data: a logistic function of the first three of {@code width} features. */
final class Synthetic {
    final double[][] x;
    final double[] y;
    final List<String> names = new ArrayList<>();

    Synthetic(int rows, int width, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        x = new double[rows][width];
        y = new double[rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < width; j++) {
                x[i][j] = random.nextDouble() * 2 - 1;
            }
            double margin = 2 * x[i][0] - 1.5 * x[i][1] + (x[i][2] > 0 ? 1 : -1);
            y[i] = random.nextDouble() < 1 / (1 + Math.exp(-margin)) ? 1 : 0;
        }
        for (int j = 0; j < width; j++) {
            names.add("f" + j);
        }
    }

    int[] classIds() {
        return ints(y);
    }

    static int[] ints(double[] y) {
        int[] out = new int[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = (int) y[i];
        }
        return out;
    }
}
