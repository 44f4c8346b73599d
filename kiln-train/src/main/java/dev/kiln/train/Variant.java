package dev.kiln.train;

import dev.kiln.runtime.Task;
import java.util.ArrayList;
import java.util.List;

/**
 * A candidate: an algorithm ({@code base}, whose search space and trainer it uses) with an encoding and a weighting.
 * Besides each requested algorithm, a GBDT is also tried with XGBoost's native categorical splits when the data has
 * categorical columns ({@code gbdt_native}: the column's level codes instead of one-hot, up to 255 levels where one-hot
 * keeps 30), and with balanced class weights when the classes are imbalanced ({@code gbdt_balanced}: the
 * smallest class has fewer than {@link #RARE_CLASS_SHARE} times the rows of the largest; its probabilities are calibrated
 * afterwards like every classifier's).
 */
record Variant(String name, String base, Encoding encoding, boolean balanced) {
    static final double RARE_CLASS_SHARE = 0.2;

    /** How a variant's rows are encoded: standardised numbers, plain numbers, or plain numbers and category codes. */
    enum Encoding {
        SCALED, PLAIN, CODES
    }

    static Variant of(String algorithm) {
        return new Variant(algorithm, algorithm, Trainers.byName(algorithm).needsScaling() ? Encoding.SCALED : Encoding.PLAIN, false);
    }

    /**
     * The candidates for {@code algorithms}, in order, each gbdt followed by its native-categorical and balanced variants
     * when they apply (never under a warm start, --interpretable or --monotone: those constrain the gbdt as requested).
     */
    static List<Variant> expand(List<String> algorithms, boolean categoricalColumns, Task task, double[] y, int classes,
                                boolean plainOnly) {
        List<Variant> out = new ArrayList<>();
        for (String a : algorithms) {
            out.add(of(a));
            if (!a.equals("gbdt") || plainOnly) {
                continue;
            }
            if (categoricalColumns) {
                out.add(new Variant("gbdt_native", "gbdt", Encoding.CODES, false));
            }
            if (task.isClassification() && rareClass(y, classes)) {
                out.add(new Variant("gbdt_balanced", "gbdt", Encoding.PLAIN, true));
            }
        }
        return out;
    }

    private static boolean rareClass(double[] y, int classes) {
        long[] counts = new long[classes];
        for (double v : y) {
            counts[(int) v]++;
        }
        long min = Long.MAX_VALUE;
        long max = 0;
        for (long c : counts) {
            if (c > 0) {
                min = Math.min(min, c);
                max = Math.max(max, c);
            }
        }
        return max > 0 && min < RARE_CLASS_SHARE * max;
    }
}
