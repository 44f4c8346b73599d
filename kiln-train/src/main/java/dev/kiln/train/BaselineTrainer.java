package dev.kiln.train;

import dev.kiln.runtime.Task;
import dev.kiln.runtime.model.ConstantEstimator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The trivial baseline every run trains: class priors for classification (so it always predicts the
 * majority class) and the training mean for regression. Every candidate is compared with it.
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
        Map<String, Object> params = new LinkedHashMap<>();
        double[] values;
        if (data.task() == Task.REGRESSION) {
            double sum = 0;
            for (double v : y) {
                sum += v;
            }
            values = new double[] {sum / y.length};
            params.put("strategy", "mean");
        } else {
            double[] counts = new double[data.numClasses()];
            for (double v : y) {
                counts[(int) v]++;
            }
            for (int k = 0; k < counts.length; k++) {
                counts[k] /= y.length;
            }
            values = data.task() == Task.BINARY ? new double[] {counts[1]} : counts;
            params.put("strategy", "prior");
        }
        return new TrainedModel(new ConstantEstimator(data.width(), values), params, Map.of());
    }
}
