package dev.kiln.train;

/**
 * A trainer fed what its candidate variant needs on every fit, the search's fold fits and the refit alike: which features
 * are category codes (XGBoost's native categorical splits) and, for a balanced variant, class weights computed on the
 * rows it fits ({@link ClassWeights#balanced}, as scikit-learn's {@code class_weight='balanced'}); validation rows stay
 * unweighted.
 */
record PreparedTrainer(Trainer inner, boolean[] categorical, boolean balanced) implements Trainer {
    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public boolean needsScaling() {
        return inner.needsScaling();
    }

    @Override
    public TrainedModel fit(TrainingData data, long seed) {
        TrainingData prepared = categorical == null ? data : data.withCategorical(categorical);
        if (balanced && data.task().isClassification()) {
            prepared = prepared.withWeights(ClassWeights.balanced(data.y(), data.numClasses()));
        }
        return inner.fit(prepared, seed);
    }
}
