package dev.kiln.train;

import dev.kiln.runtime.Task;
import java.util.List;

/**
 * Encoded training rows. {@code x[i]} is the feature vector of row i (already through the fitted
 * pipeline, so no missing values). For classification {@code y[i]} is the class index 0..numClasses-1
 * (binary: 1 = positive class); for regression the target value. The validation rows are carved from the
 * training rows and used for early stopping and model selection; the test rows never reach a trainer.
 */
public record TrainingData(Task task, int numClasses, List<String> featureNames,
                           double[][] x, double[] y, double[][] validX, double[] validY) {
    public int width() {
        return featureNames.size();
    }

    /** Number of model outputs: 1 for binary and regression, numClasses for multiclass. */
    public int outputs() {
        return task == Task.MULTICLASS ? numClasses : 1;
    }
}
