package dev.kiln.runtime;

import dev.kiln.runtime.bundle.Bundle;
import dev.kiln.runtime.bundle.BundleManifest;
import dev.kiln.runtime.bundle.BundleReader;
import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.model.Estimator;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Schema;
import dev.kiln.runtime.schema.Values;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A loaded model bundle, ready to score. Thread-safe. This is the embedding API:
 * <pre>{@code
 * KilnModel model = KilnModel.load(Path.of("bundle"));
 * Prediction p = model.predict(Map.of("age", 35, "purpose", "radio/tv"));
 * }</pre>
 */
public final class KilnModel {
    private final Bundle bundle;
    private final FeaturePipeline pipeline;
    private final Estimator estimator;
    private final Field[] inputFields;
    /** {@link #inputFields} as the list handed out (once: the serving path asks for it on every request). */
    private final List<Field> requiredFields;
    /** A tree ensemble laid out for single rows ({@link #score}); null for other estimators. */
    private final dev.kiln.runtime.model.PackedTrees packedTrees;
    /** An ensemble laid out for single rows (its tree members packed); null for other estimators. */
    private final dev.kiln.runtime.model.EnsembleScorer ensembleScorer;
    private final List<String> classes;
    private final double threshold;
    /** The bundle's calibration when it is applied to the probabilities returned (format 1.4); null otherwise. */
    private final dev.kiln.runtime.bundle.Calibration appliedCalibration;
    /**
     * The estimator's explanation state (a tree ensemble's node expectations, as many doubles as the trees have nodes;
     * an ensemble's members' states), built on the first explanation so that a model that is only scored does not carry
     * it; null until then.
     */
    private volatile dev.kiln.runtime.model.Contributions contributions;

    private KilnModel(Bundle bundle) {
        this.bundle = bundle;
        this.pipeline = bundle.pipeline();
        this.estimator = bundle.estimator();
        Schema schema = bundle.manifest().inputSchema();
        List<String> columns = pipeline.inputColumns();
        this.inputFields = new Field[columns.size()];
        for (int i = 0; i < inputFields.length; i++) {
            inputFields[i] = schema.field(columns.get(i)).orElseThrow();
        }
        this.requiredFields = List.of(inputFields);
        this.packedTrees = estimator instanceof dev.kiln.runtime.model.TreeEnsembleEstimator trees
                ? dev.kiln.runtime.model.PackedTrees.of(trees) : null;
        this.ensembleScorer = estimator instanceof dev.kiln.runtime.model.EnsembleEstimator ensemble
                ? dev.kiln.runtime.model.EnsembleScorer.of(ensemble) : null;
        this.classes = bundle.manifest().classes() == null ? List.of() : List.copyOf(bundle.manifest().classes());
        Double t = bundle.manifest().decisionThreshold();
        this.threshold = t == null ? 0.5 : t;
        dev.kiln.runtime.bundle.Calibration c = bundle.calibration();
        this.appliedCalibration = c != null && c.applied() && c.transforms() && bundle.manifest().task() != null
                && bundle.manifest().task().isClassification() ? c : null;
    }

    /** Loads and verifies a bundle directory (checksums, format version, structure). */
    public static KilnModel load(Path bundleDirectory) {
        return new KilnModel(BundleReader.read(bundleDirectory));
    }

    public static KilnModel of(Bundle bundle) {
        return new KilnModel(bundle);
    }

    public Bundle bundle() {
        return bundle;
    }

    public BundleManifest manifest() {
        return bundle.manifest();
    }

    public Task task() {
        return bundle.manifest().task();
    }

    public List<String> classes() {
        return classes;
    }

    /** The columns a row must carry (others are ignored). */
    public List<Field> requiredFields() {
        return requiredFields;
    }

    public double decisionThreshold() {
        return threshold;
    }

    /**
     * Scores one row. Every required column must be present as a key (a null value means missing and is
     * imputed); extra keys are ignored. Throws {@link KilnException} naming the column for an absent
     * column or a value of the wrong type.
     */
    public Prediction predict(Map<String, ?> row) {
        double[] features = new double[pipeline.width()];
        encode(row, features);
        return decode(score(features));
    }

    /**
     * Scores many rows (faster than one by one: tree ensembles walk blocks of rows per tree). An error names
     * the row (0-based index into the list) as well as the column.
     */
    public List<Prediction> predictBatch(List<? extends Map<String, ?>> rows) {
        double[][] features = new double[rows.size()][pipeline.width()];
        for (int i = 0; i < rows.size(); i++) {
            try {
                encode(rows.get(i), features[i]);
            } catch (KilnException e) {
                Map<String, Object> details = new LinkedHashMap<>(e.details());
                details.put("row", i);
                throw new KilnException(e.code(), "row " + i + ": " + e.getMessage(), details, e);
            }
        }
        double[][] scores = scoreBatch(features);
        List<Prediction> out = new ArrayList<>(rows.size());
        for (double[] s : scores) {
            out.add(decode(s));
        }
        return out;
    }

    /**
     * The estimator's raw outputs for many feature vectors (see {@link Estimator#predictBatch}): uncalibrated, as
     * {@link #score}; {@link #decode} calibrates them.
     */
    public double[][] scoreBatch(double[][] features) {
        double[][] out = new double[features.length][estimator.outputs()];
        estimator.predictBatch(features, out);
        return out;
    }

    /** Turns a row into the model's feature vector (length {@code featureNames().size()}). */
    public void encode(Map<String, ?> row, double[] features) {
        Object[] values = new Object[inputFields.length];
        for (int i = 0; i < inputFields.length; i++) {
            Field f = inputFields[i];
            Object raw = row.get(f.name());
            if (raw == null && !row.containsKey(f.name())) {
                throw new KilnException(ErrorCode.COLUMN_MISSING, "column '" + f.name() + "' is missing",
                        Map.of("column", f.name()));
            }
            values[i] = Values.coerce(f, raw);
        }
        pipeline.transform(values, features);
    }

    /** Encodes already-coerced values aligned with {@link #requiredFields()}. */
    public void encodeValues(Object[] values, double[] features) {
        pipeline.transform(values, features);
    }

    public List<String> featureNames() {
        return pipeline.featureNames();
    }

    /**
     * The estimator's raw outputs for a feature vector (see {@link Estimator}): for a classifier, its uncalibrated
     * probabilities (binary: {@code [P(positive)]}), what explanations decompose. {@link #calibrate} maps them to
     * what {@link #predict} returns.
     */
    public double[] score(double[] features) {
        double[] out = new double[estimator.outputs()];
        if (packedTrees != null) {
            packedTrees.predict(features, out);
        } else if (ensembleScorer != null) {
            ensembleScorer.predict(features, out);
        } else {
            estimator.predict(features, out);
        }
        return out;
    }

    /** Whether {@link #explain} works for this bundle (format 1.2 or later, or a constant baseline). */
    public boolean explainable() {
        return estimator.explainable();
    }

    /**
     * Explains one row: each input column's additive share of the model's margin (see {@link Explanation}).
     * The row is checked as {@link #predict} checks it. When the model is {@link #calibrated()}, the explanation is
     * of the estimator's uncalibrated score: calibration maps that score monotonically (per class) to the probability
     * returned, so the shares say what pushed the score up or down but do not add up to the calibrated probability.
     *
     * @throws KilnException {@code explanation_unavailable} for a bundle written before format 1.2
     */
    public Explanation explain(Map<String, ?> row) {
        requireExplainable();
        double[] features = new double[pipeline.width()];
        encode(row, features);
        return explainFeatures(features);
    }

    /** Explains an already-encoded feature vector (see {@link #encode}). */
    public Explanation explainFeatures(double[] features) {
        requireExplainable();
        int width = pipeline.width();
        int outputs = estimator.outputs();
        double[][] phi = new double[outputs][width + 1];
        dev.kiln.runtime.model.Contributions c = contributions;
        if (c == null) {
            c = dev.kiln.runtime.model.Contributions.of(estimator);  // a race builds it twice, harmlessly
            contributions = c;
        }
        c.compute(features, phi);
        int columns = pipeline.inputColumns().size();
        double[][] byColumn = new double[outputs][columns];
        double[] base = new double[outputs];
        for (int k = 0; k < outputs; k++) {
            for (int f = 0; f < width; f++) {
                byColumn[k][pipeline.featureColumn(f)] += phi[k][f];
            }
            base[k] = phi[k][width];
        }
        return new Explanation(space(), explainedOutputs(), base, pipeline.inputColumns(), byColumn);
    }

    /** Throws {@code explanation_unavailable}, naming the bundle and its format, unless {@link #explainable()}. */
    public void requireExplainable() {
        if (!estimator.explainable()) {
            throw new KilnException(ErrorCode.EXPLANATION_UNAVAILABLE, "bundle " + bundle.directory()
                    + " (format " + manifest().formatVersion() + ") cannot explain its predictions: its "
                    + manifest().algorithm() + " model was written before bundle format 1.2 and lacks what "
                    + "explanations need (tree node covers, training feature means); retrain it to explain",
                    Map.of("formatVersion", String.valueOf(manifest().formatVersion())));
        }
    }

    private String space() {
        return switch (estimator.link()) {
            case LOGISTIC -> "log_odds";
            case SOFTMAX -> "softmax_margin";
            case IDENTITY -> task() == Task.REGRESSION ? "value" : "probability";
        };
    }

    /** What an explanation's rows explain: the positive class (binary), every class (multiclass), the target. */
    public List<String> explainedOutputs() {
        return switch (task()) {
            case BINARY -> List.of(classes.get(1));
            case MULTICLASS -> classes;
            case REGRESSION -> List.of(manifest().target() == null ? "value" : manifest().target());
        };
    }

    /**
     * Whether the probabilities this model returns are calibrated by the bundle's calibration (format 1.4 bundles
     * whose calibration is applied and fitted): then {@link #predict}, {@link #predictBatch} and {@link #decode} return
     * calibrated probabilities, while {@link #score}, {@link #scoreBatch} and explanations stay the estimator's own.
     */
    public boolean calibrated() {
        return appliedCalibration != null;
    }

    /**
     * The probabilities this model returns for estimator outputs {@code scores} (as {@link #score} gives them, same
     * layout: binary {@code [P(positive)]}, multiclass one per class): calibrated when {@link #calibrated()}, else
     * {@code scores} itself. Isotonic and Platt maps are monotone: a binary model's ranking is never reversed (isotonic
     * maps may tie scores).
     */
    public double[] calibrate(double[] scores) {
        if (appliedCalibration == null) {
            return scores;
        }
        if (task() == Task.BINARY) {
            double[] q = appliedCalibration.apply(new double[] {1 - scores[0], scores[0]});
            return new double[] {q[1]};
        }
        return appliedCalibration.apply(scores);
    }

    /**
     * Turns estimator outputs into a prediction: the probabilities {@link #calibrate} gives, then the label by the
     * manifest's decision threshold on P(positive) (binary) or arg-max (multiclass) of those probabilities.
     */
    public Prediction decode(double[] rawScores) {
        Task task = task();
        if (task == Task.REGRESSION) {
            return new Prediction(rawScores[0], Map.of());
        }
        double[] scores = calibrate(rawScores);
        Map<String, Double> probabilities = new LinkedHashMap<>();
        String label;
        if (task == Task.BINARY) {
            double p = scores[0];
            probabilities.put(classes.get(0), 1.0 - p);
            probabilities.put(classes.get(1), p);
            label = p >= threshold ? classes.get(1) : classes.get(0);
        } else {
            int best = 0;
            for (int k = 0; k < scores.length; k++) {
                probabilities.put(classes.get(k), scores[k]);
                if (scores[k] > scores[best]) {
                    best = k;
                }
            }
            label = classes.get(best);
        }
        return new Prediction(label, Collections.unmodifiableMap(probabilities));
    }
}
