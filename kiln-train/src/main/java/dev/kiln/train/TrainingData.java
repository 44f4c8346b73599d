package dev.kiln.train;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import java.util.List;
import java.util.Map;

/**
 * Encoded training rows. {@code x[i]} is the feature vector of row i (already through the fitted
 * pipeline, so no missing values, except category codes: see {@code categorical}). For classification {@code y[i]}
 * is the class index 0..numClasses-1 (binary: 1 = positive class); for regression the target value. The validation
 * rows are carved from the training rows and used for early stopping and model selection; the test rows never reach
 * a trainer.
 *
 * @param categorical which features are category codes ({@code FeatureTransform.CategoryCode}: NaN for unseen and
 *                    missing levels), one flag per feature, or null when none is; XGBoost trainers then split on
 *                    them natively ({@link FeaturePipelineFitter#categoricalFeatures})
 * @param weights     one weight per training row (not the validation rows: validation metrics stay unweighted),
 *                    or null for unweighted training; e.g. {@link ClassWeights#balanced}
 * @param rowsReleasable whether the trainer may let go of the training rows ({@code x[i] = null}) once it holds a copy
 *                    of its own (XGBoost's trainers: their matrix): the caller reads none of {@code x}'s rows after
 *                    the fit, so a large run's encoded rows are garbage before XGBoost allocates its matrix
 *                    ({@link #withRowsReleasable()}; the last refit of an encoding's candidates)
 */
public record TrainingData(Task task, int numClasses, List<String> featureNames,
                           double[][] x, double[] y, double[][] validX, double[] validY,
                           boolean[] categorical, double[] weights, boolean rowsReleasable) {
    public TrainingData {
        if (categorical != null && categorical.length != featureNames.size()) {
            throw new IllegalArgumentException(featureNames.size() + " features but " + categorical.length
                    + " categorical flags");
        }
        if (weights != null) {
            if (weights.length != x.length) {
                throw new IllegalArgumentException(x.length + " training rows but " + weights.length + " weights");
            }
            for (int i = 0; i < weights.length; i++) {
                if (!(weights[i] >= 0) || Double.isInfinite(weights[i])) {
                    throw new KilnException(ErrorCode.VALUE_INVALID, "row " + i + " has the weight " + weights[i]
                            + "; row weights must be finite and not negative", Map.of("row", String.valueOf(i)));
                }
            }
        }
    }

    /** Unweighted rows with no categorical features (every caller before issue 20). */
    public TrainingData(Task task, int numClasses, List<String> featureNames,
                        double[][] x, double[] y, double[][] validX, double[] validY) {
        this(task, numClasses, featureNames, x, y, validX, validY, null, null, false);
    }

    /** Rows the caller keeps reading after the fit (not {@link #rowsReleasable}). */
    public TrainingData(Task task, int numClasses, List<String> featureNames,
                        double[][] x, double[] y, double[][] validX, double[] validY,
                        boolean[] categorical, double[] weights) {
        this(task, numClasses, featureNames, x, y, validX, validY, categorical, weights, false);
    }

    public int width() {
        return featureNames.size();
    }

    /** Number of model outputs: 1 for binary and regression, numClasses for multiclass. */
    public int outputs() {
        return task == Task.MULTICLASS ? numClasses : 1;
    }

    /** Whether any feature is a category code. */
    public boolean hasCategorical() {
        if (categorical == null) {
            return false;
        }
        for (boolean c : categorical) {
            if (c) {
                return true;
            }
        }
        return false;
    }

    /**
     * For trainers that read every feature as a number and cannot take NaN (linear, CART tree): refuses category
     * codes, which are for XGBoost's trainers (gbdt, forest).
     *
     * @throws KilnException INVALID_ARGUMENT naming the algorithm and the first coded feature
     */
    public void requireNoCategorical(String algorithm) {
        if (!hasCategorical()) {
            return;
        }
        int f = 0;
        while (!categorical[f]) {
            f++;
        }
        throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the " + algorithm + " trainer cannot use category codes "
                + "(feature '" + featureNames.get(f) + "'): they are for gbdt and forest; fit its pipeline with one-hot "
                + "encoding (FeaturePipelineFitter.Options without categoricalCodes)",
                Map.of("algorithm", algorithm, "feature", featureNames.get(f)));
    }

    /** These rows with the given categorical flags (null: none). */
    public TrainingData withCategorical(boolean[] flags) {
        return new TrainingData(task, numClasses, featureNames, x, y, validX, validY, flags, weights, rowsReleasable);
    }

    /** These rows with the given training-row weights (null: unweighted). */
    public TrainingData withWeights(double[] rowWeights) {
        return new TrainingData(task, numClasses, featureNames, x, y, validX, validY, categorical, rowWeights,
                rowsReleasable);
    }

    /** These rows, which the trainer may let go of once it holds a copy of its own (see {@link #rowsReleasable}). */
    public TrainingData withRowsReleasable() {
        return new TrainingData(task, numClasses, featureNames, x, y, validX, validY, categorical, weights, true);
    }
}
