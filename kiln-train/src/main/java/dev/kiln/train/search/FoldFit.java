package dev.kiln.train.search;

import dev.kiln.runtime.model.Estimator;
import dev.kiln.train.TrainedModel;
import dev.kiln.train.Trainer;
import dev.kiln.train.TrainingData;
import dev.kiln.train.eval.Metrics;
import java.util.Map;

/**
 * One configuration fitted on one fold's fit rows and scored on its valid rows (which are also gbdt's early-stopping
 * rows, as in XGBoost's cv with early stopping).
 *
 * @param score     the metric on the valid rows
 * @param bestRound gbdt: the rounds kept (best round, 1-based); 0 otherwise
 * @param outputs   the estimator's outputs for each valid row, in the order of {@code valid}
 */
record FoldFit(double score, int bestRound, double[][] outputs) {
    static FoldFit run(Trainer trainer, TuneRequest request, int[] fit, int[] valid, long seed) {
        TrainingData data = new TrainingData(request.task(), request.numClasses(), request.featureNames(),
                rows(request.x(), fit), values(request.y(), fit), rows(request.x(), valid), values(request.y(), valid));
        TrainedModel model = trainer.fit(data, seed);
        Estimator estimator = model.estimator();
        double[][] outputs = new double[valid.length][estimator.outputs()];
        estimator.predictBatch(data.validX(), outputs);
        Map<String, Double> metrics = Metrics.of(request.task(), data.validY(), outputs, 0.5);
        Double score = metrics.get(request.metric());
        Object kept = model.trainingInfo().get("rounds_kept");
        return new FoldFit(score == null ? Double.NaN : score, kept instanceof Number n ? n.intValue() : 0, outputs);
    }

    static double[][] rows(double[][] x, int[] index) {
        double[][] out = new double[index.length][];
        for (int i = 0; i < index.length; i++) {
            out[i] = x[index[i]];
        }
        return out;
    }

    static double[] values(double[] y, int[] index) {
        double[] out = new double[index.length];
        for (int i = 0; i < index.length; i++) {
            out[i] = y[index[i]];
        }
        return out;
    }
}
