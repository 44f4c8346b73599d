package dev.kiln.runtime.model;

import java.util.List;

/**
 * A sum of trees: {@code link(base + scale * sum(tree leaves))}. Gradient boosting uses scale 1 and its
 * base margin; an averaging forest or a single CART tree that stores probabilities uses scale 1/trees
 * and the identity link.
 *
 * <p>With {@code singlePrecision} the margin is accumulated as XGBoost does it: start from the base
 * margin as a float and add each tree's leaf in float arithmetic, in tree order. Kiln then reproduces
 * XGBoost's margins bit for bit instead of to within float rounding (which for long regression
 * ensembles exceeds 1e-6). Requires scale 1.
 */
public record TreeEnsembleEstimator(int inputWidth, double[] base, double scale, Link link, List<Tree> trees,
                                    boolean singlePrecision)
        implements Estimator {
    public TreeEnsembleEstimator {
        trees = List.copyOf(trees);
    }

    public TreeEnsembleEstimator(int inputWidth, double[] base, double scale, Link link, List<Tree> trees) {
        this(inputWidth, base, scale, link, trees, false);
    }

    @Override
    public int outputs() {
        return base.length;
    }

    @Override
    public void margins(double[] x, double[] out) {
        if (singlePrecision) {
            marginsSinglePrecision(x, out);
            return;
        }
        int k = base.length;
        for (int j = 0; j < k; j++) {
            out[j] = 0.0;
        }
        for (Tree tree : trees) {
            int leaf = tree.leafIndex(x);
            int w = tree.leafWidth();
            double[] values = tree.leafValues();
            int o = tree.output();
            for (int j = 0; j < w; j++) {
                out[o + j] += values[leaf * w + j];
            }
        }
        for (int j = 0; j < k; j++) {
            out[j] = base[j] + scale * out[j];
        }
    }

    /** Rows scored together per tree: a block's feature rows and one tree's arrays stay in the L1 cache. */
    private static final int BLOCK = 64;

    /**
     * Tree-major scoring of blocks of rows: each tree walks every row of a block before the next tree
     * starts. Each row still adds its trees' leaves in tree order, so results equal {@link #margins}
     * bit for bit ({@link #predictBatch} then applies the link).
     */
    @Override
    public void marginsBatch(double[][] rows, double[][] out) {
        int k = base.length;
        int[] nodes = new int[BLOCK];
        int[][] children = new int[trees.size()][];
        for (int t = 0; t < children.length; t++) {
            children[t] = children(trees.get(t));
        }
        for (int start = 0; start < rows.length; start += BLOCK) {
            int end = Math.min(rows.length, start + BLOCK);
            for (int i = start; i < end; i++) {
                double[] o = out[i];
                for (int j = 0; j < k; j++) {
                    o[j] = singlePrecision ? (float) base[j] : 0.0;
                }
            }
            int size = end - start;
            for (int t = 0; t < children.length; t++) {
                Tree tree = trees.get(t);
                int w = tree.leafWidth();
                int offset = tree.output();
                double[] values = tree.leafValues();
                walk(tree, children[t], rows, start, size, nodes);
                for (int b = 0; b < size; b++) {
                    int leaf = nodes[b] * w;
                    double[] o = out[start + b];
                    if (singlePrecision) {
                        for (int j = 0; j < w; j++) {
                            o[offset + j] = (float) (o[offset + j] + (float) values[leaf + j]);
                        }
                    } else {
                        for (int j = 0; j < w; j++) {
                            o[offset + j] += values[leaf + j];
                        }
                    }
                }
            }
            for (int i = start; i < end; i++) {
                double[] o = out[i];
                if (!singlePrecision) {
                    for (int j = 0; j < k; j++) {
                        o[j] = base[j] + scale * o[j];
                    }
                }
            }
        }
    }

    /**
     * Moves every row of the block one level down per pass until all reach a leaf. The rows' walks are
     * independent, so the CPU overlaps them instead of waiting on one row's chain of loads.
     */
    private static void walk(Tree tree, int[] children, double[][] rows, int start, int size, int[] nodes) {
        if (tree.hasCategoricalSplits()) {
            for (int b = 0; b < size; b++) {
                nodes[b] = tree.leafIndex(rows[start + b]);
            }
            return;
        }
        int[] feature = tree.feature();
        float[] threshold = tree.threshold();
        boolean[] defaultLeft = tree.defaultLeft();
        java.util.Arrays.fill(nodes, 0, size, 0);
        boolean moved = true;
        while (moved) {
            moved = false;
            for (int b = 0; b < size; b++) {
                int n = nodes[b];
                if (children[2 * n] >= 0) {
                    float v = (float) rows[start + b][feature[n]];
                    // Left when below the threshold, or when missing and the node sends missing left;
                    // written without branches so the rows' walks overlap.
                    boolean goLeft = v < threshold[n] | (v != v & defaultLeft[n]);
                    nodes[b] = children[2 * n + (goLeft ? 0 : 1)];
                    moved = true;
                }
            }
        }
    }

    /** Children of every node interleaved ({@code [2n]} left, {@code [2n+1]} right), one load per step. */
    private static int[] children(Tree tree) {
        int[] c = new int[2 * tree.nodeCount()];
        for (int n = 0; n < tree.nodeCount(); n++) {
            c[2 * n] = tree.left()[n];
            c[2 * n + 1] = tree.right()[n];
        }
        return c;
    }

    private void marginsSinglePrecision(double[] x, double[] out) {
        for (int j = 0; j < base.length; j++) {
            out[j] = (float) base[j];
        }
        for (Tree tree : trees) {
            int leaf = tree.leafIndex(x);
            int w = tree.leafWidth();
            double[] values = tree.leafValues();
            int o = tree.output();
            for (int j = 0; j < w; j++) {
                out[o + j] = (float) (out[o + j] + (float) values[leaf * w + j]);
            }
        }
    }

    @Override
    public boolean explainable() {
        for (Tree t : trees) {
            if (t.cover() == null) {
                return false;
            }
        }
        return true;
    }

    /**
     * Exact Shapley values of the margin, tree by tree (path-dependent TreeSHAP): the margin is
     * {@code base + scale * sum(leaves)}, so each tree's contributions and expected value count {@code scale}
     * times, and the base adds {@code base}.
     */
    @Override
    public void contributions(double[] x, double[][] phi) {
        if (!explainable()) {
            throw new IllegalStateException("the tree ensemble has trees without node covers");
        }
        TreeContributions.of(this).compute(x, phi);  // a model keeps its TreeContributions instead
    }

    /** The most nodes all trees of an ensemble may have together (2^25, about 1 GiB of arrays). */
    public static final long MAX_TOTAL_NODES = 1L << 25;

    /**
     * Consistency and the limits that keep a hostile bundle from exhausting the JVM: at least one tree, each
     * within {@link Tree}'s limits, at most {@link #MAX_TOTAL_NODES} nodes together, a finite base and scale.
     * Throws IllegalStateException naming the tree and the limit.
     */
    @Override
    public void validate(int featureWidth) {
        if (trees.isEmpty()) {
            throw new IllegalStateException("the tree ensemble has no trees");
        }
        if (base == null || base.length == 0) {
            throw new IllegalStateException("the tree ensemble has no base margin");
        }
        for (double b : base) {
            if (!Double.isFinite(b)) {
                throw new IllegalStateException("the tree ensemble has the base margin " + b + "; it must be finite");
            }
        }
        if (link == null) {
            throw new IllegalStateException("the tree ensemble has no link");
        }
        if (!Double.isFinite(scale)) {
            throw new IllegalStateException("the tree ensemble has the scale " + scale + "; it must be finite");
        }
        if (singlePrecision && scale != 1.0) {
            throw new IllegalStateException("single-precision accumulation needs scale 1, found " + scale);
        }
        if (inputWidth != featureWidth) {
            throw new IllegalStateException("tree ensemble expects " + inputWidth + " features, the pipeline makes " + featureWidth);
        }
        long total = 0;
        for (int i = 0; i < trees.size(); i++) {
            Tree t = trees.get(i);
            total += t.nodeCount();
            if (total > MAX_TOTAL_NODES) {
                throw new IllegalStateException("trees 0.." + i + " have " + total + " nodes together; the limit is "
                        + MAX_TOTAL_NODES + " nodes per ensemble");
            }
            try {
                t.validate(featureWidth, base.length);
            } catch (IllegalStateException e) {
                throw new IllegalStateException("tree " + i + ": " + e.getMessage(), e);
            }
        }
    }
}
