package dev.kiln.runtime.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A weighted blend of other estimators in margin space (bundle format 1.4, kind {@code ensemble}):
 * {@code link(sum_i weight_i * margin_i(x_i))}, where {@code margin_i} is member i's output before its link and
 * {@code x_i} the ensemble's feature vector seen through the member's {@link Member#inputs} (member feature j is
 * {@code x[inputs[j]]}; null inputs: the whole vector). Every member has the ensemble's link and number of outputs,
 * and the weights are finite, non-negative and sum to 1, as Caruana et al.'s (2004) ensemble selection makes them.
 *
 * <p>Blending margins rather than probabilities keeps explanations additive: the ensemble's contributions are the
 * weighted sum of its members' (each mapped back through its inputs, the bases summed too), so they add up to the
 * ensemble's margin exactly as a single estimator's do.
 *
 * @param inputWidth the width of the ensemble's feature vector (the pipeline's)
 */
public record EnsembleEstimator(int inputWidth, List<Member> members, Link link) implements Estimator {
    /** The most members an ensemble may have (a bundle is untrusted input; ensemble selection picks far fewer). */
    public static final int MAX_MEMBERS = 256;

    /** How far the weights' sum may stray from 1. */
    public static final double WEIGHT_SUM_TOLERANCE = 1e-9;

    /**
     * One member: its weight, its estimator, and which of the ensemble's features it reads, in its own feature order
     * ({@code inputs[j]} is the ensemble feature that the member sees as feature j); null inputs: all, in order.
     */
    public record Member(double weight, Estimator estimator, int[] inputs) {
        /** A member that reads the ensemble's whole feature vector. */
        public Member(double weight, Estimator estimator) {
            this(weight, estimator, null);
        }

        /** The width of the vector the member's estimator reads. */
        int width(int ensembleWidth) {
            return inputs == null ? ensembleWidth : inputs.length;
        }

        /** The ensemble's feature vector as the member sees it (the vector itself when it reads all of it). */
        double[] view(double[] x) {
            if (inputs == null) {
                return x;
            }
            double[] v = new double[inputs.length];
            for (int j = 0; j < v.length; j++) {
                v[j] = x[inputs[j]];
            }
            return v;
        }
    }

    public EnsembleEstimator {
        // Not List.copyOf: a null member read from a bundle must reach validate(), which names it.
        members = members == null ? null : Collections.unmodifiableList(new ArrayList<>(members));
    }

    /**
     * An ensemble whose width is that of its members' whole vectors: the {@link Estimator#inputWidth()} of a member
     * without inputs, else one past the highest input index.
     */
    public EnsembleEstimator(List<Member> members, Link link) {
        this(widthOf(members), members, link);
    }

    private static int widthOf(List<Member> members) {
        int width = 0;
        for (Member m : members) {
            if (m.inputs() == null) {
                return m.estimator().inputWidth();
            }
            for (int i : m.inputs()) {
                width = Math.max(width, i + 1);
            }
        }
        return width;
    }

    @Override
    public int outputs() {
        return members.get(0).estimator().outputs();
    }

    /** {@code sum_i weight_i * margin_i(x_i)}, the members added in order. */
    @Override
    public void margins(double[] x, double[] out) {
        int k = out.length;
        java.util.Arrays.fill(out, 0, k, 0.0);
        double[] m = new double[k];
        for (Member member : members) {
            member.estimator().margins(member.view(x), m);
            double w = member.weight();
            for (int j = 0; j < k; j++) {
                out[j] += w * m[j];
            }
        }
    }

    /**
     * Each member scores all rows through its own batch path (a tree ensemble's tree-major walk), then the margins
     * are blended in member order: the same numbers as {@link #margins}, bit for bit.
     */
    @Override
    public void marginsBatch(double[][] rows, double[][] out) {
        int k = outputs();
        for (double[] o : out) {
            java.util.Arrays.fill(o, 0, k, 0.0);
        }
        double[][] m = new double[rows.length][k];
        for (Member member : members) {
            double[][] view = rows;
            if (member.inputs() != null) {
                view = new double[rows.length][];
                for (int i = 0; i < rows.length; i++) {
                    view[i] = member.view(rows[i]);
                }
            }
            member.estimator().marginsBatch(view, m);
            double w = member.weight();
            for (int i = 0; i < rows.length; i++) {
                double[] o = out[i];
                double[] mi = m[i];
                for (int j = 0; j < k; j++) {
                    o[j] += w * mi[j];
                }
            }
        }
    }

    @Override
    public boolean explainable() {
        for (Member m : members) {
            if (!m.estimator().explainable()) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code phi = sum_i weight_i * phi_i}, member i's contributions mapped back through its inputs and its base added
     * to the ensemble's base: each row sums to the ensemble's margin. Prepares each member's explanation state on every
     * call; {@link EnsembleContributions} keeps it.
     */
    @Override
    public void contributions(double[] x, double[][] phi) {
        EnsembleContributions.of(this).compute(x, phi);
    }

    /**
     * Consistency, and the limits that keep a hostile bundle from exhausting the JVM: 1 to {@link #MAX_MEMBERS}
     * members, none an ensemble itself, each valid for the vector it reads, with the ensemble's link and outputs, a
     * finite non-negative weight, inputs within the ensemble's features; weights summing to 1; at most
     * {@link TreeEnsembleEstimator#MAX_TOTAL_NODES} tree nodes in all. Throws IllegalStateException naming the member.
     */
    @Override
    public void validate(int featureWidth) {
        if (members == null || members.isEmpty()) {
            throw new IllegalStateException("the ensemble has no members");
        }
        if (members.size() > MAX_MEMBERS) {
            throw new IllegalStateException("the ensemble has " + members.size() + " members; the limit is " + MAX_MEMBERS);
        }
        if (link == null) {
            throw new IllegalStateException("the ensemble has no link");
        }
        if (inputWidth != featureWidth) {
            throw new IllegalStateException("the ensemble expects " + inputWidth + " features, the pipeline makes " + featureWidth);
        }
        int outputs = -1;
        double sum = 0.0;
        long nodes = 0;
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            String name = "ensemble member " + i;
            if (m == null || m.estimator() == null) {
                throw new IllegalStateException(name + " has no estimator");
            }
            Estimator e = m.estimator();
            if (e instanceof EnsembleEstimator) {
                throw new IllegalStateException(name + " is itself an ensemble; ensembles do not nest");
            }
            if (!Double.isFinite(m.weight()) || m.weight() < 0) {
                throw new IllegalStateException(name + " has the weight " + m.weight() + "; weights must be finite and >= 0");
            }
            sum += m.weight();
            if (m.inputs() != null) {
                for (int f : m.inputs()) {
                    if (f < 0 || f >= featureWidth) {
                        throw new IllegalStateException(name + " reads feature " + f + ", but the pipeline makes "
                                + featureWidth + " features");
                    }
                }
            }
            int width = m.width(featureWidth);
            try {
                e.validate(width);
            } catch (IllegalStateException ex) {
                throw new IllegalStateException(name + ": " + ex.getMessage(), ex);
            }
            if (e.inputWidth() != width) {
                throw new IllegalStateException(name + " expects " + e.inputWidth() + " features but is given " + width);
            }
            if (e.link() != link) {
                throw new IllegalStateException(name + " has the link " + e.link() + ", the ensemble " + link
                        + "; members are blended before the link, so they must share it");
            }
            if (outputs < 0) {
                outputs = e.outputs();
            } else if (e.outputs() != outputs) {
                throw new IllegalStateException(name + " has " + e.outputs() + " outputs, member 0 has " + outputs);
            }
            if (e instanceof TreeEnsembleEstimator t) {
                for (Tree tree : t.trees()) {
                    nodes += tree.nodeCount();
                }
                if (nodes > TreeEnsembleEstimator.MAX_TOTAL_NODES) {
                    throw new IllegalStateException("ensemble members 0.." + i + " have " + nodes
                            + " tree nodes together; the limit is " + TreeEnsembleEstimator.MAX_TOTAL_NODES);
                }
            }
        }
        if (!(Math.abs(sum - 1.0) <= WEIGHT_SUM_TOLERANCE)) {
            throw new IllegalStateException("the ensemble's weights sum to " + sum + "; they must sum to 1");
        }
    }
}
