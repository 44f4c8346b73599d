package dev.kiln.train;

import dev.kiln.runtime.model.Estimator;
import java.util.Map;

/**
 * A fitted candidate: the estimator in Kiln's scoring form, the hyperparameters that made it, and facts
 * learnt while training (for example the early-stopping iteration).
 */
public record TrainedModel(Estimator estimator, Map<String, Object> hyperparameters, Map<String, Object> trainingInfo) {
}
