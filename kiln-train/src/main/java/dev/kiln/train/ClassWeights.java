package dev.kiln.train;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.Map;

/** Per-row weights that balance the classes of an imbalanced target. */
public final class ClassWeights {
    private ClassWeights() {
    }

    /**
     * scikit-learn's {@code class_weight='balanced'} ({@code compute_sample_weight('balanced', y)}): row i weighs
     * {@code n / (k * count(y[i]))}, n rows and k the classes present, so every present class carries the same total
     * weight (n / k) and the weights average 1.
     *
     * @param y          class indices 0..numClasses-1
     * @param numClasses the number of classes (2 for binary)
     * @throws KilnException TARGET_INVALID for a label that is not a class index below numClasses
     */
    public static double[] balanced(double[] y, int numClasses) {
        if (numClasses < 1) {
            throw new KilnException(ErrorCode.TARGET_INVALID, "class weights need at least one class, got " + numClasses);
        }
        long[] counts = new long[numClasses];
        for (int i = 0; i < y.length; i++) {
            int c = (int) y[i];
            if (c != y[i] || c < 0 || c >= numClasses) {
                throw new KilnException(ErrorCode.TARGET_INVALID, "row " + i + " has the class " + y[i]
                        + "; class weights need class indices 0.." + (numClasses - 1), Map.of("row", String.valueOf(i)));
            }
            counts[c]++;
        }
        int present = 0;
        for (long count : counts) {
            if (count > 0) {
                present++;
            }
        }
        double[] weights = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            weights[i] = (double) y.length / ((double) present * counts[(int) y[i]]);
        }
        return weights;
    }
}
