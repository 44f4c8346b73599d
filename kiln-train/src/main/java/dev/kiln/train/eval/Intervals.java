package dev.kiln.train.eval;

import java.util.Arrays;
import java.util.List;

/** Confidence intervals of rates measured on a report's rows. */
public final class Intervals {
    /** The normal quantile of a two-sided 95% interval. */
    static final double Z95 = 1.959963984540054;

    private Intervals() {
    }

    /**
     * The 95% Wilson score interval of {@code successes} out of {@code trials}, as {@code [low, high]} (within [0, 1]
     * even at 0 or {@code trials} successes, where the normal approximation collapses); {@code [NaN, NaN]} for no trials.
     */
    public static List<Double> wilson(long successes, long trials) {
        if (trials <= 0) {
            return Arrays.asList(Double.NaN, Double.NaN);
        }
        double n = trials;
        double p = successes / n;
        double z2 = Z95 * Z95;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = Z95 / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return List.of(Math.max(0, centre - half), Math.min(1, centre + half));
    }
}
