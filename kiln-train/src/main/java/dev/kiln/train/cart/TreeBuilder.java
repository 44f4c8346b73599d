package dev.kiln.train.cart;

import dev.kiln.runtime.model.Tree;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Grows one CART tree breadth-first with exact greedy splits.
 *
 * <p>Each feature's row order is sorted once; a node owns the same range [start, end) of every sorted
 * order, and splitting a node stably partitions that range, so every node is scanned in sorted order
 * without re-sorting. A candidate threshold between two adjacent distinct values is computed in single
 * precision first and rows are then partitioned with the runtime's own test {@code (float) x < t}, so the
 * training partition and {@link Tree#leafIndex} always agree.
 */
final class TreeBuilder {
    /** The grown tree and the leaf each training row ended in. */
    record Grown(Tree tree, int[] leafOfRow, int depth) {
    }

    /** Nodes at least this large search their features in parallel (results reduced in feature order). */
    private static final int PARALLEL_ROWS = 8192;
    private static final double EPSILON = Math.ulp(1.0);

    private final double[][] columns; // columns[feature][row]
    private final int[] labels;       // classification, else null
    private final double[] targets;   // regression, else null
    private final int classes;
    private final int leafWidth;
    private final int maxDepth;
    private final int minSamplesLeaf;
    private final double minImpurityDecrease;
    private final int rows;
    private final int[][] order;

    private final List<int[]> splits = new ArrayList<>();   // {feature, left, right}
    private final List<Float> thresholds = new ArrayList<>();
    private final List<double[]> values = new ArrayList<>();
    private final List<Integer> rowCounts = new ArrayList<>();   // the node's training rows: its cover

    /**
     * @param labels  class per row for classification (targets null), with {@code classes} classes
     * @param binary  whether a classification leaf stores only P(class 1)
     */
    TreeBuilder(double[][] columns, int[] labels, double[] targets, int classes, boolean binary, int maxDepth,
                int minSamplesLeaf, double minImpurityDecrease) {
        this.columns = columns;
        this.labels = labels;
        this.targets = targets;
        this.classes = classes;
        this.leafWidth = labels == null || binary ? 1 : classes;
        this.maxDepth = maxDepth;
        this.minSamplesLeaf = minSamplesLeaf;
        this.minImpurityDecrease = minImpurityDecrease;
        this.rows = labels != null ? labels.length : targets.length;
        this.order = new int[columns.length][];
        for (int f = 0; f < columns.length; f++) {
            order[f] = IndexSort.argsort(columns[f]);
        }
    }

    private record Node(int id, int start, int end, int depth) {
    }

    /** Best split of one node on one feature: the score to maximise and the left row count. */
    private record Candidate(int feature, float threshold, double score, int leftCount) {
    }

    Grown grow() {
        int[] leafOfRow = new int[rows];
        int[] rowsInOrder = IntStream.range(0, rows).toArray();
        boolean[] goesLeft = new boolean[rows];
        int[] buffer = new int[rows];
        int depthReached = 0;
        ArrayDeque<Node> queue = new ArrayDeque<>();
        queue.add(new Node(newNode(), 0, rows, 0));
        while (!queue.isEmpty()) {
            Node node = queue.poll();
            int n = node.end - node.start;
            int[] anyOrder = order.length > 0 ? order[0] : rowsInOrder;
            Stats stats = stats(anyOrder, node.start, node.end);
            values.set(node.id, stats.value());
            rowCounts.set(node.id, n);
            depthReached = Math.max(depthReached, node.depth);
            Candidate best = null;
            if (node.depth < maxDepth && n >= 2 * minSamplesLeaf && !stats.pure()) {
                best = bestSplit(node, stats);
                if (best != null && (best.score - stats.parentScore()) / rows + EPSILON < minImpurityDecrease) {
                    best = null; // not enough (weighted) impurity decrease
                }
            }
            if (best == null) {
                for (int i = node.start; i < node.end; i++) {
                    leafOfRow[anyOrder[i]] = node.id;
                }
                continue;
            }
            double[] column = columns[best.feature];
            int leftCount = 0;
            for (int i = node.start; i < node.end; i++) {
                int r = order[0][i];
                goesLeft[r] = (float) column[r] < best.threshold; // exactly the runtime's routing test
                leftCount += goesLeft[r] ? 1 : 0;
            }
            if (leftCount != best.leftCount) {
                throw new IllegalStateException("float threshold routing disagrees with the split search");
            }
            for (int[] sorted : order) {
                partition(sorted, node.start, node.end, goesLeft, buffer);
            }
            int left = newNode();
            int right = newNode();
            splits.set(node.id, new int[] {best.feature, left, right});
            thresholds.set(node.id, best.threshold);
            queue.add(new Node(left, node.start, node.start + leftCount, node.depth + 1));
            queue.add(new Node(right, node.start + leftCount, node.end, node.depth + 1));
        }
        return new Grown(toTree(), leafOfRow, depthReached);
    }

    private int newNode() {
        splits.add(null);
        thresholds.add(0f);
        values.add(null);
        rowCounts.add(0);
        return splits.size() - 1;
    }

    private Candidate bestSplit(Node node, Stats stats) {
        int features = columns.length;
        IntStream range = IntStream.range(0, features);
        if (node.end - node.start >= PARALLEL_ROWS) {
            range = range.parallel();
        }
        Candidate[] perFeature = new Candidate[features];
        range.forEach(f -> perFeature[f] = bestSplitOn(f, node.start, node.end, stats));
        Candidate best = null;
        for (Candidate c : perFeature) { // feature order: equal scores keep the lowest feature
            if (c != null && (best == null || c.score > best.score)) {
                best = c;
            }
        }
        return best;
    }

    /**
     * Scans one feature's sorted rows. The score is the proxy that the split maximises: for Gini
     * {@code sum_c nL_c^2 / nL + sum_c nR_c^2 / nR}; for variance {@code sumL^2 / nL + sumR^2 / nR}.
     * Scanning in ascending order and keeping only strictly better scores picks the lowest threshold on ties.
     */
    private Candidate bestSplitOn(int feature, int start, int end, Stats stats) {
        int[] sorted = order[feature];
        double[] column = columns[feature];
        int n = end - start;
        long[] leftCounts = labels != null ? new long[classes] : null;
        long squaresLeft = 0;
        long squaresRight = stats.squares;
        double sumLeft = 0.0;
        Candidate best = null;
        for (int i = start; i < end - 1; i++) {
            int r = sorted[i];
            if (labels != null) {
                int c = labels[r];
                long right = stats.counts[c] - leftCounts[c];
                squaresLeft += 2 * leftCounts[c] + 1;
                squaresRight -= 2 * right - 1;
                leftCounts[c]++;
            } else {
                sumLeft += targets[r];
            }
            int nLeft = i - start + 1;
            int nRight = n - nLeft;
            if (nLeft < minSamplesLeaf || nRight < minSamplesLeaf) {
                continue;
            }
            double below = column[r];
            double above = column[sorted[i + 1]];
            float belowF = (float) below;
            float aboveF = (float) above;
            if (!(belowF < aboveF)) {
                continue; // equal values, or distinct doubles that no float threshold separates
            }
            float threshold = (float) (below / 2.0 + above / 2.0);
            if (!(belowF < threshold)) {
                threshold = aboveF; // the midpoint rounded down onto the lower value
            }
            double score;
            if (labels != null) {
                score = (double) squaresLeft / nLeft + (double) squaresRight / nRight;
            } else {
                double sumRight = stats.sum - sumLeft;
                score = sumLeft * sumLeft / nLeft + sumRight * sumRight / nRight;
            }
            if (best == null || score > best.score) {
                best = new Candidate(feature, threshold, score, nLeft);
            }
        }
        return best;
    }

    /** Node statistics: class counts (with their sum of squares) or target sum, range and value. */
    private record Stats(long[] counts, long squares, double sum, boolean pure, int n, double[] value) {
        /** The proxy score of the unsplit node, so that (split score - parent score) / N is the weighted decrease. */
        double parentScore() {
            return counts != null ? (double) squares / n : sum * sum / n;
        }
    }

    private Stats stats(int[] sorted, int start, int end) {
        int n = end - start;
        if (labels != null) {
            long[] counts = new long[classes];
            for (int i = start; i < end; i++) {
                counts[labels[sorted[i]]]++;
            }
            long squares = 0;
            boolean pure = false;
            for (long c : counts) {
                squares += c * c;
                pure |= c == n;
            }
            double[] value = new double[leafWidth];
            if (leafWidth == 1) {
                value[0] = (double) counts[1] / n;
            } else {
                for (int c = 0; c < classes; c++) {
                    value[c] = (double) counts[c] / n;
                }
            }
            return new Stats(counts, squares, 0.0, pure, n, value);
        }
        double sum = 0.0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = start; i < end; i++) {
            double t = targets[sorted[i]];
            sum += t;
            min = Math.min(min, t);
            max = Math.max(max, t);
        }
        return new Stats(null, 0, sum, min == max, n, new double[] {sum / n});
    }

    /** Stable partition of {@code a[start, end)}: rows going left first, each side keeping its order. */
    private static void partition(int[] a, int start, int end, boolean[] goesLeft, int[] buffer) {
        int l = start;
        int r = 0;
        for (int i = start; i < end; i++) {
            int row = a[i];
            if (goesLeft[row]) {
                a[l++] = row;
            } else {
                buffer[r++] = row;
            }
        }
        System.arraycopy(buffer, 0, a, l, r);
    }

    private Tree toTree() {
        int n = splits.size();
        int[] feature = new int[n];
        float[] threshold = new float[n];
        int[] left = new int[n];
        int[] right = new int[n];
        double[] leafValues = new double[n * leafWidth];
        double[] cover = new double[n];
        for (int i = 0; i < n; i++) {
            cover[i] = rowCounts.get(i);
            int[] s = splits.get(i);
            feature[i] = s == null ? 0 : s[0];
            left[i] = s == null ? -1 : s[1];
            right[i] = s == null ? -1 : s[2];
            threshold[i] = thresholds.get(i);
            // Internal nodes keep their value too (never read by scoring; useful when inspecting a tree).
            System.arraycopy(values.get(i), 0, leafValues, i * leafWidth, leafWidth);
        }
        return new Tree(0, leafWidth, feature, threshold, left, right, new boolean[n], leafValues, cover);
    }
}
