package dev.kiln.runtime.model;

/**
 * One binary decision tree in flat arrays, node 0 the root. An internal node sends a row left when
 * {@code (float) x[feature] < threshold} (the comparison XGBoost makes, in single precision), right
 * otherwise, and by {@code defaultLeft} when the value is missing (NaN). A leaf has {@code left == -1}
 * and adds {@code leafValues[node * leafWidth + j]} to output {@code output + j}. Children always have
 * larger indices than their parent, which {@link #validate} checks, so scoring always terminates.
 *
 * <p>A bundle is input Kiln does not trust, so {@link #validate} also bounds what scoring and explaining cost:
 * at most {@link #MAX_NODES} nodes and {@link #MAX_DEPTH} levels (TreeSHAP's recursion and its path arrays grow
 * with depth), every node but the root reached from exactly one parent (a node shared by two parents would make
 * the walk over all paths exponential), and finite split thresholds and leaf values. XGBoost's default depth is
 * 6 and Kiln's trainers stay far below these limits.
 *
 * <p>{@code cover} (bundle format 1.2; null in older bundles) is how much of the training data reached each
 * node: XGBoost's sum of hessians, or a CART node's row count. Scoring never reads it; explanations
 * (TreeSHAP) need it to weigh the branches a row did not take.
 *
 * <p>{@code rightCategories} (bundle format 1.4; null when the tree has no categorical split, and then not written,
 * so such trees serialise exactly as before) makes node i a categorical split when {@code rightCategories[i]} is
 * not null: the feature holds a category code (see {@code FeatureTransform.CategoryCode}) and the row goes right
 * when its code, {@code (int) (float) x}, is one of the sorted codes listed, left otherwise, missing (NaN) by
 * {@code defaultLeft}. As XGBoost's partition-based categorical splits ({@code common::Decision}): a code the
 * split does not list (one unseen in training included) goes left, and so does a negative value or one at or beyond
 * 2^24 (XGBoost's invalid categories). The node's threshold is unused (0).
 */
public record Tree(int output, int leafWidth, int[] feature, float[] threshold, int[] left, int[] right,
                   boolean[] defaultLeft, double[] leafValues, double[] cover, int[][] rightCategories) {
    /** The most levels below the root a tree may have: far above what gradient boosting or CART grow. */
    public static final int MAX_DEPTH = 256;
    /** The most nodes one tree may have (2^20). */
    public static final int MAX_NODES = 1 << 20;
    /** Category codes are below 2^24, as XGBoost's ({@code OutOfRangeCat}): floats hold every such integer exactly. */
    public static final int CATEGORY_LIMIT = 1 << 24;

    /** A tree with numerical splits only (every tree before bundle format 1.4). */
    public Tree(int output, int leafWidth, int[] feature, float[] threshold, int[] left, int[] right,
                boolean[] defaultLeft, double[] leafValues, double[] cover) {
        this(output, leafWidth, feature, threshold, left, right, defaultLeft, leafValues, cover, null);
    }

    /** A tree without covers: it scores, but cannot be explained. */
    public Tree(int output, int leafWidth, int[] feature, float[] threshold, int[] left, int[] right,
                boolean[] defaultLeft, double[] leafValues) {
        this(output, leafWidth, feature, threshold, left, right, defaultLeft, leafValues, null, null);
    }

    public int nodeCount() {
        return left.length;
    }

    /** Whether any node is a categorical split. */
    public boolean hasCategoricalSplits() {
        return rightCategories != null;
    }

    /** Index of the leaf that {@code x} falls into. */
    public int leafIndex(double[] x) {
        if (rightCategories != null) {
            return leafIndexWithCategories(x);
        }
        int node = 0;
        int[] l = left;
        while (l[node] >= 0) {
            double v = x[feature[node]];
            if (v != v) {
                node = defaultLeft[node] ? l[node] : right[node];
            } else {
                node = (float) v < threshold[node] ? l[node] : right[node];
            }
        }
        return node;
    }

    private int leafIndexWithCategories(double[] x) {
        int node = 0;
        while (left[node] >= 0) {
            node = goesLeft(node, x[feature[node]]) ? left[node] : right[node];
        }
        return node;
    }

    /** Whether internal node {@code node} sends the feature value {@code v} to its left child. */
    public boolean goesLeft(int node, double v) {
        if (v != v) {
            return defaultLeft[node];
        }
        int[] categories = rightCategories == null ? null : rightCategories[node];
        if (categories == null) {
            return (float) v < threshold[node];
        }
        return !inCategories(categories, (float) v);
    }

    /** Whether the category code {@code v} (not NaN) is one of {@code sorted}: XGBoost's rule, see the class comment. */
    static boolean inCategories(int[] sorted, float v) {
        if (!(v >= 0) || v >= CATEGORY_LIMIT) {
            return false;
        }
        return java.util.Arrays.binarySearch(sorted, (int) v) >= 0;
    }

    /**
     * Checks the arrays' consistency and the limits above; throws IllegalStateException naming the node and the
     * limit (the bundle reader turns it into {@code bundle_corrupt} naming the file and the tree).
     */
    public void validate(int featureWidth, int outputs) {
        if (feature == null || threshold == null || left == null || right == null || defaultLeft == null || leafValues == null) {
            throw new IllegalStateException("a tree needs feature, threshold, left, right, defaultLeft and leafValues");
        }
        int n = left.length;
        if (n > MAX_NODES) {
            throw new IllegalStateException("it has " + n + " nodes; the limit is " + MAX_NODES + " nodes per tree");
        }
        if (n == 0 || feature.length != n || threshold.length != n || right.length != n || defaultLeft.length != n
                || leafValues.length != (long) n * leafWidth) {
            throw new IllegalStateException("tree arrays have inconsistent lengths");
        }
        if (cover != null) {
            if (cover.length != n) {
                throw new IllegalStateException("tree has " + n + " nodes but " + cover.length + " covers");
            }
            for (int i = 0; i < n; i++) {
                if (!(cover[i] >= 0) || Double.isInfinite(cover[i])) {
                    throw new IllegalStateException("tree node " + i + " has cover " + cover[i]
                            + "; covers are finite and not negative");
                }
            }
        }
        if (rightCategories != null) {
            validateCategories(n);
        }
        if (leafWidth < 1 || output < 0 || output + leafWidth > outputs) {
            throw new IllegalStateException("tree writes outputs " + output + ".." + (output + leafWidth - 1)
                    + " of " + outputs);
        }
        // Parents come before their children, so one pass in index order knows each node's depth when it
        // reaches the node. Nodes no parent reaches (XGBoost may keep pruned ones) stay at -1 and are never scored.
        int[] depth = new int[n];
        java.util.Arrays.fill(depth, -1);
        depth[0] = 0;
        boolean[] hasParent = new boolean[n];
        for (int i = 0; i < n; i++) {
            if (left[i] < 0) {
                if (depth[i] >= 0) {
                    for (int j = 0; j < leafWidth; j++) {
                        double v = leafValues[i * leafWidth + j];
                        if (!Double.isFinite(v)) {
                            throw new IllegalStateException("leaf " + i + " has the value " + v + "; leaf values must be finite");
                        }
                    }
                }
                continue;
            }
            if (left[i] <= i || right[i] <= i || left[i] >= n || right[i] >= n) {
                throw new IllegalStateException("tree node " + i + " has invalid children " + left[i] + ", " + right[i]);
            }
            if (feature[i] < 0 || feature[i] >= featureWidth) {
                throw new IllegalStateException("tree node " + i + " splits on feature " + feature[i]
                        + " but the pipeline makes " + featureWidth + " features");
            }
            if (!Float.isFinite(threshold[i])) {
                throw new IllegalStateException("tree node " + i + " splits at " + threshold[i] + "; thresholds must be finite");
            }
            for (int child : new int[] {left[i], right[i]}) {
                if (hasParent[child]) {
                    throw new IllegalStateException("tree node " + child + " has more than one parent: not a tree");
                }
                hasParent[child] = true;
                if (depth[i] >= 0) {
                    depth[child] = depth[i] + 1;
                    if (depth[child] > MAX_DEPTH) {
                        throw new IllegalStateException("it is deeper than " + MAX_DEPTH + " levels (node " + child
                                + "); the limit is " + MAX_DEPTH + " levels");
                    }
                }
            }
        }
    }

    /** Categorical splits: one entry per node, only on splits, codes strictly ascending within [0, 2^24). */
    private void validateCategories(int n) {
        if (rightCategories.length != n) {
            throw new IllegalStateException("tree has " + n + " nodes but " + rightCategories.length + " category entries");
        }
        for (int i = 0; i < n; i++) {
            int[] codes = rightCategories[i];
            if (codes == null) {
                continue;
            }
            if (left[i] < 0) {
                throw new IllegalStateException("tree node " + i + " is a leaf but lists split categories");
            }
            for (int j = 0; j < codes.length; j++) {
                if (codes[j] < 0 || codes[j] >= CATEGORY_LIMIT || (j > 0 && codes[j] <= codes[j - 1])) {
                    throw new IllegalStateException("tree node " + i + " lists the categories " + java.util.Arrays.toString(codes)
                            + "; they must be strictly ascending codes in [0, " + CATEGORY_LIMIT + ")");
                }
            }
        }
    }
}
