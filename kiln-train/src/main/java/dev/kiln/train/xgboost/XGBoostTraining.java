package dev.kiln.train.xgboost;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import dev.kiln.train.Hyperparameters;
import dev.kiln.train.TrainedModel;
import dev.kiln.train.TrainingData;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * The training loop shared by {@link GbdtTrainer} and {@link ForestTrainer}: XGBoost fits, Kiln's own
 * loop evaluates the validation rows after every round and stops early, the booster is cut back to the
 * best iteration, and the result is exported as JSON and converted into Kiln's estimator.
 */
final class XGBoostTraining {
    /** Writes bare NaN / Infinity tokens (XGBoost's JSON reader accepts those, not quoted strings). */
    private static final JsonMapper WRITER = JsonMapper.builder()
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .build();

    static final String XGBOOST_VERSION = readVersion();

    private XGBoostTraining() {
    }

    /**
     * What {@link #train} learnt, and the rows {@link #check} scores with both models (taken before the training rows
     * may be released: {@link TrainingData#rowsReleasable}).
     */
    record Outcome(Booster booster, byte[] json, int roundsTrained, int roundsKept, int bestIteration,
                   double bestScore, List<Double> validationCurve, double[][] checkRows) {
    }

    static int threads(int requested) {
        return requested > 0 ? requested : Runtime.getRuntime().availableProcessors();
    }

    static String objective(Task task) {
        return switch (task) {
            case BINARY -> "binary:logistic";
            case MULTICLASS -> "multi:softprob";
            case REGRESSION -> "reg:squarederror";
        };
    }

    static String metric(Task task) {
        return switch (task) {
            case BINARY -> "logloss";
            case MULTICLASS -> "mlogloss";
            case REGRESSION -> "rmse";
        };
    }

    /** Objective, metric, class count, seed and threads: the parameters every Kiln XGBoost model shares. */
    static Map<String, Object> baseParams(TrainingData data, long seed, int threads) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("booster", "gbtree");
        params.put("tree_method", "hist");
        params.put("objective", objective(data.task()));
        if (data.task() == Task.MULTICLASS) {
            params.put("num_class", data.numClasses());
        }
        params.put("eval_metric", metric(data.task()));
        params.put("seed", seed);
        params.put("nthread", threads(threads));
        params.put("verbosity", 0);
        return params;
    }

    static Map<String, Object> sortedCopy(String algorithm, Map<String, Object> extra) {
        if (extra == null) {
            return Map.of();
        }
        extra.forEach((k, v) -> {
            if (k == null || k.isBlank()) {
                throw Hyperparameters.invalid(algorithm, "extra XGBoost parameter names", "non-empty", k);
            }
            if (v == null) {
                throw Hyperparameters.invalid(algorithm, "XGBoost parameter " + k, "set to a value", null);
            }
        });
        return Collections.unmodifiableMap(new TreeMap<>(extra));
    }

    static boolean hasValidation(TrainingData data) {
        return data.validX() != null && data.validX().length > 0 && data.validY() != null;
    }

    /**
     * Trains up to {@code maxRounds} rounds. With validation rows and {@code earlyStoppingRounds > 0},
     * stops once the validation metric (always minimised here: logloss, mlogloss, rmse) has not strictly
     * improved for that many rounds, as XGBoost's own loop does, and keeps only the rounds up to and
     * including the best one: the returned booster and JSON hold exactly those trees.
     */
    static Outcome train(TrainingData data, Map<String, Object> params, int maxRounds, int earlyStoppingRounds) {
        return train(data, params, maxRounds, earlyStoppingRounds, null);
    }

    /**
     * As above; with {@code parent} (an XGBoost JSON model) training continues that model instead of starting
     * over: its trees stay as they are, the gradients on the new rows start from its margin, and up to
     * {@code maxRounds} rounds are added (XGBoost's training continuation, the same as
     * {@code xgb.train(..., xgb_model=parent)}). The parent alone is the starting point of early stopping, so
     * rounds are kept only while they improve on it; the outcome's rounds count the added rounds only.
     */
    static Outcome train(TrainingData data, Map<String, Object> params, int maxRounds, int earlyStoppingRounds,
                         byte[] parent) {
        checkData(data);
        boolean validate = hasValidation(data);
        double[][] checkRows = checkRows(data);
        DMatrix train = XGBoostData.matrix(data.x(), data.y(), data.categorical(), data.weights(), data.rowsReleasable());
        DMatrix valid = null;
        Booster booster = null;
        try {
            Map<String, DMatrix> watches = new LinkedHashMap<>();
            if (validate) {
                // Unweighted: validation scores (early stopping, model choice) measure every row alike.
                valid = XGBoostData.matrix(data.validX(), data.validY(), data.categorical(), null);
                watches.put("valid", valid);
            }
            DMatrix[] evalMats = validate ? new DMatrix[] {valid} : new DMatrix[0];
            String[] evalNames = validate ? new String[] {"valid"} : new String[0];
            int first = 0;
            if (parent == null) {
                // Zero rounds: only creates the booster (with the validation matrix in its prediction cache);
                // the loop below is Kiln's, so that nothing is printed and the stopping rule is ours.
                booster = XGBoost.train(train, params, 0, watches, null, null, null, 0);
            } else {
                // The JSON model holds the trees, objective and base score, not the training parameters: set again.
                booster = XGBoost.loadModel(parent);
                booster.setParams(params);
                first = booster.getNumBoostedRound();
            }
            List<Double> curve = new ArrayList<>();
            double bestScore = Double.NaN;
            int bestIteration = -1;
            if (parent != null && validate) {
                bestScore = parseMetric(booster.evalSet(evalMats, evalNames, first));
            }
            int rounds = 0;
            for (int iter = 0; iter < maxRounds; iter++) {
                // XGBoost seeds each round's sampling from its iteration number: continue the parent's count.
                booster.update(train, first + iter);
                rounds = iter + 1;
                if (validate) {
                    double score = parseMetric(booster.evalSet(evalMats, evalNames, first + iter));
                    curve.add(score);
                    boolean firstScore = bestIteration < 0 && parent == null;
                    if (firstScore || score < bestScore || (Double.isNaN(bestScore) && !Double.isNaN(score))) {
                        bestScore = score;
                        bestIteration = iter;
                    }
                    if (earlyStoppingRounds > 0 && iter - bestIteration >= earlyStoppingRounds) {
                        break;
                    }
                }
            }
            int keep = validate ? bestIteration + 1 : rounds;
            byte[] json = booster.toByteArray("json");
            if (keep < rounds) {
                json = slice(json, first + keep);
                Booster sliced = XGBoost.loadModel(json);
                booster.dispose();
                booster = sliced;
            }
            Outcome outcome = new Outcome(booster, json, rounds, keep, bestIteration, bestScore, List.copyOf(curve),
                    checkRows);
            booster = null;
            return outcome;
        } catch (XGBoostError e) {
            throw XGBoostData.failed("XGBoost training failed", e);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.TRAINING_FAILED, "XGBoost training failed: " + e.getMessage(), Map.of(), e);
        } finally {
            if (booster != null) {
                booster.dispose();
            }
            train.dispose();
            if (valid != null) {
                valid.dispose();
            }
        }
    }

    private static void checkData(TrainingData data) {
        if (data.x() == null || data.x().length == 0) {
            throw new KilnException(ErrorCode.DATA_EMPTY, "no training rows");
        }
        if (data.task() == Task.MULTICLASS && data.numClasses() < 2) {
            throw new KilnException(ErrorCode.TARGET_INVALID, "multiclass training needs at least 2 classes, got "
                    + data.numClasses());
        }
        checkSinglePrecision(data, data.x(), data.y());
        if (hasValidation(data)) {
            checkSinglePrecision(data, data.validX(), data.validY());
        }
    }

    /**
     * XGBoost holds features and labels as floats and refuses one that becomes infinite (past about 3.4e38), with a
     * native stack trace for a message; a data file can hold such values, so they are named here instead.
     */
    private static void checkSinglePrecision(TrainingData data, double[][] x, double[] y) {
        for (double[] row : x) {
            for (int j = 0; j < row.length; j++) {
                if (Double.isFinite(row[j]) && Float.isInfinite((float) row[j])) {
                    String feature = j < data.featureNames().size() ? data.featureNames().get(j) : "#" + j;
                    throw new KilnException(ErrorCode.VALUE_INVALID, "feature '" + feature + "' holds " + row[j]
                            + ", beyond the single precision (±" + Float.MAX_VALUE + ") that XGBoost trains in (forest, "
                            + "gbdt): rescale the column, or train without forest and gbdt",
                            Map.of("feature", feature, "value", String.valueOf(row[j])));
                }
            }
        }
        for (double label : y) {
            if (data.task() == Task.REGRESSION && Double.isFinite(label) && Float.isInfinite((float) label)) {
                throw new KilnException(ErrorCode.TARGET_INVALID, "the target holds " + label + ", beyond the single "
                        + "precision (±" + Float.MAX_VALUE + ") that XGBoost trains in (forest, gbdt): rescale the "
                        + "target, or train without forest and gbdt", Map.of("value", String.valueOf(label)));
            }
        }
    }

    /** The last metric value in XGBoost's evaluation line, e.g. {@code [3]\tvalid-logloss:0.4123...}. */
    static double parseMetric(String evalLine) {
        String[] parts = evalLine.trim().split("\t");
        String last = parts[parts.length - 1];
        int colon = last.lastIndexOf(':');
        if (colon < 0) {
            throw new KilnException(ErrorCode.TRAINING_FAILED, "unexpected XGBoost evaluation output: " + evalLine);
        }
        String value = last.substring(colon + 1).trim();
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return Double.NaN; // "nan", "-nan", "inf": never an improvement
        }
    }

    /**
     * XGBoost's JSON model cut back to its first {@code iterations} boosting rounds: the trees of those
     * rounds (per {@code iteration_indptr}), their {@code tree_info}, {@code num_trees} and the indptr
     * itself. XGBoost4J 3.0 has no {@code Booster.slice}, so the trimmed JSON is what gets loaded back.
     * All decimals are written back as Java float literals (which always contain '.' or 'E'), because
     * XGBoost's reader types a number by its spelling and rejects an integer where it wants a float.
     */
    static byte[] slice(byte[] json, int iterations) {
        JsonNode root = XGBoostJsonConverter.parse(json);
        JsonNode gb = root.path("learner").path("gradient_booster");
        if (!"gbtree".equals(gb.path("name").asText())) {
            throw new IllegalArgumentException("can only slice gbtree models, got '" + gb.path("name").asText() + "'");
        }
        ObjectNode model = (ObjectNode) gb.get("model");
        ArrayNode indptr = (ArrayNode) model.get("iteration_indptr");
        if (indptr == null || iterations < 1 || iterations >= indptr.size()) {
            throw new IllegalArgumentException("cannot keep " + iterations + " iterations of a model with "
                    + (indptr == null ? "no iteration_indptr" : (indptr.size() - 1) + " iterations"));
        }
        int keep = indptr.get(iterations).intValue();
        ArrayNode trees = (ArrayNode) model.get("trees");
        ArrayNode info = (ArrayNode) model.get("tree_info");
        ArrayNode keptTrees = model.arrayNode();
        ArrayNode keptInfo = model.arrayNode();
        for (int t = 0; t < keep; t++) {
            if (trees.get(t).path("id").asInt(-1) != t) {
                throw new IllegalArgumentException("XGBoost model tree " + t + " has id " + trees.get(t).path("id"));
            }
            keptTrees.add(trees.get(t));
            keptInfo.add(info.get(t));
        }
        ArrayNode keptIndptr = model.arrayNode();
        for (int i = 0; i <= iterations; i++) {
            keptIndptr.add(indptr.get(i));
        }
        model.set("trees", keptTrees);
        model.set("tree_info", keptInfo);
        model.set("iteration_indptr", keptIndptr);
        ((ObjectNode) model.get("gbtree_model_param")).put("num_trees", Integer.toString(keep));
        decimalsToFloats(root);
        try {
            return WRITER.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write the sliced XGBoost model", e);
        }
    }

    private static void decimalsToFloats(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode v = object.get(name);
                if (v.isFloatingPointNumber()) {
                    object.set(name, FloatNode.valueOf(XGBoostJsonConverter.f32(v, name)));
                } else {
                    decimalsToFloats(v);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode v = array.get(i);
                if (v.isFloatingPointNumber()) {
                    array.set(i, FloatNode.valueOf(XGBoostJsonConverter.f32(v, "array element")));
                } else {
                    decimalsToFloats(v);
                }
            }
        }
    }

    /** Rows compared between Kiln's scoring and XGBoost's after every fit. */
    static final int CHECK_ROWS = 256;

    /**
     * Converts the kept trees into Kiln's estimator, with XGBoost's own base margin: for
     * {@code binary:logistic} XGBoost computes {@code -logf(1/p - 1)} with the C library's {@code logf},
     * which can be one float ulp away from the correctly rounded logit the converter computes. The two
     * must agree to a few ulps, or the conversion is wrong and training fails.
     */
    static TreeEnsembleEstimator estimator(Outcome outcome, TrainingData data) {
        return estimator(outcome.json(), outcome.booster(), data.width());
    }

    /** As above, for {@code booster} and its JSON model {@code json} on {@code width} features. */
    static TreeEnsembleEstimator estimator(byte[] json, Booster booster, int width) {
        TreeEnsembleEstimator converted;
        try {
            converted = XGBoostJsonConverter.convert(json, width);
        } catch (IllegalArgumentException e) {
            throw new KilnException(ErrorCode.TRAINING_FAILED, "cannot use the XGBoost model: " + e.getMessage(), Map.of(), e);
        }
        double[] exact = baseMargin(booster, width);
        if (exact.length != converted.outputs()) {
            throw new KilnException(ErrorCode.TRAINING_FAILED, "XGBoost has " + exact.length
                    + " outputs but the converted model has " + converted.outputs());
        }
        for (int j = 0; j < exact.length; j++) {
            double tolerance = 4 * Math.ulp((float) converted.base()[j]);
            if (!(Math.abs(exact[j] - converted.base()[j]) <= tolerance)) {
                throw new KilnException(ErrorCode.TRAINING_FAILED, "XGBoost's base margin " + exact[j]
                        + " differs from the converted one " + converted.base()[j]);
            }
        }
        return new TreeEnsembleEstimator(converted.inputWidth(), exact, converted.scale(), converted.link(),
                converted.trees(), true);
    }

    /**
     * XGBoost's intercept in margin space, as its predictor uses it: the margin of an empty range of
     * boosting rounds ({@code [1, 1)}), which is the base margin alone.
     */
    static double[] baseMargin(Booster booster, int width) {
        try {
            float[][] margin = booster.inplace_predict(new float[width], 1, width, Float.NaN, new int[] {1, 1},
                    Booster.PredictionType.kMargin, null);
            double[] out = new double[margin[0].length];
            for (int j = 0; j < out.length; j++) {
                out[j] = margin[0][j];
            }
            return out;
        } catch (XGBoostError e) {
            throw XGBoostData.failed("could not read XGBoost's base margin", e);
        }
    }

    /** The first {@link #CHECK_ROWS} validation rows if any, else training rows: what {@link #check} scores. */
    static double[][] checkRows(TrainingData data) {
        double[][] source = hasValidation(data) ? data.validX() : data.x();
        return Arrays.copyOf(source, Math.min(CHECK_ROWS, source.length));
    }

    /**
     * Scores {@code rows} ({@link #checkRows}) with Kiln and with XGBoost and returns the largest absolute difference;
     * fails training if a difference is larger than float32 rounding of XGBoost's leaf sums can explain (relative to
     * max(1, |value|)).
     */

    static double check(TreeEnsembleEstimator estimator, Booster booster, double[][] rows, TrainingData data) {
        float[][] expected;
        DMatrix matrix = XGBoostData.matrix(rows, null, data.categorical(), null);
        try {
            expected = booster.predict(matrix);
        } catch (XGBoostError e) {
            throw XGBoostData.failed("XGBoost prediction failed", e);
        } finally {
            matrix.dispose();
        }
        double tolerance = 1e-6 + estimator.trees().size() * 0x1p-23;
        double[] out = new double[estimator.outputs()];
        double max = 0.0;
        for (int i = 0; i < rows.length; i++) {
            estimator.predict(rows[i], out);
            for (int j = 0; j < out.length; j++) {
                double diff = Math.abs(out[j] - expected[i][j]);
                if (!(diff <= tolerance * Math.max(1.0, Math.abs(expected[i][j])))) {
                    throw new KilnException(ErrorCode.TRAINING_FAILED, "the converted XGBoost model scores row " + i
                            + " output " + j + " as " + out[j] + " but XGBoost gives " + expected[i][j]);
                }
                max = Math.max(max, diff);
            }
        }
        return max;
    }

    static Map<String, Object> trainingInfo(Outcome outcome, TrainingData data, TreeEnsembleEstimator estimator) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("library", "xgboost4j " + XGBOOST_VERSION);
        info.put("max_abs_diff_vs_xgboost", check(estimator, outcome.booster(), outcome.checkRows(), data));
        info.put("rounds_trained", outcome.roundsTrained());
        info.put("rounds_kept", outcome.roundsKept());
        info.put("trees", estimator.trees().size());
        if (data.hasCategorical()) {
            int coded = 0;
            for (boolean c : data.categorical()) {
                coded += c ? 1 : 0;
            }
            info.put("categorical_features", coded);
        }
        if (data.weights() != null) {
            info.put("row_weights", true);
        }
        if (outcome.bestIteration() >= 0) {
            info.put("validation_metric", metric(data.task()));
            info.put("best_iteration", outcome.bestIteration());
            info.put("best_validation_score", outcome.bestScore());
            info.put("validation_curve", outcome.validationCurve());
        }
        return info;
    }

    static Map<String, Object> frozen(Map<String, Object> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    private static String readVersion() {
        try (InputStream in = XGBoost.class.getClassLoader().getResourceAsStream("xgboost4j-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
