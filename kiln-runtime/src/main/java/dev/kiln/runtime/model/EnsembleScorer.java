package dev.kiln.runtime.model;

import java.util.List;

/**
 * An {@link EnsembleEstimator} laid out for scoring one row at a time: tree-ensemble members through their
 * {@link PackedTrees}, the others through their own {@link Estimator#margins}. Results equal the ensemble's
 * {@link Estimator#predict} bit for bit (the packed trees' margins are the trees' own, and the members are blended in
 * the same order). Thread-safe; {@code KilnModel} keeps one per loaded ensemble.
 */
public final class EnsembleScorer {
    private interface Margins {
        void margins(double[] x, double[] out);
    }

    private final EnsembleEstimator ensemble;
    private final Margins[] members;

    private EnsembleScorer(EnsembleEstimator ensemble) {
        this.ensemble = ensemble;
        List<EnsembleEstimator.Member> list = ensemble.members();
        this.members = new Margins[list.size()];
        for (int i = 0; i < members.length; i++) {
            Estimator e = list.get(i).estimator();
            PackedTrees packed = e instanceof TreeEnsembleEstimator trees ? PackedTrees.of(trees) : null;
            members[i] = packed != null ? packed::margins : e::margins;  // null: trees PackedTrees cannot lay out
        }
    }

    public static EnsembleScorer of(EnsembleEstimator ensemble) {
        return new EnsembleScorer(ensemble);
    }

    /** As {@link EnsembleEstimator#predict}. */
    public void predict(double[] x, double[] out) {
        int k = out.length;
        java.util.Arrays.fill(out, 0.0);
        double[] m = new double[k];
        List<EnsembleEstimator.Member> list = ensemble.members();
        for (int i = 0; i < members.length; i++) {
            EnsembleEstimator.Member member = list.get(i);
            members[i].margins(member.view(x), m);
            double w = member.weight();
            for (int j = 0; j < k; j++) {
                out[j] += w * m[j];
            }
        }
        ensemble.link().apply(out);
    }
}
