package dev.kiln.runtime.model;

/**
 * Path-dependent TreeSHAP (Lundberg, Erion and Lee, "Consistent individualized feature attribution for tree
 * ensembles", 2018, Algorithm 2): the exact Shapley values of one tree's output for one row, where the value
 * of a set of features is the tree's expected output given those features, the others following the
 * training rows' proportions at each split ({@link Tree#cover}). Polynomial in the tree's depth instead of
 * exponential in its features; the same recursion XGBoost's {@code pred_contribs} runs, with Kiln's routing
 * ({@code (float) x < threshold}, or a categorical split's category set; missing by the default direction) deciding which child a row takes.
 *
 * <p>Not thread-safe: one instance per thread (it owns the path buffers).
 */
final class TreeShap {
    // The paths of all recursion levels, one after the other: level d's path starts where level d-1's ends.
    private int[] feature;
    private double[] zero;
    private double[] one;
    private double[] weight;
    /** {@code reciprocal[n] = 1 / n} for every path length up to the deepest tree's depth plus one. */
    private double[] reciprocal = new double[0];

    TreeShap() {
        ensure(16);
    }

    private void ensure(int depth) {
        int size = (depth + 2) * (depth + 3) / 2;
        if (feature == null || feature.length < size) {
            feature = new int[size];
            zero = new double[size];
            one = new double[size];
            weight = new double[size];
        }
        if (reciprocal.length < depth + 3) {
            reciprocal = new double[depth + 3];
            for (int i = 1; i < reciprocal.length; i++) {
                reciprocal[i] = 1.0 / i;
            }
        }
    }

    /**
     * Adds {@code tree}'s contributions for row {@code x} to {@code phi}: {@code phi[output][f]} for each
     * feature f, {@code phi[output][width]} the tree's expected output over the training rows ({@code expected},
     * from {@link #expectedValues}). Leaf vectors (width k) contribute to outputs {@code tree.output()} ..
     * {@code + k - 1}. {@code scale} multiplies every contribution (an averaging forest's 1/trees). {@code depth}
     * is at least the tree's depth ({@link #depth}).
     */
    void add(Tree tree, double[] expected, int depth, double[] x, double[][] phi, double scale) {
        if (tree.cover() == null) {
            throw new IllegalStateException("the tree has no node covers");
        }
        ensure(depth);
        int k = tree.leafWidth();
        int width = phi[tree.output()].length - 1;
        for (int j = 0; j < k; j++) {
            phi[tree.output() + j][width] += scale * expected[j];
        }
        recurse(tree, x, phi, scale, 0, 0, 0, 1.0, 1.0, -1);
    }

    /** Expected output of every node ({@code nodes x leafWidth}): its leaf value, or its children's cover-weighted mean. */
    static double[] expectedValues(Tree tree) {
        double[] out = new double[tree.nodeCount() * tree.leafWidth()];
        int k = tree.leafWidth();
        int[] left = tree.left();
        int[] right = tree.right();
        double[] cover = tree.cover();
        double[] leaf = tree.leafValues();
        // Children have larger indices than their parents: one backward pass sees children first.
        for (int n = tree.nodeCount() - 1; n >= 0; n--) {
            if (left[n] < 0) {
                System.arraycopy(leaf, n * k, out, n * k, k);
                continue;
            }
            double cl = cover[left[n]];
            double cr = cover[right[n]];
            // Divided by the node's own cover, as XGBoost does (its covers are float sums of the children's).
            double total = cover[n] > 0 ? cover[n] : cl + cr;
            for (int j = 0; j < k; j++) {
                double l = out[left[n] * k + j];
                double r = out[right[n] * k + j];
                out[n * k + j] = total > 0 ? (l * cl + r * cr) / total : 0.5 * (l + r);
            }
        }
        return out;
    }

    /** The number of splits on the tree's longest path from the root. */
    static int depth(Tree tree) {
        int node = 0;
        int max = 0;
        int[] stackNode = new int[tree.nodeCount() + 1];
        int[] stackDepth = new int[tree.nodeCount() + 1];
        int top = 0;
        stackNode[top] = node;
        stackDepth[top++] = 0;
        while (top > 0) {
            int n = stackNode[--top];
            int d = stackDepth[top];
            max = Math.max(max, d);
            if (tree.left()[n] >= 0) {
                stackNode[top] = tree.left()[n];
                stackDepth[top++] = d + 1;
                stackNode[top] = tree.right()[n];
                stackDepth[top++] = d + 1;
            }
        }
        return max;
    }

    /**
     * One node of the recursion. The path of this level starts at {@code start}; the parent's path (of
     * {@code depth} elements plus the root element) at {@code parentStart}, copied before it is extended.
     */
    private void recurse(Tree tree, double[] x, double[][] phi, double scale, int node, int parentStart,
                         int depth, double parentZero, double parentOne, int parentFeature) {
        int start = parentStart + depth;  // level d's path has d + 1 elements
        if (depth > 0) {
            System.arraycopy(feature, parentStart, feature, start, depth);
            System.arraycopy(zero, parentStart, zero, start, depth);
            System.arraycopy(one, parentStart, one, start, depth);
            System.arraycopy(weight, parentStart, weight, start, depth);
        }
        extend(start, depth, parentZero, parentOne, parentFeature);
        int[] left = tree.left();
        if (left[node] < 0) {
            int k = tree.leafWidth();
            double[] leaf = tree.leafValues();
            for (int i = 1; i <= depth; i++) {
                double w = unwoundSum(start, depth, i) * (one[start + i] - zero[start + i]) * scale;
                int f = feature[start + i];
                for (int j = 0; j < k; j++) {
                    phi[tree.output() + j][f] += w * leaf[node * k + j];
                }
            }
            return;
        }
        int split = tree.feature()[node];
        double v = x[split];
        boolean goLeft = tree.goesLeft(node, v);
        int hot = goLeft ? left[node] : tree.right()[node];
        int cold = goLeft ? tree.right()[node] : left[node];
        double[] cover = tree.cover();
        double total = cover[node];
        double hotZero = total > 0 ? cover[hot] / total : 0.5;
        double coldZero = total > 0 ? cover[cold] / total : 0.5;
        double incomingZero = 1.0;
        double incomingOne = 1.0;
        // A feature already on the path: undo its earlier split and redo it here, so each feature appears once.
        int found = -1;
        for (int i = 0; i <= depth; i++) {
            if (feature[start + i] == split) {
                found = i;
                break;
            }
        }
        int d = depth;
        if (found >= 0) {
            incomingZero = zero[start + found];
            incomingOne = one[start + found];
            unwind(start, d, found);
            d--;
        }
        // A branch that neither the row takes nor any training row reached adds nothing to any expectation.
        if (hotZero * incomingZero != 0 || incomingOne != 0) {
            recurse(tree, x, phi, scale, hot, start, d + 1, hotZero * incomingZero, incomingOne, split);
        }
        if (coldZero * incomingZero != 0) {
            recurse(tree, x, phi, scale, cold, start, d + 1, coldZero * incomingZero, 0.0, split);
        }
    }

    private void extend(int start, int depth, double zeroFraction, double oneFraction, int featureIndex) {
        feature[start + depth] = featureIndex;
        zero[start + depth] = zeroFraction;
        one[start + depth] = oneFraction;
        weight[start + depth] = depth == 0 ? 1.0 : 0.0;
        double invD1 = reciprocal[depth + 1];
        for (int i = depth - 1; i >= 0; i--) {
            weight[start + i + 1] += oneFraction * weight[start + i] * (i + 1) * invD1;
            weight[start + i] = zeroFraction * weight[start + i] * (depth - i) * invD1;
        }
    }

    private void unwind(int start, int depth, int index) {
        double oneFraction = one[start + index];
        double zeroFraction = zero[start + index];
        double next = weight[start + depth];
        double invD1 = reciprocal[depth + 1];
        if (oneFraction != 0) {
            double up = (depth + 1) / oneFraction;
            for (int i = depth - 1; i >= 0; i--) {
                double tmp = weight[start + i];
                weight[start + i] = next * up * reciprocal[i + 1];
                next = tmp - weight[start + i] * zeroFraction * (depth - i) * invD1;
            }
        } else {
            double up = (depth + 1) / zeroFraction;
            for (int i = depth - 1; i >= 0; i--) {
                weight[start + i] = weight[start + i] * up * reciprocal[depth - i];
            }
        }
        for (int i = index; i < depth; i++) {
            feature[start + i] = feature[start + i + 1];
            zero[start + i] = zero[start + i + 1];
            one[start + i] = one[start + i + 1];
        }
    }

    /**
     * The total weight of the path with element {@code index} unwound, without changing the path. The divisions
     * of the published algorithm are taken out of the loop (reciprocals), since the leaves' calls to this are
     * most of TreeSHAP's time.
     */
    private double unwoundSum(int start, int depth, int index) {
        double oneFraction = one[start + index];
        double zeroFraction = zero[start + index];
        double next = weight[start + depth];
        double total = 0.0;
        if (oneFraction != 0) {
            double up = (depth + 1) / oneFraction;
            double down = zeroFraction * reciprocal[depth + 1];
            for (int i = depth - 1; i >= 0; i--) {
                // next's chain is one multiply and one subtract per step; the factors do not depend on it.
                double a = up * reciprocal[i + 1];
                total += next * a;
                next = weight[start + i] - next * (a * down * (depth - i));
            }
        } else if (zeroFraction != 0) {
            double up = (depth + 1) / zeroFraction;
            for (int i = depth - 1; i >= 0; i--) {
                total += weight[start + i] * up * reciprocal[depth - i];
            }
        }
        return total;
    }

}
