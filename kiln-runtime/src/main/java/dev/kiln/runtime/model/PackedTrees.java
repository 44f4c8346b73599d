package dev.kiln.runtime.model;

import java.util.List;

/**
 * A {@link TreeEnsembleEstimator}'s trees laid out for scoring one row at a time: every node of every tree in one
 * {@code int} array, three ints a node (the split feature with the missing-value direction, the threshold's bits,
 * the right child), each tree in depth-first order so that a left child directly follows its parent. A step down a
 * tree then reads one cache line instead of one in each of the tree's five arrays, which is what a single-row
 * request's scoring was waiting on. Results are those of {@link TreeEnsembleEstimator#predict}, bit for bit (same
 * comparisons, same additions in the same order).
 *
 * <p>A categorical split ({@link Tree#rightCategories}) is flagged in its first int and holds, instead of the
 * threshold's bits, where its category bitset starts in {@link #categoryBits}. Ensembles with categorical splits
 * use this int form; the compact form below stays the numerical trees' alone, so their loop is unchanged.
 */
public final class PackedTrees {
    private static final int DEFAULT_LEFT = 1 << 30;
    private static final int CATEGORICAL = 1 << 29;
    private static final int FEATURE = CATEGORICAL - 1;
    /** The most bitset words (of 64 categories) all categorical splits may take together (32 MiB); beyond, no packing. */
    private static final int MAX_CATEGORY_WORDS = 1 << 22;

    private final TreeEnsembleEstimator estimator;
    /** Per node {@code [feature | DEFAULT_LEFT if missing goes left, threshold bits, right child]}; a leaf {@code [~leaf, 0, 0]}. */
    private final int[] nodes;
    /** Per tree, the index (in nodes, not ints) of its root. */
    private final int[] roots;
    private final Tree[] trees;
    /**
     * The compact form, when the ensemble allows it (single precision, one output per leaf, features below 2^14, trees
     * below 2^16 nodes), else null: one {@code long} a node, the leaf's value in the node itself. See {@link #compact}.
     */
    private final long[] compact;
    private final int[] compactRoots;
    /** Per categorical split: its bitset's word count, then the words (bit c of the set: code c goes right). */
    private final long[] categoryBits;

    /** {@code used}: how many nodes the trees took (fewer than allocated when a tree has unreachable nodes). */
    private PackedTrees(TreeEnsembleEstimator estimator, int[] nodes, int[] roots, int used, long[] categoryBits) {
        this.estimator = estimator;
        this.categoryBits = categoryBits;
        this.nodes = nodes;
        this.roots = roots;
        this.trees = estimator.trees().toArray(new Tree[0]);
        long[] c = null;
        int[] cr = null;
        if (estimator.singlePrecision()) {
            c = new long[nodes.length / 3];
            cr = new int[roots.length];
            for (int k = 0; k < trees.length && c != null; k++) {
                cr[k] = roots[k];
                int end = k + 1 < roots.length ? roots[k + 1] : used;
                c = compact(trees[k], nodes, roots[k], end, c);
            }
        }
        this.compact = c;
        this.compactRoots = c == null ? null : cr;
    }

    private static final long COMPACT_LEAF = 1L << 31;
    private static final int COMPACT_DEFAULT_LEFT = 1 << 30;

    /**
     * Writes tree nodes {@code [from, to)} of the packed form into {@code out} as one {@code long} each: the high 32 bits
     * the threshold's bits (a split) or the leaf's value as a float (a leaf: exactly what single-precision accumulation
     * adds); the low 32 bits {@link #COMPACT_LEAF} for a leaf, else {@link #COMPACT_DEFAULT_LEFT} if missing goes left,
     * the feature in bits 16-29 and the right child's distance in bits 0-15. Null if the tree does not fit.
     */
    private static long[] compact(Tree tree, int[] nodes, int from, int to, long[] out) {
        if (tree.leafWidth() != 1 || tree.hasCategoricalSplits()) {
            return null;
        }
        double[] values = tree.leafValues();
        for (int i = from; i < to; i++) {
            int a = nodes[3 * i];
            if (a < 0) {
                out[i] = ((long) Float.floatToRawIntBits((float) values[~a]) << 32) | COMPACT_LEAF;
                continue;
            }
            int feature = a & FEATURE;
            int distance = nodes[3 * i + 2] - i;
            if (feature >= 1 << 14 || distance <= 0 || distance >= 1 << 16) {
                return null;
            }
            long low = ((a & DEFAULT_LEFT) != 0 ? COMPACT_DEFAULT_LEFT : 0) | (feature << 16) | distance;
            out[i] = ((long) nodes[3 * i + 1] << 32) | low;
        }
        return out;
    }

    /**
     * The packed form of {@code estimator}, or null when its trees are not plain trees this can lay out (a node with
     * children out of order or shared by two parents, a feature beyond 2^30): {@link TreeEnsembleEstimator#predict}
     * then scores it as before.
     */
    public static PackedTrees of(TreeEnsembleEstimator estimator) {
        List<Tree> trees = estimator.trees();
        long total = 0;
        for (Tree t : trees) {
            total += t.nodeCount();
        }
        if (total * 3 > Integer.MAX_VALUE - 8) {
            return null;
        }
        long[] bits = categoryBits(trees);
        if (bits == null) {
            return null;
        }
        int[] nodes = new int[(int) total * 3];
        int[] roots = new int[trees.size()];
        int next = 0;
        int[] bitsAt = {0};
        for (int k = 0; k < trees.size(); k++) {
            roots[k] = next;
            next = lay(trees.get(k), nodes, next, bits, bitsAt);
            if (next < 0) {
                return null;
            }
        }
        return new PackedTrees(estimator, nodes, roots, next, bits);
    }

    /** Room for every categorical split's bitset (filled while laying out), or null when they would take too much. */
    private static long[] categoryBits(List<Tree> trees) {
        long words = 0;
        for (Tree t : trees) {
            if (!t.hasCategoricalSplits()) {
                continue;
            }
            for (int[] codes : t.rightCategories()) {
                if (codes != null) {
                    words += 1 + (codes.length == 0 ? 0 : (codes[codes.length - 1] >>> 6) + 1);
                }
            }
        }
        return words > MAX_CATEGORY_WORDS ? null : new long[(int) words];
    }

    /** Writes {@code codes}' bitset at {@code bitsAt[0]} (word count, then words) and returns where it starts. */
    private static int writeBits(int[] codes, long[] bits, int[] bitsAt) {
        int at = bitsAt[0];
        int words = codes.length == 0 ? 0 : (codes[codes.length - 1] >>> 6) + 1;
        bits[at] = words;
        for (int c : codes) {
            bits[at + 1 + (c >>> 6)] |= 1L << c;
        }
        bitsAt[0] = at + 1 + words;
        return at;
    }

    /** Whether the category code {@code v} (not NaN) is in the bitset at {@code at}: as {@link Tree#inCategories}. */
    private boolean inBits(int at, float v) {
        if (!(v >= 0) || v >= Tree.CATEGORY_LIMIT) {
            return false;
        }
        int code = (int) v;
        int word = code >>> 6;
        return word < categoryBits[at] && (categoryBits[at + 1 + word] & (1L << code)) != 0;
    }

    /** Lays {@code tree} out from node index {@code at} in depth-first order; the next free index, or -1 if it cannot. */
    private static int lay(Tree tree, int[] nodes, int at, long[] bits, int[] bitsAt) {
        int n = tree.nodeCount();
        int[] left = tree.left();
        int[] right = tree.right();
        int[] feature = tree.feature();
        float[] threshold = tree.threshold();
        boolean[] defaultLeft = tree.defaultLeft();
        int[][] categories = tree.rightCategories();
        if (categories != null && categories.length != n) {
            return -1;
        }
        if (right.length != n || feature.length != n || threshold.length != n || defaultLeft.length != n || n == 0) {
            return -1;
        }
        boolean[] placed = new boolean[n];
        // Explicit stack of (original node, packed index of the parent whose right child it is, or -1).
        int[] stack = new int[2 * n + 2];
        int top = 0;
        stack[top++] = 0;
        stack[top++] = -1;
        int next = at;
        while (top > 0) {
            int parent = stack[--top];
            int node = stack[--top];
            if (node < 0 || node >= n || placed[node]) {
                return -1; // out of range, or reached twice: not a tree
            }
            placed[node] = true;
            int here = next++;
            if (parent >= 0) {
                nodes[3 * parent + 2] = here;
            }
            if (left[node] < 0) {
                nodes[3 * here] = ~node;
                continue;
            }
            if (left[node] <= node || right[node] <= node || feature[node] < 0 || feature[node] > FEATURE) {
                return -1;
            }
            nodes[3 * here] = feature[node] | (defaultLeft[node] ? DEFAULT_LEFT : 0);
            if (categories != null && categories[node] != null) {
                nodes[3 * here] |= CATEGORICAL;
                nodes[3 * here + 1] = writeBits(categories[node], bits, bitsAt);
            } else {
                nodes[3 * here + 1] = Float.floatToRawIntBits(threshold[node]);
            }
            // Right pushed first so that the left subtree is laid out next, directly after this node.
            stack[top++] = right[node];
            stack[top++] = here;
            stack[top++] = left[node];
            stack[top++] = -1;
        }
        return next;
    }

    /** The leaf (its index in the original tree) that {@code x} falls into in tree {@code k}. */
    int leafIndex(int k, double[] x) {
        int[] p = nodes;
        int i = roots[k];
        int a;
        while ((a = p[3 * i]) >= 0) {
            double v = x[a & FEATURE];
            boolean left;
            if (v != v) {
                left = (a & DEFAULT_LEFT) != 0;
            } else if ((a & CATEGORICAL) == 0) {
                left = (float) v < Float.intBitsToFloat(p[3 * i + 1]);
            } else {
                left = !inBits(p[3 * i + 1], (float) v);
            }
            i = left ? i + 1 : p[3 * i + 2];
        }
        return ~a;
    }

    /** As {@link TreeEnsembleEstimator#predict}: {@code out} gets the estimator's outputs for one feature vector. */
    public void predict(double[] x, double[] out) {
        margins(x, out);
        estimator.link().apply(out);
    }

    /** As {@link TreeEnsembleEstimator#margins}: the outputs before the link (what an ensemble blends). */
    public void margins(double[] x, double[] out) {
        if (compact != null) {
            marginsCompact(x, out);
            return;
        }
        double[] base = estimator.base();
        boolean single = estimator.singlePrecision();
        for (int j = 0; j < base.length; j++) {
            out[j] = single ? (float) base[j] : 0.0;
        }
        for (int k = 0; k < trees.length; k++) {
            Tree tree = trees[k];
            int leaf = leafIndex(k, x);
            int w = tree.leafWidth();
            double[] values = tree.leafValues();
            int o = tree.output();
            if (single) {
                for (int j = 0; j < w; j++) {
                    out[o + j] = (float) (out[o + j] + (float) values[leaf * w + j]);
                }
            } else {
                for (int j = 0; j < w; j++) {
                    out[o + j] += values[leaf * w + j];
                }
            }
        }
        if (!single) {
            double scale = estimator.scale();
            for (int j = 0; j < base.length; j++) {
                out[j] = base[j] + scale * out[j];
            }
        }
    }

    /** {@link #margins} on the compact form (single precision, one output a leaf). */
    private void marginsCompact(double[] x, double[] out) {
        double[] base = estimator.base();
        for (int j = 0; j < base.length; j++) {
            out[j] = (float) base[j];
        }
        long[] p = compact;
        for (int k = 0; k < compactRoots.length; k++) {
            int i = compactRoots[k];
            long node = p[i];
            int low = (int) node;
            while (low >= 0) { // a split (a leaf has bit 31 set)
                double v = x[(low >>> 16) & 0x3FFF];
                boolean left = v != v ? (low & COMPACT_DEFAULT_LEFT) != 0 : (float) v < Float.intBitsToFloat((int) (node >>> 32));
                i = left ? i + 1 : i + (low & 0xFFFF);
                node = p[i];
                low = (int) node;
            }
            int o = trees[k].output();
            out[o] = (float) (out[o] + Float.intBitsToFloat((int) (node >>> 32)));
        }
    }

    /** Whether the compact form is in use (tests). */
    boolean isCompact() {
        return compact != null;
    }
}
