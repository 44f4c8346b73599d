package dev.kiln.runtime;

import java.util.Map;

/**
 * One prediction. {@code prediction} is the class label (classification) or the value (regression);
 * {@code probabilities} maps each class label to its probability, in class order (empty for regression).
 */
public record Prediction(Object prediction, Map<String, Double> probabilities) {
}
