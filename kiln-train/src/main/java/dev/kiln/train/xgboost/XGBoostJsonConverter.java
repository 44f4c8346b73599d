package dev.kiln.train.xgboost;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kiln.runtime.model.Link;
import dev.kiln.runtime.model.Tree;
import dev.kiln.runtime.model.TreeEnsembleEstimator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Converts an XGBoost booster saved in XGBoost's JSON model format ({@code Booster.toByteArray("json")},
 * schema {@code doc/model.schema} in dmlc/xgboost) into Kiln's {@link TreeEnsembleEstimator}, which Kiln
 * scores with its own code.
 *
 * <p>Supported: the {@code gbtree} booster with numerical and categorical splits and scalar leaves, objectives
 * {@code binary:logistic} (link LOGISTIC, one output), {@code multi:softprob} / {@code multi:softmax}
 * (link SOFTMAX, {@code num_class} outputs, each tree feeding the class given by {@code tree_info}) and
 * {@code reg:squarederror} (link IDENTITY). The base is XGBoost's intercept in margin space: the JSON
 * stores {@code base_score} after the inverse link, so for {@code binary:logistic} the base is
 * {@code logit(base_score)} (rounded to float as XGBoost does; XGBoost uses the C library's {@code logf},
 * which may land one float ulp away, so the trainers replace the base with the exact margin the
 * booster reports), for the other objectives
 * {@code base_score} itself (XGBoost's {@code ProbToMargin} is the identity there, multiclass included:
 * the same value is added to every class margin). Leaf values are the {@code split_conditions} of leaf
 * nodes (they already include the learning rate, unlike {@code base_weights}).
 *
 * <p>Every floating-point number is read from its decimal text straight into a {@code float}, so
 * thresholds and leaf values are bit-identical to XGBoost's. Nodes are renumbered in pre-order from the
 * root, which drops nodes XGBoost deleted while pruning and guarantees that children follow parents.
 *
 * <p>A categorical split ({@code split_type} 1, trained with feature type {@code "c"}) lists its categories in
 * {@code categories}, from {@code categories_segments[k]} for {@code categories_sizes[k]} entries, where
 * {@code categories_nodes[k]} is the node: the categories XGBoost sends right (its {@code common::Decision}); they
 * become the node's {@link Tree#rightCategories}.
 */
public final class XGBoostJsonConverter {
    /** Exact decimals, so that {@link #f32} rounds the original text once, straight to float. */
    static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private XGBoostJsonConverter() {
    }

    /**
     * Converts XGBoost's JSON model.
     *
     * @param json         the model as written by {@code Booster.toByteArray("json")}
     * @param featureWidth the number of features Kiln's pipeline produces (the DMatrix width at training)
     * @throws IllegalArgumentException if the bytes are not an XGBoost JSON model, or the model uses a
     *                                  feature Kiln cannot score (objective, booster, one-hot categorical
     *                                  splits, vector leaves, multi-target), naming the problem
     */
    public static TreeEnsembleEstimator convert(byte[] json, int featureWidth) {
        return convert(parse(json), featureWidth);
    }

    static JsonNode parse(byte[] json) {
        if (json == null || json.length == 0) {
            throw new IllegalArgumentException("XGBoost model JSON is empty");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not an XGBoost JSON model: invalid JSON (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("not an XGBoost JSON model: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not an XGBoost JSON model: expected a JSON object at the top level");
        }
        return root;
    }

    static TreeEnsembleEstimator convert(JsonNode root, int featureWidth) {
        if (featureWidth < 1) {
            throw new IllegalArgumentException("feature width must be positive, got " + featureWidth);
        }
        JsonNode learner = object(root, "learner", "model");
        JsonNode objective = object(learner, "objective", "learner");
        String objectiveName = text(objective, "name", "learner.objective");
        JsonNode booster = object(learner, "gradient_booster", "learner");
        String boosterName = text(booster, "name", "learner.gradient_booster");
        if (!boosterName.equals("gbtree")) {
            throw new IllegalArgumentException("unsupported XGBoost booster '" + boosterName
                    + "': only gbtree can be converted (dart and gblinear are not supported)");
        }
        JsonNode modelParam = object(learner, "learner_model_param", "learner");
        int numTarget = modelParam.has("num_target") ? intText(modelParam, "num_target", "learner_model_param") : 1;
        if (numTarget > 1) {
            throw new IllegalArgumentException("unsupported XGBoost model: " + numTarget + " targets (multi-target models are not supported)");
        }
        int numFeature = intText(modelParam, "num_feature", "learner_model_param");
        if (numFeature > featureWidth) {
            throw new IllegalArgumentException("XGBoost model was trained on " + numFeature
                    + " features but the pipeline makes " + featureWidth);
        }

        Link link;
        int outputs;
        switch (objectiveName) {
            case "binary:logistic" -> {
                link = Link.LOGISTIC;
                outputs = 1;
            }
            case "reg:squarederror" -> {
                link = Link.IDENTITY;
                outputs = 1;
            }
            case "multi:softprob", "multi:softmax" -> {
                link = Link.SOFTMAX;
                outputs = intText(modelParam, "num_class", "learner_model_param");
                if (outputs < 2) {
                    throw new IllegalArgumentException("multiclass XGBoost model has num_class " + outputs);
                }
            }
            default -> throw new IllegalArgumentException("unsupported XGBoost objective '" + objectiveName
                    + "': supported are binary:logistic, multi:softprob, multi:softmax and reg:squarederror");
        }
        double[] base = baseMargin(text(modelParam, "base_score", "learner_model_param"), objectiveName, outputs);

        JsonNode model = object(booster, "model", "learner.gradient_booster");
        JsonNode gbParam = object(model, "gbtree_model_param", "gradient_booster.model");
        int numTrees = intText(gbParam, "num_trees", "gbtree_model_param");
        JsonNode trees = array(model, "trees", "gradient_booster.model");
        JsonNode treeInfo = array(model, "tree_info", "gradient_booster.model");
        if (trees.size() != numTrees || treeInfo.size() != numTrees) {
            throw new IllegalArgumentException("XGBoost model is inconsistent: num_trees " + numTrees + ", "
                    + trees.size() + " trees, " + treeInfo.size() + " tree_info entries");
        }
        List<Tree> converted = new ArrayList<>(numTrees);
        for (int t = 0; t < numTrees; t++) {
            JsonNode info = treeInfo.get(t);
            if (!info.isIntegralNumber() || info.intValue() < 0 || info.intValue() >= outputs) {
                throw new IllegalArgumentException("tree " + t + " has tree_info " + info + " but the model has "
                        + outputs + " output(s)");
            }
            converted.add(convertTree(trees.get(t), t, info.intValue(), featureWidth));
        }
        TreeEnsembleEstimator estimator = new TreeEnsembleEstimator(featureWidth, base, 1.0, link, converted, true);
        try {
            estimator.validate(featureWidth);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("converted XGBoost model is invalid: " + e.getMessage(), e);
        }
        return estimator;
    }

    /**
     * The intercept in margin space. {@code base_score} is a float written as text, e.g. {@code "5E-1"}, or
     * in newer versions a bracketed list, e.g. {@code "[5E-1]"} or one value per class.
     */
    static double[] baseMargin(String baseScore, String objective, int outputs) {
        String s = baseScore.trim();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        String[] parts = s.split(",");
        float[] values = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                values[i] = Float.parseFloat(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("XGBoost base_score '" + baseScore + "' is not a number", e);
            }
        }
        if (values.length != 1 && values.length != outputs) {
            throw new IllegalArgumentException("XGBoost base_score '" + baseScore + "' has " + values.length
                    + " values but the model has " + outputs + " output(s)");
        }
        double[] base = new double[outputs];
        for (int j = 0; j < outputs; j++) {
            float b = values.length == 1 ? values[0] : values[j];
            if (!Float.isFinite(b)) {
                throw new IllegalArgumentException("XGBoost base_score '" + baseScore + "' is not finite");
            }
            if (objective.equals("binary:logistic")) {
                if (!(b > 0.0f && b < 1.0f)) {
                    throw new IllegalArgumentException("XGBoost base_score " + b + " must be in (0, 1) for binary:logistic");
                }
                // XGBoost: -logf(1.0f / base_score - 1.0f), all in single precision.
                float odds = 1.0f / b - 1.0f;
                base[j] = -(float) Math.log(odds) + 0.0; // + 0.0: logit(0.5) is 0, not -0
            } else {
                base[j] = b;
            }
        }
        return base;
    }

    private static Tree convertTree(JsonNode tree, int t, int output, int featureWidth) {
        String where = "tree " + t;
        if (tree == null || !tree.isObject()) {
            throw new IllegalArgumentException(where + " is not a JSON object");
        }
        JsonNode treeParam = tree.get("tree_param");
        if (treeParam != null && treeParam.has("size_leaf_vector")) {
            int leafVector = intText(treeParam, "size_leaf_vector", where + ".tree_param");
            if (leafVector > 1) {
                throw new IllegalArgumentException(where + " has vector leaves (multi_strategy=multi_output_tree), which are not supported");
            }
        }
        int[] left = ints(tree, "left_children", where);
        int n = left.length;
        if (n == 0) {
            throw new IllegalArgumentException(where + " has no nodes");
        }
        int[] right = ints(tree, "right_children", where);
        int[] splitIndex = ints(tree, "split_indices", where);
        float[] condition = floats(tree, "split_conditions", where);
        boolean[] defaultLeft = booleans(tree, "default_left", where);
        // Each node's sum of hessians: the training data's weight at the node, which TreeSHAP needs. XGBoost
        // always writes it; a model without it still converts, but cannot be explained.
        float[] sumHessian = tree.has("sum_hessian") ? floats(tree, "sum_hessian", where) : null;
        int[] splitType = tree.has("split_type") ? ints(tree, "split_type", where) : new int[n];
        if (right.length != n || splitIndex.length != n || condition.length != n || defaultLeft.length != n
                || splitType.length != n || (sumHessian != null && sumHessian.length != n)) {
            throw new IllegalArgumentException(where + " has node arrays of different lengths");
        }
        int[][] categories = categories(tree, n, splitType, where);

        // Pre-order renumbering from the root: children always get larger indices than their parent, and
        // nodes not reachable from the root (deleted by pruning) are dropped.
        int[] newIndex = new int[n];
        Arrays.fill(newIndex, -1);
        int[] order = new int[n];
        int count = 0;
        int[] stack = new int[n + 1];
        int top = 0;
        stack[top++] = 0;
        while (top > 0) {
            int node = stack[--top];
            if (newIndex[node] != -1) {
                throw new IllegalArgumentException(where + " is not a tree: node " + node + " is reached twice");
            }
            newIndex[node] = count;
            order[count++] = node;
            if (left[node] == -1) {
                continue;
            }
            int l = left[node];
            int r = right[node];
            if (l < 0 || l >= n || r < 0 || r >= n) {
                throw new IllegalArgumentException(where + " node " + node + " has invalid children " + l + ", " + r);
            }
            if (splitType[node] != 0 && (splitType[node] != 1 || categories == null || categories[node] == null)) {
                throw new IllegalArgumentException(where + " node " + node + " has split_type " + splitType[node]
                        + " without a category list: Kiln converts numerical (0) and partition-based categorical (1) splits");
            }
            if (splitIndex[node] < 0 || splitIndex[node] >= featureWidth) {
                throw new IllegalArgumentException(where + " node " + node + " splits on feature " + splitIndex[node]
                        + " but the pipeline makes " + featureWidth + " features");
            }
            if (top + 2 > stack.length) {
                throw new IllegalArgumentException(where + " is not a tree: it has a cycle");
            }
            stack[top++] = r;
            stack[top++] = l;
        }

        int[] feature = new int[count];
        float[] threshold = new float[count];
        int[] newLeft = new int[count];
        int[] newRight = new int[count];
        boolean[] newDefaultLeft = new boolean[count];
        double[] leafValues = new double[count];
        double[] cover = sumHessian == null ? null : new double[count];
        int[][] newCategories = categories == null ? null : new int[count][];
        for (int i = 0; i < count; i++) {
            int old = order[i];
            if (cover != null) {
                cover[i] = sumHessian[old];
                if (!(cover[i] >= 0) || Double.isInfinite(cover[i])) {
                    throw new IllegalArgumentException(where + " node " + old + " has sum_hessian " + sumHessian[old]);
                }
            }
            if (left[old] == -1) {
                newLeft[i] = -1;
                newRight[i] = -1;
                leafValues[i] = condition[old];
            } else {
                feature[i] = splitIndex[old];
                if (splitType[old] == 1) {
                    newCategories[i] = categories[old];
                    threshold[i] = 0f; // XGBoost writes NaN; a categorical split has no threshold
                } else {
                    threshold[i] = condition[old];
                }
                newLeft[i] = newIndex[left[old]];
                newRight[i] = newIndex[right[old]];
                newDefaultLeft[i] = defaultLeft[old];
            }
        }
        return new Tree(output, 1, feature, threshold, newLeft, newRight, newDefaultLeft, leafValues, cover,
                newCategories);
    }

    /**
     * Each node's sorted categories that go right (null for a numerical split), or null when the tree has no
     * categorical split.
     */
    private static int[][] categories(JsonNode tree, int n, int[] splitType, String where) {
        JsonNode nodesField = tree.get("categories_nodes");
        if (nodesField == null || !nodesField.isArray() || nodesField.size() == 0) {
            return null;
        }
        int[] nodes = ints(tree, "categories_nodes", where);
        int[] segments = ints(tree, "categories_segments", where);
        int[] sizes = ints(tree, "categories_sizes", where);
        int[] all = ints(tree, "categories", where);
        if (segments.length != nodes.length || sizes.length != nodes.length) {
            throw new IllegalArgumentException(where + " has inconsistent categorical splits: " + nodes.length
                    + " categories_nodes but " + segments.length + " categories_segments and " + sizes.length
                    + " categories_sizes");
        }
        int[][] out = new int[n][];
        for (int k = 0; k < nodes.length; k++) {
            int node = nodes[k];
            if (node < 0 || node >= n || splitType[node] != 1) {
                throw new IllegalArgumentException(where + " lists categories for node " + node
                        + ", which is not a categorical split");
            }
            if (segments[k] < 0 || sizes[k] < 0 || (long) segments[k] + sizes[k] > all.length) {
                throw new IllegalArgumentException(where + " categorical split " + node + " has categories "
                        + segments[k] + ".." + ((long) segments[k] + sizes[k]) + " of " + all.length);
            }
            int[] codes = Arrays.copyOfRange(all, segments[k], segments[k] + sizes[k]);
            Arrays.sort(codes);
            for (int j = 0; j < codes.length; j++) {
                if (codes[j] < 0 || codes[j] >= Tree.CATEGORY_LIMIT || (j > 0 && codes[j] == codes[j - 1])) {
                    throw new IllegalArgumentException(where + " categorical split " + node + " lists the category "
                            + codes[j] + " twice or out of range");
                }
            }
            out[node] = codes;
        }
        return out;
    }

    // ---- JSON helpers: every failure is an IllegalArgumentException naming the field ----

    private static JsonNode field(JsonNode parent, String name, String where) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            throw new IllegalArgumentException("not an XGBoost JSON model: missing '" + name + "' in " + where);
        }
        return node;
    }

    private static JsonNode object(JsonNode parent, String name, String where) {
        JsonNode node = field(parent, name, where);
        if (!node.isObject()) {
            throw new IllegalArgumentException("not an XGBoost JSON model: '" + name + "' in " + where + " is not an object");
        }
        return node;
    }

    private static JsonNode array(JsonNode parent, String name, String where) {
        JsonNode node = field(parent, name, where);
        if (!node.isArray()) {
            throw new IllegalArgumentException("not an XGBoost JSON model: '" + name + "' in " + where + " is not an array");
        }
        return node;
    }

    private static String text(JsonNode parent, String name, String where) {
        JsonNode node = field(parent, name, where);
        if (!node.isValueNode()) {
            throw new IllegalArgumentException("not an XGBoost JSON model: '" + name + "' in " + where + " is not a value");
        }
        return node.asText();
    }

    /** XGBoost writes parameters as strings ("num_trees": "300"); plain numbers are accepted too. */
    private static int intText(JsonNode parent, String name, String where) {
        String s = text(parent, name, where).trim();
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("XGBoost parameter " + where + "." + name + " = '" + s + "' is not an integer", e);
        }
    }

    private static int[] ints(JsonNode tree, String name, String where) {
        JsonNode a = array(tree, name, where);
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = a.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw new IllegalArgumentException(where + "." + name + "[" + i + "] is not an integer: " + v);
            }
            out[i] = v.intValue();
        }
        return out;
    }

    private static float[] floats(JsonNode tree, String name, String where) {
        JsonNode a = array(tree, name, where);
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = f32(a.get(i), where + "." + name + "[" + i + "]");
        }
        return out;
    }

    private static boolean[] booleans(JsonNode tree, String name, String where) {
        JsonNode a = array(tree, name, where);
        boolean[] out = new boolean[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = a.get(i);
            if (v.isBoolean()) {
                out[i] = v.booleanValue();
            } else if (v.isIntegralNumber()) {
                out[i] = v.intValue() == 1;
            } else {
                throw new IllegalArgumentException(where + "." + name + "[" + i + "] is not a boolean: " + v);
            }
        }
        return out;
    }

    /** The float XGBoost wrote: the decimal text rounded once to single precision. */
    static float f32(JsonNode v, String where) {
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException(where + " is not a number: " + v);
        }
        if (v.isBigDecimal()) {
            return Float.parseFloat(v.decimalValue().toString());
        }
        if (v.isIntegralNumber()) {
            return Float.parseFloat(v.asText());
        }
        return (float) v.doubleValue(); // NaN / Infinity tokens
    }
}
