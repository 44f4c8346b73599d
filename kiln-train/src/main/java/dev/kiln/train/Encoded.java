package dev.kiln.train;

/** A fitted feature pipeline and the training and test rows it encodes. */
record Encoded(FeaturePipelineFitter.Result fit, double[][] x, double[][] testX) {
}
