package dev.kiln.runtime.model;

/** How an estimator's raw margins become outputs. */
public enum Link {
    /** Outputs are the margins (regression, or estimators that already output probabilities). */
    IDENTITY,
    /** Each margin through the logistic function (binary classification: P(positive)). */
    LOGISTIC,
    /** Margins to a probability distribution (multiclass). */
    SOFTMAX;

    public void apply(double[] margins) {
        switch (this) {
            case IDENTITY -> {
            }
            case LOGISTIC -> {
                for (int i = 0; i < margins.length; i++) {
                    margins[i] = 1.0 / (1.0 + Math.exp(-margins[i]));
                }
            }
            case SOFTMAX -> {
                double max = Double.NEGATIVE_INFINITY;
                for (double m : margins) {
                    max = Math.max(max, m);
                }
                double sum = 0.0;
                for (int i = 0; i < margins.length; i++) {
                    margins[i] = Math.exp(margins[i] - max);
                    sum += margins[i];
                }
                for (int i = 0; i < margins.length; i++) {
                    margins[i] /= sum;
                }
            }
        }
    }
}
