package dev.kiln.train.validation;

/**
 * What a {@link ValidationPlan} is made from: the training rows' count and, where the run has them, their
 * classes, groups ({@code --group-column}) and times ({@code --time-column}).
 *
 * @param rows            number of training rows (the test rows are never part of validation)
 * @param classIds        each row's class index for classification; null for regression
 * @param groups          each row's group; null unless {@code --group-column}
 * @param times           each row's time as a number (e.g. epoch seconds); null unless {@code --time-column}
 * @param folds           folds for cross-validation (k)
 * @param holdoutFraction share of the rows held out when the rows are too many to cross-validate
 * @param cvBelowRows     training sets with fewer rows than this are cross-validated; at or above, holdout
 * @param seed            shuffling seed: the same request gives the same plan
 */
public record ValidationRequest(int rows, int[] classIds, String[] groups, double[] times, int folds,
                                double holdoutFraction, int cvBelowRows, long seed) {
    public static final int DEFAULT_FOLDS = 5;
    public static final double DEFAULT_HOLDOUT_FRACTION = 0.2;
    /**
     * Below 20,000 training rows k-fold cross-validation: a 20% holdout of fewer rows scores a candidate on
     * under 4,000 rows, where the noise between configurations is as large as their differences; above it one
     * holdout is precise enough and k-fold would cost k fits per trial.
     */
    public static final int DEFAULT_CV_BELOW_ROWS = 20_000;

    /** The defaults (5 folds, 20% holdout, cross-validation below 20,000 rows) for {@code rows} rows. */
    public static ValidationRequest of(int rows, int[] classIds, String[] groups, double[] times, long seed) {
        return new ValidationRequest(rows, classIds, groups, times, DEFAULT_FOLDS, DEFAULT_HOLDOUT_FRACTION,
                DEFAULT_CV_BELOW_ROWS, seed);
    }
}
