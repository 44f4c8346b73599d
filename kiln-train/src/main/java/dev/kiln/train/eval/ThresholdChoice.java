package dev.kiln.train.eval;

/** A decision threshold (predict positive when p >= threshold) and its cost per row. */
public record ThresholdChoice(double threshold, double costPerRow) {
}
