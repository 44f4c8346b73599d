package dev.kiln.train.eval;

/**
 * Business cost of the two errors of a binary classifier (positive = class 1): a false positive costs
 * {@code falsePositive}, a false negative {@code falseNegative}; correct predictions cost nothing.
 */
public record CostMatrix(double falsePositive, double falseNegative) {
    public CostMatrix {
        if (!(falsePositive >= 0.0 && falseNegative >= 0.0)
                || Double.isInfinite(falsePositive) || Double.isInfinite(falseNegative)) {
            throw new IllegalArgumentException("costs must be finite and non-negative, got false positive "
                    + falsePositive + ", false negative " + falseNegative);
        }
    }
}
