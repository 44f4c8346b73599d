package dev.kiln.train;

/**
 * A fitted feature pipeline and the training and test rows it encodes. Once every candidate of an encoding is fitted,
 * {@link #fitted()} keeps of the training rows only those the chosen model's feature importance explains, and
 * {@link #withoutTestRows()} lets the test rows go once no later candidate reads them ({@link Fitted#rawTest} holds each
 * candidate's outputs for them).
 */
record Encoded(FeaturePipelineFitter.Result fit, double[][] x, double[][] testX) {

    /** This encoding without its test rows (null), for once no candidate reads them: each has its outputs for them. */
    Encoded withoutTestRows() {
        return new Encoded(fit, x, null);
    }

    /**
     * This encoding with only the training rows {@link ChosenModelAnalyses#importance} explains (the same rows, in the
     * same order, so it explains the same), for after the fits: a large run's encoded training rows are then garbage
     * before the next candidate's fit allocates its own.
     */
    Encoded fitted() {
        return new Encoded(fit, ChosenModelAnalyses.importanceRows(x), testX);
    }
}
