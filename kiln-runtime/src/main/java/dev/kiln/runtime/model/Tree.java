package dev.kiln.runtime.model;

/**
 * One binary decision tree in flat arrays, node 0 the root. An internal node sends a row left when
 * {@code (float) x[feature] < threshold} (the comparison XGBoost makes, in single precision), right
 * otherwise, and by {@code defaultLeft} when the value is missing (NaN). A leaf has {@code left == -1}
 * and adds {@code leafValues[node * leafWidth + j]} to output {@code output + j}. Children always have
 * larger indices than their parent, which {@link #validate} checks, so scoring always terminates.
 *
 * <p>{@code cover} (bundle format 1.2; null in older bundles) is how much of the training data reached each
 * node: XGBoost's sum of hessians, or a CART node's row count. Scoring never reads it; explanations
 * (TreeSHAP) need it to weigh the branches a row did not take.
 */
public record Tree(int output, int leafWidth, int[] feature, float[] threshold, int[] left, int[] right,
                   boolean[] defaultLeft, double[] leafValues, double[] cover) {

    /** A tree without covers: it scores, but cannot be explained. */
    public Tree(int output, int leafWidth, int[] feature, float[] threshold, int[] left, int[] right,
                boolean[] defaultLeft, double[] leafValues) {
        this(output, leafWidth, feature, threshold, left, right, defaultLeft, leafValues, null);
    }

    public int nodeCount() {
        return left.length;
    }

    /** Index of the leaf that {@code x} falls into. */
    public int leafIndex(double[] x) {
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

    public void validate(int featureWidth, int outputs) {
        int n = left.length;
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
        if (leafWidth < 1 || output < 0 || output + leafWidth > outputs) {
            throw new IllegalStateException("tree writes outputs " + output + ".." + (output + leafWidth - 1)
                    + " of " + outputs);
        }
        for (int i = 0; i < n; i++) {
            if (left[i] < 0) {
                continue;
            }
            if (left[i] <= i || right[i] <= i || left[i] >= n || right[i] >= n) {
                throw new IllegalStateException("tree node " + i + " has invalid children " + left[i] + ", " + right[i]);
            }
            if (feature[i] < 0 || feature[i] >= featureWidth) {
                throw new IllegalStateException("tree node " + i + " splits on feature " + feature[i]
                        + " but the pipeline makes " + featureWidth + " features");
            }
        }
    }
}
