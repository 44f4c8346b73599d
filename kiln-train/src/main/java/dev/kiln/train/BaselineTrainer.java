package dev.kiln.train;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.model.ConstantEstimator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The trivial baseline every run trains: class priors for classification (so it always predicts the
 * majority class) and the training mean for regression. Every candidate is compared with it. With row weights
 * ({@link TrainingData#weights}) the priors and the mean are weighted (balanced class weights give equal priors).
 */
public final class BaselineTrainer implements Trainer {
    @Override
    public String name() {
        return "baseline";
    }

    @Override
    public boolean needsScaling() {
        return false;
    }

    @Override
    public TrainedModel fit(TrainingData data, long seed) {
        double[] y = data.y();
        double[] w = data.weights();
        double total = 0;
        for (int i = 0; i < y.length; i++) {
            total += w == null ? 1.0 : w[i];
        }
        if (!(total > 0)) { // every weight 0: fall back to the unweighted statistics
            w = null;
            total = y.length;
        }
        Map<String, Object> params = new LinkedHashMap<>();
        double[] values;
        if (data.task() == Task.REGRESSION) {
            double sum = 0;
            for (int i = 0; i < y.length; i++) {
                sum += w == null ? y[i] : w[i] * y[i];
            }
            values = new double[] {sum / total};
            params.put("strategy", "mean");
        } else {
            double[] counts = new double[data.numClasses()];
            for (int i = 0; i < y.length; i++) {
                counts[(int) y[i]] += w == null ? 1.0 : w[i];
            }
            for (int k = 0; k < counts.length; k++) {
                counts[k] /= total;
            }
            values = data.task() == Task.BINARY ? new double[] {counts[1]} : counts;
            params.put("strategy", "prior");
        }
        return new TrainedModel(new ConstantEstimator(data.width(), values), params, Map.of());
    }
}
