package dev.kiln.train;

import dev.kiln.runtime.Task;
import java.util.ArrayList;
import java.util.List;

/**
 * A candidate: an algorithm ({@code base}, whose search space and trainer it uses) with an encoding and a weighting.
 * Besides the algorithms themselves, a GBDT is tried with XGBoost's native categorical splits when the data has
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
        return switch (algorithm) {
            case "gbdt_native" -> new Variant(algorithm, "gbdt", Encoding.CODES, false);
            case "gbdt_balanced" -> new Variant(algorithm, "gbdt", Encoding.PLAIN, true);
            default -> new Variant(algorithm, algorithm,
                    Trainers.byName(algorithm).needsScaling() ? Encoding.SCALED : Encoding.PLAIN, false);
        };
    }

    /**
     * The candidates among {@code algorithms} that apply to the data, in order (the ensemble is built afterwards):
     * gbdt_native only when the data has a categorical column, gbdt_balanced only for imbalanced classes; a variant
     * left out gets a note.
     */
    static List<Variant> of(List<String> algorithms, boolean categoricalColumns, Task task, double[] y, int classes,
                            List<String> notes) {
        List<Variant> out = new ArrayList<>();
        for (String a : algorithms) {
            if (a.equals(EnsembleCandidate.NAME)) {
                continue;
            }
            if (a.equals("gbdt_native") && !categoricalColumns) {
                notes.add("gbdt_native not trained: no categorical column to split natively");
                continue;
            }
            if (a.equals("gbdt_balanced") && !(task.isClassification() && rareClass(y, classes))) {
                notes.add("gbdt_balanced not trained: " + (task.isClassification()
                        ? "the classes are balanced enough (the smallest has at least " + (int) (RARE_CLASS_SHARE * 100)
                        + "% of the largest's rows)" : "class weights need a class target"));
                continue;
            }
            out.add(of(a));
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
